/// Strength of the spatio-temporal denoiser (ffmpeg `hqdn3d`) applied before text and overlays.
public enum Denoise: String, Sendable, Hashable, Codable, CaseIterable {
    /// No denoising (the default).
    case off
    /// Half of hqdn3d's default strength.
    case light
    /// Twice hqdn3d's default strength.
    case strong
}
