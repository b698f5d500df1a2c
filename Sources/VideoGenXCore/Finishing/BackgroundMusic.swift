/// A validated background-music track, looped or trimmed to the video's length.
public struct BackgroundMusic: Sendable, Hashable, Codable {
    /// Where the audio comes from.
    public enum Source: Sendable, Hashable, Codable {
        /// An `http(s)` URL, fetched through the SSRF guard with a size cap and timeout.
        case url(String)
        /// A track the project synthesises itself (see ``BuiltinTrack``).
        case builtin(BuiltinTrack)
    }

    /// The audio.
    public var source: Source
    /// Gain 0.0–2.0 (1.0 unchanged, 0.5 ≈ −6 dB). Default 1.0.
    public var volume: Double
    /// Seconds of fade-out at the end (0 = none, at most the video's length). Default 0.
    public var fadeOut: Double

    /// Creates a track; defaults as documented on each property.
    public init(source: Source, volume: Double = 1, fadeOut: Double = 0) {
        self.source = source
        self.volume = volume
        self.fadeOut = fadeOut
    }
}

/// The built-in music: short loops synthesised from sine partials by ffmpeg's `aevalsrc` at
/// render time (no recordings, nothing copied from elsewhere).
public enum BuiltinTrack: String, Sendable, Hashable, Codable, CaseIterable {
    /// A slow I–V–vi–IV pad in C major, 2 s per chord.
    case `default`
    /// A soft A-minor drone with a slow tremolo.
    case calm
    /// A bright arpeggio at 120 beats per minute.
    case upbeat
}
