import Foundation
import Testing
@testable import VideoGenXCore

/// The finishing parameters: defaults, edges and every refusal with its field path.
@Suite("Finishing parameter validation")
struct FinishingValidationTests {
    private func spec(_ params: GenerationRequest.Parameters) throws -> GenerationSpec {
        try GenerationRequest(text: "a fox", params: params).validated()
    }

    @Test("Defaults: no subtitle, watermark or music; H.265 CRF 28 veryfast, AAC; colour unchanged")
    func defaults() throws {
        let spec = try spec(.init())
        #expect(spec.subtitle == nil && spec.watermark == nil && spec.music == nil)
        #expect(spec.brightness == 0 && spec.denoise == .off)
        #expect(spec.output == OutputSettings(codec: .h265, rateControl: .crf(28), preset: "veryfast", audioCodec: .aac))
        #expect(try self.spec(.init(codec: "h264")).output.rateControl == .crf(23))
    }

    @Test("A full request: subtitle segments, image watermark, built-in music, bitrate")
    func fullRequest() throws {
        let spec = try spec(.init(
            brightness: -0.2, denoise: "light",
            subtitle: SubtitleRequest(
                segments: [.init(start: 0, end: 5, text: "你好"), .init(start: 5, end: 99, text: "Hello")], font: "simhei", size: 48,
                color: "#ffcc00", position: "top", shadow: false, maxWidth: 0.8
            ),
            watermark: WatermarkRequest(image: "https://example.com/logo.png", position: "center", opacity: 80, scale: 0.2),
            backgroundMusic: MusicRequest(builtin: "calm", volume: 0.5, fadeOut: 3), codec: "h264", bitrate: "4M", preset: "fast"
        ))
        let subtitle = try #require(spec.subtitle)
        #expect(subtitle.segments == [SubtitleSegment(start: 0, end: 5, text: "你好"), SubtitleSegment(start: 5, end: 30, text: "Hello")])
        #expect(subtitle.color == RGBColour(red: 255, green: 204, blue: 0) && subtitle.color.description == "#FFCC00")
        #expect(subtitle.position == .top && !subtitle.shadow && subtitle.maxWidth == 0.8 && subtitle.font == "simhei")
        #expect(spec.watermark == Watermark(content: .image("https://example.com/logo.png"), position: .center, opacity: 80, scale: 0.2))
        #expect(spec.music == BackgroundMusic(source: .builtin(.calm), volume: 0.5, fadeOut: 3))
        #expect(spec.output == OutputSettings(codec: .h264, rateControl: .bitrate(kbps: 4000), preset: "fast"))
        #expect(spec.denoise == .light && spec.brightness == -0.2)
    }

    @Test("Subtitle text covers the whole clip; enable false turns it off")
    func subtitleText() throws {
        #expect(try spec(.init(subtitle: SubtitleRequest(text: "hi"))).subtitle?.segments == [SubtitleSegment(start: 0, end: 30, text: "hi")])
        #expect(try spec(.init(subtitle: SubtitleRequest(enable: false, text: "hi"))).subtitle == nil)
        #expect(try spec(.init(subtitle: SubtitleRequest(enable: false))).subtitle == nil)
    }

    static let invalidCases: [(GenerationRequest.Parameters, String)] = [
        (.init(brightness: 1.5), "params.brightness: must be -1.0–1.0, got 1.5"),
        (.init(denoise: "max"), "params.denoise: must be one of 'off', 'light', 'strong', got 'max'"),
        (.init(subtitle: SubtitleRequest()), "params.subtitle: needs text or segments"),
        (.init(subtitle: SubtitleRequest(text: "a", segments: [])), "params.subtitle: takes text or segments, not both"),
        (.init(subtitle: SubtitleRequest(text: " ")), "params.subtitle.text: must not be empty or only whitespace"),
        (.init(subtitle: SubtitleRequest(text: String(repeating: "字", count: 501))), "params.subtitle.text: must be at most 500 characters, got 501"),
        (.init(subtitle: SubtitleRequest(segments: [])), "params.subtitle.segments: must hold 1–200 segments, got 0"),
        (.init(subtitle: SubtitleRequest(segments: [.init(start: 3, end: 2, text: "x")])),
         "params.subtitle.segments[0]: must have 0 ≤ start < end and start before the video's end (30.0 s), got 3.0–2.0"),
        (.init(subtitle: SubtitleRequest(segments: [.init(start: 1, end: nil, text: "x")])), "params.subtitle.segments[0]: needs start, end and text"),
        (.init(subtitle: SubtitleRequest(text: "a", font: "Arial:weight=200")),
         "params.subtitle.font: must be 1–64 letters, digits, spaces, '-' or '_', got 'Arial:weight=200'"),
        (.init(subtitle: SubtitleRequest(text: "a", size: 4)), "params.subtitle.size: must be 8–200 px, got 4"),
        (.init(subtitle: SubtitleRequest(text: "a", color: "red")), "params.subtitle.color: must be #RRGGBB, got 'red'"),
        (.init(subtitle: SubtitleRequest(text: "a", position: "left")), "params.subtitle.position: must be one of 'bottom', 'top', 'center', got 'left'"),
        (.init(subtitle: SubtitleRequest(text: "a", maxWidth: 0.1)), "params.subtitle.max_width: must be 0.2–1.0, got 0.1"),
        (.init(watermark: WatermarkRequest()), "params.watermark: needs text or image"),
        (.init(watermark: WatermarkRequest(text: "a", image: "https://x.io/a.png")), "params.watermark: takes text or image, not both"),
        (.init(watermark: WatermarkRequest(image: "file:///etc/passwd")), "params.watermark.image: must be an http(s) URL, a data:image/...;base64, URI or the key of one of your results (videos/{task_id}/{file})"),
        (.init(watermark: WatermarkRequest(text: "a", opacity: 101)), "params.watermark.opacity: must be 0–100, got 101"),
        (.init(watermark: WatermarkRequest(text: "a", position: "left")),
         "params.watermark.position: must be one of 'top_left', 'top_right', 'bottom_left', 'bottom_right', 'center', got 'left'"),
        (.init(watermark: WatermarkRequest(text: "a", scale: 0)), "params.watermark.scale: must be 0.01–1.0, got 0.0"),
        (.init(backgroundMusic: MusicRequest()), "params.background_music: needs url or builtin"),
        (.init(backgroundMusic: MusicRequest(builtin: "jazz")), "params.background_music.builtin: must be one of 'default', 'calm', 'upbeat', got 'jazz'"),
        (.init(backgroundMusic: MusicRequest(url: "ftp://x.io/a.mp3")), "params.background_music.url: must be an absolute http(s) URL of at most 2048 characters"),
        (.init(backgroundMusic: MusicRequest(builtin: "default", volume: 3)), "params.background_music.volume: must be 0.0–2.0, got 3.0"),
        (.init(backgroundMusic: MusicRequest(builtin: "default", fadeOut: 31)), "params.background_music.fade_out: must be 0.0–30.0, got 31.0"),
        (.init(codec: "av1"), "params.codec: must be one of 'h265', 'h264', got 'av1'"),
        (.init(crf: 52), "params.crf: must be 0–51, got 52"),
        (.init(crf: 20, bitrate: "4M"), "params.bitrate: cannot be combined with params.crf; choose one"),
        (.init(bitrate: "fast"), "params.bitrate: must be 100k–100M written like '800k' or '4M', got 'fast'"),
        (.init(bitrate: "50k"), "params.bitrate: must be 100k–100M written like '800k' or '4M', got '50k'"),
        (.init(preset: "warp"), "params.preset: must be one of ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, placebo, got 'warp'"),
        (.init(audioCodec: "mp3"), "params.audio_codec: must be one of 'aac', got 'mp3'"),
    ]

    @Test("Each invalid finishing field is refused with its path and reason", arguments: invalidCases)
    func invalidField(params: GenerationRequest.Parameters, expected: String) {
        do {
            _ = try spec(params)
            Issue.record("accepted: \(expected)")
        } catch let failure as ValidationFailure {
            #expect(failure.issues.map(\.description) == [expected])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("Bitrates: k, M, decimals and plain bit/s")
    func bitrates() {
        #expect(GenerationRequest.Parameters.kilobits("800k") == 800)
        #expect(GenerationRequest.Parameters.kilobits("4M") == 4000)
        #expect(GenerationRequest.Parameters.kilobits("2.5m") == 2500)
        #expect(GenerationRequest.Parameters.kilobits("1500000") == 1500)
        #expect(GenerationRequest.Parameters.kilobits("-4M") == nil)
        #expect(GenerationRequest.Parameters.kilobits("M") == nil)
    }

    @Test("Free tier may not set a watermark; paid may")
    func watermarkTier() throws {
        let spec = try spec(.init(watermark: WatermarkRequest(text: "mine")))
        let free = TierPolicy.defaults(for: .free).refusals(for: spec, priority: .p2, tier: .free)
        #expect(free.map(\.description) == ["params.watermark: a custom watermark is not available on the free tier"])
        #expect(TierPolicy.defaults(for: .paid).refusals(for: spec, priority: .p2, tier: .paid).isEmpty)
    }

    @Test("A spec stored before the finishing fields existed still decodes, with defaults")
    func oldStoredSpec() throws {
        let json = #"{"text":"a","resolution":"720P","fps":24,"durationSeconds":15,"style":"natural","saturation":1,"contrast":1,"cfgScale":7.5,"steps":20,"sampler":"auto","seed":1}"#
        let spec = try JSONDecoder().decode(GenerationSpec.self, from: Data(json.utf8))
        #expect(spec.output == OutputSettings() && spec.subtitle == nil && spec.brightness == 0)
        let round = try JSONDecoder().decode(GenerationSpec.self, from: JSONEncoder().encode(try self.spec(.init(subtitle: SubtitleRequest(text: "x")))))
        #expect(round.subtitle?.segments.first?.text == "x")
    }

    @Test("The API's JSON shape of the finishing params decodes")
    func decodesWire() throws {
        let json = #"{"text":"a","params":{"brightness":0.1,"subtitle":{"text":"hi","max_width":0.5},"background_music":{"builtin":"default","fade_out":2},"audio_codec":"aac"}}"#
        let request = try JSONDecoder().decode(GenerationRequest.self, from: Data(json.utf8))
        #expect(request.params.subtitle?.maxWidth == 0.5 && request.params.backgroundMusic?.fadeOut == 2 && request.params.audioCodec == "aac")
    }

    @Test("Asset references: URLs, data URIs and keys of results; anything else is refused", arguments: [
        ("https://example.com/a.png", "url"), ("data:image/png;base64,AAAA", "data"), ("videos/01JABC/thumbnail.webp", "key"),
        ("videos/../etc/passwd", nil), ("videos/a/b/c.png", nil), ("objects/a/b.png", nil), ("videos//x.png", nil),
        ("/etc/passwd", nil), ("ftp://x/y.png", nil), ("videos/a b/c.png", nil),
    ] as [(String, String?)])
    func assetReferences(text: String, kind: String?) {
        switch AssetReference(text) {
        case .url?: #expect(kind == "url")
        case .dataURI?: #expect(kind == "data")
        case .objectKey(let key, let task)?: #expect(kind == "key" && key == text && task == "01JABC")
        case nil: #expect(kind == nil)
        }
    }
}
