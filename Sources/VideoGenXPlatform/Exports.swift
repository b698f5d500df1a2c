// The CLI and the tests talk to Platform; re-exported with it: the HTTP client and credentials
// (VideoGenXClient), the one-shot renderer (scheduler module), the S3 location and credentials
// `bench s3` reads (S3 object store's), the log format and metrics/tracing bootstraps (telemetry).
@_exported import VideoGenXClient
@_exported import VideoGenXObjectsS3
@_exported import VideoGenXScheduler
@_exported import VideoGenXTelemetry
