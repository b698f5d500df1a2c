/// The visual style a request asks for; it steers palette and texture of the generated scene.
public enum VideoStyle: String, CaseIterable, Sendable, Codable {
    /// Soft, earthy colours with fine grain. The default.
    case natural
    /// Dark backgrounds, neon accents and a grid texture.
    case tech
    /// Warm, saturated colours with brush-stroke texture.
    case art
    /// Bright flat colours, no texture.
    case cartoon
}
