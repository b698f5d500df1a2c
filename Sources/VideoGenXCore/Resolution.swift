/// An output resolution preset the platform accepts, by its API name.
public enum Resolution: String, CaseIterable, Sendable, Codable {
    /// 1280×720.
    case hd720 = "720P"
    /// 1920×1080, the default.
    case fullHD1080 = "1080P"
    /// 3840×2160.
    case uhd4K = "4K"

    /// Width in pixels.
    public var width: Int {
        switch self {
        case .hd720: 1280
        case .fullHD1080: 1920
        case .uhd4K: 3840
        }
    }

    /// Height in pixels.
    public var height: Int {
        switch self {
        case .hd720: 720
        case .fullHD1080: 1080
        case .uhd4K: 2160
        }
    }
}
