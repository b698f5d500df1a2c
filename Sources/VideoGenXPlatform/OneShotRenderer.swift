import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXScheduler
import VideoGenXServer

/// The renderer `videogenx generate` runs: the same one the worker runs, with the SSRF-guarded
/// fetcher for URLs a request names (no allowlist: a one-shot run fetches public URLs only).
public enum OneShotRenderer {
    /// A renderer for `model`.
    public static func make(model: any VideoModel) -> VideoRenderer {
        VideoRenderer(model: model, encoder: FFmpegEncoder(), fetcher: GuardedAssetFetcher())
    }
}
