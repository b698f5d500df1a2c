import Foundation
import VideoGenXCore

/// The procedural scene behind a prompt: background, moving shapes and particles. Prompt words
/// and style pick palette, forms and motion; the seed picks positions, sizes, phases and speeds.
struct SceneDescription: Sendable {
    /// Sky colour at the top of the frame (latent colour space, −1…1).
    var skyTop: SIMD3<Float>
    /// Sky colour at the horizon.
    var skyHorizon: SIMD3<Float>
    /// Ground colour.
    var ground: SIMD3<Float>
    /// Horizon height as a fraction of the frame from the top.
    var horizon: Float
    /// Detail amplitude of the background (latent channel 3).
    var backgroundDetail: Float
    /// Shapes, back to front.
    var shapes: [SceneShape]
    /// Particle field, if any.
    var particles: ParticleField?

    /// Maximum number of shapes in a scene.
    static let maxShapes = 6

    /// Builds the scene for a prompt, style and seed; a reference image's grid, when given,
    /// supplies the sky, ground and accent colours and the horizon height.
    init(prompt: String, style: VideoStyle, seed: UInt64, reference: ReferenceGrid? = nil) {
        let words = PromptLexicon.words(of: prompt)
        let meaningful = words.filter { !PromptLexicon.stopWords.contains($0) }
        var rng = SplitMix64(seed: SplitMix64.mix(seed, 0x5CE4E))
        var palette = StylePalette(style: style)
        if let reference {
            palette.adopt(reference)
        }

        let setting = words.lazy.compactMap { PromptLexicon.settings[$0] }.first
        let colourWords = words.compactMap { PromptLexicon.colours[$0] }
        let subjectKind = words.lazy.compactMap { PromptLexicon.subjects[$0] }.first
        let motion = words.lazy.compactMap { PromptLexicon.motions[$0] }.first ?? .slow

        let settingColours = reference == nil ? setting : nil
        skyTop = palette.grade(settingColours?.sky.top ?? palette.skyTop)
        skyHorizon = palette.grade(settingColours?.sky.horizon ?? palette.skyHorizon)
        ground = palette.grade(settingColours?.ground ?? palette.ground)
        horizon = rng.nextFloat(in: 0.55...0.75)
        if let split = reference?.strongestRowEdge {
            horizon = split
        }
        backgroundDetail = palette.detail

        // The subject: the first colour word (or the palette's accent) in the form the subject
        // word implies, moving as the motion word says.
        var shapes: [SceneShape] = []
        let subjectColour = colourWords.first ?? palette.accents[Int(PromptLexicon.hash(prompt) % UInt64(palette.accents.count))]
        shapes.append(SceneShape(
            kind: subjectKind ?? .creature, colour: palette.grade(subjectColour), radius: rng.nextFloat(in: 0.12...0.18),
            motion: SceneMotion(kind: motion, rng: &rng, groundLine: horizon), detail: palette.detail + 0.3
        ))
        // The seed adds one or two pieces of scenery (rocks, trees, buildings) near the horizon.
        for _ in 0..<(1 + Int(rng.next() % 2)) {
            let colour = palette.accents[Int(rng.next() % UInt64(palette.accents.count))]
            let kind = ShapeKind.allCases[Int(rng.next() % UInt64(ShapeKind.allCases.count - 1))]
            var motion = SceneMotion(kind: .slow, rng: &rng, groundLine: horizon)
            motion.start.y = horizon - rng.nextFloat(in: 0.02...0.08)
            shapes.insert(SceneShape(
                kind: kind, colour: palette.grade(colour) * 0.8, radius: rng.nextFloat(in: 0.06...0.14),
                motion: motion, detail: palette.detail
            ), at: 0)
        }
        // Every other meaningful word adds a shape whose form and colour come from its hash.
        for word in meaningful where shapes.count < Self.maxShapes {
            if PromptLexicon.subjects[word] != nil || PromptLexicon.motions[word] != nil
                || PromptLexicon.colours[word] != nil || PromptLexicon.settings[word] != nil
            {
                continue
            }
            let h = PromptLexicon.hash(word)
            let colour = PromptLexicon.colours[word] ?? palette.accents[Int(h % UInt64(palette.accents.count))]
            let kind = ShapeKind.allCases[Int((h >> 8) % UInt64(ShapeKind.allCases.count))]
            let wordMotion = MotionKind.allCases[Int((h >> 16) % UInt64(MotionKind.allCases.count))]
            shapes.insert(SceneShape(
                kind: kind, colour: palette.grade(colour) * 0.85, radius: rng.nextFloat(in: 0.05...0.11),
                motion: SceneMotion(kind: wordMotion, rng: &rng, groundLine: horizon), detail: palette.detail
            ), at: 0)
        }
        self.shapes = shapes
        if let kind = setting?.particles {
            particles = ParticleField(kind: kind, rng: &rng)
        } else if style == .tech {
            particles = ParticleField(kind: .stars, rng: &rng)
        } else {
            particles = nil
        }
    }
}

/// One moving shape of a scene.
struct SceneShape: Sendable {
    /// Its form.
    var kind: ShapeKind
    /// Its colour (latent colour space).
    var colour: SIMD3<Float>
    /// Its size as a fraction of the frame height.
    var radius: Float
    /// How it moves.
    var motion: SceneMotion
    /// Its detail amplitude (latent channel 3).
    var detail: Float
}

/// A shape's path through the frame over time (in seconds, so frame rate does not change it).
struct SceneMotion: Sendable {
    /// The kind of motion.
    var kind: MotionKind
    /// Start position (fractions of width and height).
    var start: SIMD2<Float>
    /// Velocity in frame fractions per second.
    var velocity: SIMD2<Float>
    /// Amplitude of bobbing or orbit radius.
    var amplitude: Float
    /// Angular frequency in radians per second.
    var frequency: Float
    /// Phase in radians.
    var phase: Float

    /// A seeded motion of `kind`; ground-bound motions keep the shape near `groundLine`.
    init(kind: MotionKind, rng: inout SplitMix64, groundLine: Float) {
        self.kind = kind
        let direction: Float = rng.nextUnitFloat() < 0.5 ? -1 : 1
        phase = rng.nextFloat(in: 0...(2 * .pi))
        switch kind {
        case .slow:
            start = [rng.nextFloat(in: 0.1...0.9), rng.nextFloat(in: 0.25...0.8)]
            velocity = [direction * rng.nextFloat(in: 0.01...0.04), 0]
            amplitude = 0.01
            frequency = rng.nextFloat(in: 0.5...1.2)
        case .fast:
            start = [direction < 0 ? rng.nextFloat(in: 0.6...0.85) : rng.nextFloat(in: 0.15...0.4), groundLine + rng.nextFloat(in: -0.05...0.12)]
            velocity = [direction * rng.nextFloat(in: 0.08...0.14), 0]
            amplitude = 0.025
            frequency = rng.nextFloat(in: 9...14)
        case .float:
            start = [direction < 0 ? rng.nextFloat(in: 0.55...0.9) : rng.nextFloat(in: 0.1...0.45), rng.nextFloat(in: 0.15...0.45)]
            velocity = [direction * rng.nextFloat(in: 0.05...0.12), rng.nextFloat(in: -0.02...0.02)]
            amplitude = rng.nextFloat(in: 0.04...0.08)
            frequency = rng.nextFloat(in: 1.5...3)
        case .orbit:
            start = [rng.nextFloat(in: 0.3...0.7), rng.nextFloat(in: 0.3...0.6)]
            velocity = [0, 0]
            amplitude = rng.nextFloat(in: 0.1...0.2)
            frequency = direction * rng.nextFloat(in: 0.8...1.6)
        case .fall:
            start = [rng.nextFloat(in: 0.1...0.9), rng.nextFloat(in: 0...1)]
            velocity = [rng.nextFloat(in: -0.02...0.02), rng.nextFloat(in: 0.1...0.2)]
            amplitude = 0.02
            frequency = rng.nextFloat(in: 1...2)
        }
    }

    /// Position (fractions of width and height) at `time` seconds; drifting shapes wrap around.
    func position(at time: Float) -> SIMD2<Float> {
        let wobble = amplitude * Foundation.sin(frequency * time + phase)
        switch kind {
        case .orbit:
            let angle = frequency * time + phase
            return [start.x + amplitude * 1.3 * Foundation.cos(angle), start.y + amplitude * Foundation.sin(angle)]
        case .fast:
            return [wrap(start.x + velocity.x * time), start.y - abs(wobble)]
        case .slow, .float, .fall:
            return [wrap(start.x + velocity.x * time), wrap(start.y + velocity.y * time) + wobble]
        }
    }
}

/// Wraps a coordinate into −0.25…1.25 so shapes leave one side and come back on the other.
func wrap(_ value: Float) -> Float {
    let span: Float = 1.5
    let shifted = (value + 0.25).truncatingRemainder(dividingBy: span)
    return (shifted < 0 ? shifted + span : shifted) - 0.25
}
