// The CLI talks to Platform only; the one-shot renderer it drives lives in the scheduler module,
// the S3 location and credentials `bench s3` reads in the S3 object store's, the log format the
// roles bootstrap in the telemetry module.
@_exported import VideoGenXObjectsS3
@_exported import VideoGenXScheduler
@_exported import VideoGenXTelemetry
