import VideoGenXCore

/// `GET /api/v1/video/options`: what the caller may submit — every field of
/// `POST /api/v1/video/generate` with this server's default, its choices or range, and the
/// caller's tier already applied (priorities and resolutions it may pick, custom watermark or
/// not). The web console builds its form from it, so a field the server adds or a default an
/// operator changes reaches the form without a console change.
struct SubmissionOptions: Encodable, Sendable {
    /// Who is asking.
    var caller: Caller
    /// Every field, in form order.
    var fields: [Field]

    struct Caller: Encodable, Sendable {
        var userID: String
        var tier: String
        var keyID: String
        enum CodingKeys: String, CodingKey { case userID = "user_id", tier, keyID = "key_id" }
    }

    /// One request field.
    struct Field: Encodable, Sendable {
        /// Its path in the body (`params.subtitle.text`); field errors name the same path.
        var name: String
        /// `basic`, `advanced` or `finishing`.
        var group: String
        /// `text`, `longtext`, `url`, `image`, `choice`, `integer`, `number`, `boolean` or `color` (`#RRGGBB`).
        var type: String
        /// The value the server uses when the field is left out (absent: none, e.g. a random seed).
        var defaultValue: Value?
        /// What the web console sends when it differs from the server's default, and why.
        var consoleDefault: Value?
        var consoleNote: String?
        var choices: [Value]?
        var min: Double?
        var max: Double?
        var step: Double?
        /// Whether a submission must carry it.
        var required = false
        /// The fields of which one must be given for this one to be sent: it only qualifies them
        /// (a subtitle's position needs its text; a watermark's opacity its text or image).
        var requires: [String]?

        enum CodingKeys: String, CodingKey {
            case name, group, type, choices, min, max, step, required, requires
            case defaultValue = "default", consoleDefault = "console_default", consoleNote = "console_note"
        }
    }

    /// A default or a choice: a string, a number or a flag.
    enum Value: Encodable, Sendable, Hashable {
        case string(String)
        case integer(Int)
        case number(Double)
        case bool(Bool)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .integer(let value): try container.encode(value)
            case .number(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            }
        }
    }

    /// The options for `identity` on a server configured with `configuration`.
    init(configuration: ServerConfiguration, identity: Identity) {
        caller = Caller(userID: identity.userID, tier: identity.tier.rawValue, keyID: identity.keyID)
        let limits = configuration.limits
        let policy = configuration.policy(for: identity.tier)
        let model = limits.models[limits.defaultModel] ?? .procedural
        let resolutions = limits.resolutions.filter { policy.resolutions.contains($0) && model.resolutions.contains($0) }
        let resolution = resolutions.contains(model.defaultResolution) ? model.defaultResolution : resolutions.first ?? model.defaultResolution
        let priorities = TaskPriority.all.map(\.rawValue).filter(policy.priorities.contains)
        let priority = priorities.contains(TaskPriority.p2.rawValue) ? TaskPriority.p2.rawValue : priorities.last ?? TaskPriority.p2.rawValue
        let fps = model.defaultFrameRate
        let duration = min(max(model.defaultDuration(fps: fps), limits.durationSeconds.lowerBound), limits.durationSeconds.upperBound)
        let defaults = GenerationSpec.Defaults.self
        func choice(_ name: String, _ group: String, _ values: [String], _ value: String?) -> Field {
            Field(name: name, group: group, type: "choice", defaultValue: value.map(Value.string), choices: values.map(Value.string))
        }
        func range(_ name: String, _ group: String, _ type: String, _ value: Value?, _ bounds: ClosedRange<Double>, step: Double? = nil) -> Field {
            Field(name: name, group: group, type: type, defaultValue: value, min: bounds.lowerBound, max: bounds.upperBound, step: step)
        }
        var fields: [Field] = [
            Field(
                name: "text", group: "basic", type: "longtext", min: Double(limits.textLength.lowerBound), max: Double(limits.textLength.upperBound),
                required: true
            ),
            Field(name: "image", group: "basic", type: "image", max: Double(limits.maxImageReferenceLength)),
            choice("params.resolution", "basic", resolutions.map(\.rawValue), resolution.rawValue),
            range("params.duration", "basic", "integer", .integer(duration), Double(limits.durationSeconds.lowerBound)...Double(limits.durationSeconds.upperBound)),
            Field(name: "priority", group: "basic", type: "choice", defaultValue: .integer(priority), choices: priorities.map(Value.integer)),
            choice("params.model", "advanced", limits.models.keys.sorted(), limits.defaultModel),
            Field(name: "params.fps", group: "advanced", type: "choice", defaultValue: .integer(fps), choices: limits.frameRates.map(Value.integer)),
            choice("params.style", "advanced", VideoStyle.allCases.map(\.rawValue), defaults.style.rawValue),
            range("params.steps", "advanced", "integer", .integer(defaults.steps), Double(limits.steps.lowerBound)...Double(limits.steps.upperBound)),
            range("params.cfg_scale", "advanced", "number", .number(defaults.cfgScale), 1...20, step: 0.5),
            choice("params.sampler", "advanced", SamplerChoice.allCases.map(\.rawValue), defaults.sampler.rawValue),
            range("params.seed", "advanced", "integer", nil, 0...Double(UInt32.max)),
            range("params.saturation", "advanced", "number", .number(defaults.colourMultiplier), 0...2, step: 0.05),
            range("params.contrast", "advanced", "number", .number(defaults.colourMultiplier), 0...2, step: 0.05),
        ]
        var codec = choice("params.codec", "finishing", VideoCodec.allCases.map(\.rawValue), VideoCodec.h265.rawValue)
        codec.consoleDefault = .string(VideoCodec.h264.rawValue)
        codec.consoleNote = "browsers other than Safari cannot play H.265; the console asks for H.264 so its player works"
        let subtitle = ["params.subtitle.text"]
        fields += [
            codec,
            range("params.crf", "finishing", "integer", nil, 0...51),
            Field(name: "params.bitrate", group: "finishing", type: "text", max: 16),
            choice("params.preset", "finishing", EncoderPreset.names, EncoderPreset.default),
            choice("params.audio_codec", "finishing", AudioCodec.allCases.map(\.rawValue), AudioCodec.aac.rawValue),
            range("params.brightness", "finishing", "number", .number(0), -1...1, step: 0.05),
            choice("params.denoise", "finishing", Denoise.allCases.map(\.rawValue), Denoise.off.rawValue),
            Field(name: "params.subtitle.text", group: "finishing", type: "text", max: 500),
            Self.requiring(choice("params.subtitle.position", "finishing", Subtitle.Position.allCases.map(\.rawValue), Subtitle.Position.bottom.rawValue), subtitle),
            Self.requiring(Field(name: "params.subtitle.font", group: "finishing", type: "text", max: 64), subtitle),
            Self.requiring(range("params.subtitle.size", "finishing", "integer", nil, 8...200), subtitle),
            Self.requiring(Field(name: "params.subtitle.color", group: "finishing", type: "color", defaultValue: .string(RGBColour.white.description)), subtitle),
            Self.requiring(Field(name: "params.subtitle.shadow", group: "finishing", type: "boolean", defaultValue: .bool(true)), subtitle),
            Self.requiring(range("params.subtitle.max_width", "finishing", "number", .number(0.9), 0.2...1, step: 0.05), subtitle),
        ]
        if policy.customWatermark {
            let watermark = ["params.watermark.text", "params.watermark.image"]
            fields += [
                Field(name: "params.watermark.text", group: "finishing", type: "text", max: 100),
                Field(name: "params.watermark.image", group: "finishing", type: "url", max: 2048),
                Self.requiring(choice("params.watermark.position", "finishing", Watermark.Position.allCases.map(\.rawValue), Watermark.Position.bottomRight.rawValue), watermark),
                Self.requiring(range("params.watermark.opacity", "finishing", "integer", .integer(50), 0...100), watermark),
                Self.requiring(range("params.watermark.scale", "finishing", "number", nil, 0.01...1, step: 0.01), watermark),
            ]
        }
        let music = ["params.background_music.builtin", "params.background_music.url"]
        fields += [
            choice("params.background_music.builtin", "finishing", BuiltinTrack.allCases.map(\.rawValue), nil),
            Field(name: "params.background_music.url", group: "finishing", type: "url", max: 2048),
            Self.requiring(range("params.background_music.volume", "finishing", "number", .number(1), 0...2, step: 0.1), music),
            Self.requiring(range("params.background_music.fade_out", "finishing", "number", .number(0), 0...Double(limits.durationSeconds.upperBound), step: 0.5), music),
        ]
        self.fields = fields
    }

    private static func requiring(_ field: Field, _ others: [String]) -> Field {
        var field = field
        field.requires = others
        return field
    }
}
