import VideoGenXCore

/// Base colours, accents and texture strength of a style, and the grade that maps an RGB colour
/// (0–1) into the latent colour space (−1…1, kept within ±0.75 so guidance can push it further
/// without clipping at the default scale).
struct StylePalette: Sendable {
    /// Default sky colour at the top.
    var skyTop: SIMD3<Float>
    /// Default sky colour at the horizon.
    var skyHorizon: SIMD3<Float>
    /// Default ground colour.
    var ground: SIMD3<Float>
    /// Accent colours for shapes.
    var accents: [SIMD3<Float>]
    /// Detail amplitude (latent channel 3) of this style's texture.
    var detail: Float
    /// How far colours are pushed from grey (saturation of the style).
    var vividness: Float
    /// A tint added to every colour.
    var tint: SIMD3<Float>

    /// The palette of `style`.
    init(style: VideoStyle) {
        switch style {
        case .natural:
            skyTop = [0.45, 0.65, 0.9]; skyHorizon = [0.82, 0.88, 0.92]; ground = [0.35, 0.5, 0.28]
            accents = [[0.55, 0.4, 0.25], [0.3, 0.55, 0.3], [0.8, 0.7, 0.5], [0.6, 0.3, 0.2], [0.4, 0.45, 0.6]]
            detail = -0.2; vividness = 0.95; tint = [0.02, 0.01, -0.01]
        case .tech:
            skyTop = [0.02, 0.03, 0.1]; skyHorizon = [0.05, 0.15, 0.3]; ground = [0.04, 0.05, 0.1]
            accents = [[0.1, 0.9, 0.95], [0.95, 0.15, 0.8], [0.3, 0.5, 1.0], [0.6, 1.0, 0.3]]
            detail = 0.5; vividness = 1.2; tint = [-0.02, 0.0, 0.04]
        case .art:
            skyTop = [0.9, 0.6, 0.3]; skyHorizon = [0.98, 0.85, 0.55]; ground = [0.55, 0.25, 0.2]
            accents = [[0.8, 0.15, 0.15], [0.1, 0.5, 0.55], [0.95, 0.75, 0.15], [0.35, 0.2, 0.55]]
            detail = 0.7; vividness = 1.25; tint = [0.04, 0.01, -0.03]
        case .cartoon:
            skyTop = [0.3, 0.7, 1.0]; skyHorizon = [0.6, 0.88, 1.0]; ground = [0.3, 0.8, 0.2]
            accents = [[1.0, 0.2, 0.2], [1.0, 0.85, 0.0], [0.2, 0.4, 1.0], [1.0, 0.5, 0.0], [0.6, 0.2, 0.9]]
            detail = -1.0; vividness = 1.3; tint = [0, 0, 0]
        }
    }

    /// Maps an RGB colour (0–1) into the style's latent colour.
    func grade(_ rgb: SIMD3<Float>) -> SIMD3<Float> {
        let grey = (rgb.x + rgb.y + rgb.z) / 3
        let vivid = SIMD3<Float>(repeating: grey) + (rgb - SIMD3<Float>(repeating: grey)) * vividness + tint
        let clamped = simd_clamp01(vivid)
        return (clamped * 2 - 1) * 0.75
    }
}

/// Clamps each component to 0…1.
func simd_clamp01(_ v: SIMD3<Float>) -> SIMD3<Float> {
    v.replacing(with: 0, where: v .< 0).replacing(with: 1, where: v .> 1)
}
