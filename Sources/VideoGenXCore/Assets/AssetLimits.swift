/// Size caps for fetched assets. Configuration keys `assets.max_image_bytes` and
/// `assets.max_audio_bytes`.
public struct AssetLimits: Sendable, Hashable {
    /// Largest image in bytes. Default 10 MiB.
    public var maxImageBytes: Int
    /// Largest audio file in bytes. Default 50 MiB.
    public var maxAudioBytes: Int

    /// Creates limits; defaults as documented on each property.
    public init(maxImageBytes: Int = 10 << 20, maxAudioBytes: Int = 50 << 20) {
        self.maxImageBytes = maxImageBytes
        self.maxAudioBytes = maxAudioBytes
    }

    /// The cap for `kind`.
    public func maxBytes(for kind: AssetKind) -> Int {
        kind == .image ? maxImageBytes : maxAudioBytes
    }
}
