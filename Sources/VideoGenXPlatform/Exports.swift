// The CLI talks to Platform only; the one-shot renderer it drives lives in the scheduler module.
@_exported import VideoGenXScheduler
