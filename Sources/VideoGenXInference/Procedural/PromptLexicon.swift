/// The words the procedural reference model understands. It does not understand language: a
/// handful of colour, setting, subject and motion words steer the scene, and every other word
/// still changes it through its hash. Colours are linear RGB in 0–1.
enum PromptLexicon {
    /// Colour words.
    static let colours: [String: SIMD3<Float>] = [
        "red": [0.86, 0.16, 0.12], "orange": [0.95, 0.52, 0.12], "yellow": [0.96, 0.86, 0.2],
        "green": [0.2, 0.7, 0.25], "blue": [0.15, 0.35, 0.9], "purple": [0.55, 0.22, 0.75],
        "pink": [0.95, 0.5, 0.7], "white": [0.95, 0.95, 0.95], "black": [0.06, 0.06, 0.08],
        "gray": [0.5, 0.5, 0.52], "grey": [0.5, 0.5, 0.52], "gold": [0.9, 0.72, 0.2],
        "golden": [0.9, 0.72, 0.2], "silver": [0.75, 0.77, 0.8], "brown": [0.45, 0.3, 0.18],
        "cyan": [0.1, 0.85, 0.9], "teal": [0.1, 0.55, 0.55],
    ]

    /// Setting words: they set the sky, the ground and falling particles.
    static let settings: [String: Setting] = {
        var table: [String: Setting] = [:]
        let snow = Setting(sky: ([0.75, 0.82, 0.9], [0.92, 0.94, 0.97]), ground: [0.93, 0.95, 0.98], particles: .snow)
        let night = Setting(sky: ([0.02, 0.03, 0.1], [0.1, 0.12, 0.3]), ground: [0.08, 0.1, 0.12], particles: .stars)
        let sunset = Setting(sky: ([0.35, 0.2, 0.5], [0.98, 0.55, 0.3]), ground: [0.3, 0.2, 0.2], particles: nil)
        let water = Setting(sky: ([0.45, 0.7, 0.95], [0.8, 0.9, 1.0]), ground: [0.1, 0.35, 0.65], particles: nil)
        let forest = Setting(sky: ([0.5, 0.75, 0.95], [0.85, 0.92, 0.95]), ground: [0.18, 0.45, 0.2], particles: nil)
        let desert = Setting(sky: ([0.55, 0.75, 0.95], [0.95, 0.9, 0.8]), ground: [0.85, 0.7, 0.45], particles: nil)
        let rain = Setting(sky: ([0.35, 0.38, 0.42], [0.6, 0.62, 0.65]), ground: [0.25, 0.28, 0.3], particles: .rain)
        let city = Setting(sky: ([0.3, 0.4, 0.6], [0.7, 0.75, 0.85]), ground: [0.3, 0.3, 0.33], particles: nil)
        for word in ["snow", "snowy", "winter", "ice", "frozen"] { table[word] = snow }
        for word in ["night", "space", "stars", "starry", "galaxy", "moonlight"] { table[word] = night }
        for word in ["sunset", "sunrise", "dusk", "dawn", "evening"] { table[word] = sunset }
        for word in ["ocean", "sea", "water", "beach", "river", "lake", "underwater"] { table[word] = water }
        for word in ["forest", "tree", "trees", "jungle", "grass", "meadow", "field", "garden"] { table[word] = forest }
        for word in ["desert", "sand", "dune", "dunes", "canyon"] { table[word] = desert }
        for word in ["rain", "rainy", "storm", "stormy", "thunder"] { table[word] = rain }
        for word in ["city", "street", "town", "downtown", "skyline"] { table[word] = city }
        return table
    }()

    /// Subject words: they pick the main shape's form.
    static let subjects: [String: ShapeKind] = {
        var table: [String: ShapeKind] = [:]
        for word in ["fox", "cat", "dog", "horse", "animal", "bird", "fish", "rabbit", "wolf", "deer", "bear", "whale", "dragon"] {
            table[word] = .creature
        }
        for word in ["car", "robot", "building", "house", "train", "truck", "box", "cube", "tower", "ship"] {
            table[word] = .box
        }
        for word in ["ball", "sun", "moon", "planet", "bubble", "orb", "balloon", "eye", "flower"] {
            table[word] = .disc
        }
        for word in ["mountain", "mountains", "pyramid", "peak", "volcano", "tent", "rocket"] {
            table[word] = .triangle
        }
        return table
    }()

    /// Motion words: they pick how the main shape moves.
    static let motions: [String: MotionKind] = {
        var table: [String: MotionKind] = [:]
        for word in ["running", "run", "runs", "racing", "driving", "speeding", "chasing", "rushing", "galloping"] {
            table[word] = .fast
        }
        for word in ["flying", "flies", "fly", "soaring", "floating", "swimming", "hovering", "drifting"] {
            table[word] = .float
        }
        for word in ["spinning", "dancing", "orbiting", "swirling", "circling", "rotating"] {
            table[word] = .orbit
        }
        for word in ["falling", "dropping", "sinking", "diving"] { table[word] = .fall }
        for word in ["walking", "slowly", "calm", "still", "sleeping", "resting"] { table[word] = .slow }
        return table
    }()

    /// Words that carry no meaning for the scene.
    static let stopWords: Set<String> = [
        "a", "an", "the", "of", "in", "on", "at", "to", "and", "with", "through", "over", "under", "by",
        "is", "are", "its", "into", "from", "for", "very", "some",
    ]

    /// Splits a prompt into lowercase words of letters and digits.
    static func words(of prompt: String) -> [String] {
        prompt.lowercased()
            .split(whereSeparator: { !($0.isLetter || $0.isNumber) })
            .map(String.init)
    }

    /// FNV-1a hash of a word: stable across runs and platforms (unlike `Hasher`).
    static func hash(_ word: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in word.utf8 {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return h
    }
}

/// Sky, ground and particles a setting word implies.
struct Setting: Sendable {
    /// Sky colour at the top and at the horizon.
    var sky: (top: SIMD3<Float>, horizon: SIMD3<Float>)
    /// Ground colour.
    var ground: SIMD3<Float>
    /// Falling or twinkling particles, if any.
    var particles: ParticleKind?
}

/// Forms a scene shape can take.
enum ShapeKind: Sendable, CaseIterable {
    case disc, box, triangle, creature
}

/// Ways a shape can move.
enum MotionKind: Sendable, CaseIterable {
    case slow, fast, float, orbit, fall
}

/// Particle fields.
enum ParticleKind: Sendable {
    case snow, rain, stars
}
