/// A caller's service tier (DESIGN §9): what they may ask for and how fast.
public enum Tier: String, CaseIterable, Sendable, Hashable, Codable {
    /// 10 requests/s, up to 1080P, priorities P2–P3, no custom watermark.
    case free
    /// 100 requests/s, 4K, priorities P1–P3, custom watermark.
    case paid
    /// Operators: everything, including P0.
    case admin
}
