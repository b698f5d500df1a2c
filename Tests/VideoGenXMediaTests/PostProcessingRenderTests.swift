import Foundation
import Testing
import VideoGenXCore
import VideoGenXMedia

/// The executor with real ffmpeg, libass and fontconfig: decoded pixels, streams and loudness,
/// each compared with the same render without the option.
@Suite("Post-processing render", .timeLimit(.minutes(3)))
final class PostProcessingRenderTests {
    static let width = 640
    static let height = 360
    static let format = VideoFormat(width: width, height: height, fps: 24)
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-post-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Renders 1 s of the test gradient with `params`; returns the output path and outcome.
    private func render(_ name: String, _ params: GenerationRequest.Parameters, assets: PostProcessingPlan.Assets = .init()) async throws -> (String, PostProcessingExecutor.Outcome) {
        var params = params
        params.fps = 24
        params.duration = 1
        params.preset = params.preset ?? "ultrafast"
        let spec = try GenerationRequest(text: "test", params: params).validated(limits: .oneShot)
        let work = directory.appendingPathComponent(name + ".work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        if assets.musicFile != nil {
            try await TestPattern.writeTone(to: work.appendingPathComponent("music").path, seconds: 0.3)
        }
        if assets.watermarkImage != nil {
            try await TestPattern.writePNG(to: work.appendingPathComponent("watermark").path, width: 200, height: 100)
        }
        let path = directory.appendingPathComponent(name + ".mp4").path
        let outcome = try await PostProcessingExecutor().run(spec, format: Self.format, workDirectory: work.path, assets: assets, to: path) { writer in
            for i in 0..<24 {
                try await writer.write(FFmpegEncoderTests.frame(i, width: Self.width, height: Self.height))
            }
        }
        return (path, outcome)
    }

    private func frame(_ path: String, at seconds: Double = 0.5) async throws -> RGBFrame {
        try await FirstFrame.decode(path, width: Self.width, height: Self.height, at: seconds)
    }

    /// The bottom fifth of the frame, where a bottom subtitle sits.
    static let bottomBand = (x: 0..<width, y: (height * 4 / 5)..<height)
    /// The top half, where nothing of a bottom subtitle may appear.
    static let topHalf = (x: 0..<width, y: 0..<(height / 2))

    @Test("No music: H.265 hvc1 yuv420p at the size, rate and length asked, and no audio stream")
    func silentVideo() async throws {
        let (path, outcome) = try await render("plain", .init())
        #expect(!outcome.hasAudio && outcome.fontFamily == nil)
        let probe = try await FFprobe().probe(path)
        let video = try #require(probe.video)
        #expect(video.codec == "hevc" && video.tag == "hvc1" && video.pixelFormat == "yuv420p")
        #expect(video.width == Self.width && video.height == Self.height && video.frameCount == 24)
        #expect(abs((video.fps ?? 0) - 24) < 0.01)
        #expect(!probe.streams.contains { $0.type == "audio" })
        // +faststart: the index (moov) comes before the media data, so browsers play while downloading.
        let head = Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(1 << 16))
        let moov = head.indices.first { head[$0...].starts(with: Array("moov".utf8)) }
        let mdat = head.indices.first { head[$0...].starts(with: Array("mdat".utf8)) }
        #expect(moov != nil && (mdat == nil || moov! < mdat!))
    }

    @Test("Built-in music: an AAC stream as long as the video; H.264 tagged avc1 on request")
    func musicStream() async throws {
        let (path, outcome) = try await render("music", .init(backgroundMusic: MusicRequest(builtin: "default"), codec: "h264"))
        #expect(outcome.hasAudio)
        let probe = try await FFprobe().probe(path)
        #expect(probe.video?.codec == "h264" && probe.video?.tag == "avc1")
        let audio = try #require(probe.streams.first { $0.type == "audio" })
        #expect(audio.codec == "aac")
        #expect(abs((audio.duration ?? 0) - 1.0) < 0.1)
    }

    @Test("Music from a file shorter than the video is looped to the video's length and ffmpeg ends")
    func loopedMusicFile() async throws {
        let (path, outcome) = try await render("looped", .init(backgroundMusic: MusicRequest(url: "https://example.com/a.wav", fadeOut: 0.3)), assets: .init(musicFile: "music"))
        #expect(outcome.hasAudio)
        let probe = try await FFprobe().probe(path)
        let audio = try #require(probe.streams.first { $0.type == "audio" })
        #expect(audio.codec == "aac" && abs((audio.duration ?? 0) - 1.0) < 0.1)
    }

    @Test("Music at volume 0.5 is about 6 dB quieter than at 1.0")
    func musicVolume() async throws {
        let (loud, _) = try await render("loud", .init(backgroundMusic: MusicRequest(builtin: "upbeat", volume: 1.0)))
        let (quiet, _) = try await render("quiet", .init(backgroundMusic: MusicRequest(builtin: "upbeat", volume: 0.5)))
        let a = try #require(try await FirstFrame.meanVolume(loud))
        let b = try #require(try await FirstFrame.meanVolume(quiet))
        #expect(abs((a - b) - 6.02) < 0.7, "loud \(a) dB, quiet \(b) dB")
    }

    @Test("Every built-in track is audible", arguments: BuiltinTrack.allCases)
    func builtinTracks(track: BuiltinTrack) async throws {
        let (path, _) = try await render("track-\(track.rawValue)", .init(backgroundMusic: MusicRequest(builtin: track.rawValue)))
        let volume = try #require(try await FirstFrame.meanVolume(path))
        #expect(volume > -40 && volume < -6, "\(track): \(volume) dB")
    }

    @Test("A subtitle changes the bottom band and leaves the top half alone; the font is recorded")
    func subtitleRegion() async throws {
        let (plain, _) = try await render("nosub", .init())
        let (subbed, outcome) = try await render("sub", .init(subtitle: SubtitleRequest(text: "A red fox runs through the snow")))
        let a = try await frame(plain), b = try await frame(subbed)
        #expect(a.meanDifference(to: b, in: Self.bottomBand) > 2.5)
        #expect(a.meanDifference(to: b, in: Self.topHalf) < 1.5)
        #expect(outcome.fontFamily?.isEmpty == false)
    }

    @Test("Long lines wrap within max_width: English (libass at spaces) and Chinese (our breaks) stay inside the centred half", arguments: [
        "A red fox runs through the deep snow of the northern forest while the morning sun rises over the hills",
        "一只红狐狸在北方森林的深雪中奔跑，清晨的太阳从山丘上升起，照亮了整个雪原",
    ])
    func wrapsWithinMaxWidth(text: String) async throws {
        let (plain, _) = try await render("wrap-none", .init())
        let (path, _) = try await render("wrap", .init(subtitle: SubtitleRequest(text: text, size: 24, maxWidth: 0.5)))
        let a = try await frame(plain), b = try await frame(path)
        var columns: [Int] = []
        for x in 0..<Self.width where a.meanDifference(to: b, in: (x: x..<(x + 1), y: (Self.height / 2)..<Self.height)) > 12 {
            columns.append(x)
        }
        let first = try #require(columns.first), last = try #require(columns.last)
        // Half of 640 is 320, centred from 160 to 480; allow the outline and shadow a few pixels.
        #expect(first >= 160 - 6 && last <= 480 + 6, "text spans columns \(first)–\(last)")
        #expect(last - first > 200, "the text fills most of the allowed width")
    }

    @Test("CJK renders real glyphs: two different Chinese lines draw different pixels (tofu boxes would not)")
    func cjkGlyphs() async throws {
        let (plain, _) = try await render("cjk-none", .init())
        let (fox, outcome) = try await render("cjk-fox", .init(subtitle: SubtitleRequest(text: "狐狸在雪地里奔跑", font: "simhei")))
        let (sea, _) = try await render("cjk-sea", .init(subtitle: SubtitleRequest(text: "海浪拍打着礁石", font: "simhei")))
        let a = try await frame(plain), b = try await frame(fox), c = try await frame(sea)
        #expect(a.meanDifference(to: b, in: Self.bottomBand) > 2.5)
        #expect(b.meanDifference(to: c, in: Self.bottomBand) > 2)
        let family = try #require(outcome.fontFamily)
        #expect(family.contains("CJK") || family.lowercased().contains("hei") || family.lowercased().contains("wqy"), "font \(family)")
    }

    @Test("Hostile subtitle text neither breaks the graph nor turns into styling", arguments: [
        "'; drawtext=text=pwned:x=0 [out]", "{\\fs300\\pos(10,10)}BIG", "%{pts} \\N : , ' \\\\",
    ])
    func hostileSubtitle(text: String) async throws {
        let (plain, _) = try await render("hostile-none", .init())
        let (path, _) = try await render("hostile", .init(subtitle: SubtitleRequest(text: text)))
        #expect(try await FFprobe().probe(path).video?.frameCount == 24)
        let a = try await frame(plain), b = try await frame(path)
        // Drawn as small text at the bottom: an override tag would have moved or enlarged it.
        #expect(a.meanDifference(to: b, in: Self.bottomBand) > 2)
        #expect(a.meanDifference(to: b, in: Self.topHalf) < 1.5)
    }

    @Test("An image watermark changes its corner by an amount that follows its opacity")
    func watermarkOpacity() async throws {
        let (plain, _) = try await render("wm-none", .init())
        let (half, _) = try await render("wm-50", .init(watermark: WatermarkRequest(image: "data:image/png;base64,AAAA", opacity: 50)), assets: .init(watermarkImage: "watermark"))
        let (full, _) = try await render("wm-100", .init(watermark: WatermarkRequest(image: "data:image/png;base64,AAAA", opacity: 100)), assets: .init(watermarkImage: "watermark"))
        let a = try await frame(plain), b = try await frame(half), c = try await frame(full)
        // bottom_right, scale 0.15 of 640 = 96 px wide, 48 px tall, 12 px margin.
        let corner = (x: (Self.width - 12 - 96)..<(Self.width - 12), y: (Self.height - 12 - 48)..<(Self.height - 12))
        let other = (x: 0..<96, y: 0..<48)
        let dHalf = a.meanDifference(to: b, in: corner), dFull = a.meanDifference(to: c, in: corner)
        #expect(dFull > 20)
        #expect(abs(dHalf / dFull - 0.5) < 0.12, "50 %: \(dHalf), 100 %: \(dFull)")
        #expect(a.meanDifference(to: c, in: other) < 1.5)
    }

    @Test("Brightness raises mean luma, contrast widens it, saturation 0 greys and 2 strengthens colour")
    func colour() async throws {
        let base = try await frame(try await render("c-base", .init()).0).lumaAndSpread
        let bright = try await frame(try await render("c-bright", .init(brightness: 0.2)).0).lumaAndSpread
        let contrast = try await frame(try await render("c-contrast", .init(contrast: 1.6)).0).lumaAndSpread
        let grey = try await frame(try await render("c-grey", .init(saturation: 0)).0).lumaAndSpread
        let vivid = try await frame(try await render("c-vivid", .init(saturation: 2)).0).lumaAndSpread
        #expect(bright.luma > base.luma + 20)
        #expect(contrast.deviation > base.deviation * 1.2)
        #expect(grey.spread < 6)
        #expect(vivid.spread > base.spread * 1.3)
    }

    @Test("Denoise and a text watermark run; the text watermark lands in its corner")
    func denoiseAndTextWatermark() async throws {
        let (plain, _) = try await render("tw-none", .init())
        let (path, outcome) = try await render("tw", .init(denoise: "strong", watermark: WatermarkRequest(text: "VideoGenX", position: "top_left", opacity: 100)))
        #expect(outcome.fontFamily != nil)
        let a = try await frame(plain), b = try await frame(path)
        #expect(a.meanDifference(to: b, in: (x: 0..<160, y: 0..<40)) > a.meanDifference(to: b, in: (x: 480..<640, y: 0..<40)) + 3)
    }

    @Test("fontconfig maps simhei and unknown names to an installed CJK-capable family")
    func fontFallback() async throws {
        let resolver = FontResolver()
        let simhei = try await resolver.family(for: "simhei")
        let unknown = try await resolver.family(for: "No Such Font 123")
        let fallback = try await resolver.family(for: nil)
        #expect(unknown == fallback)
        #expect(simhei == fallback)
        #expect(!fallback.isEmpty && fallback != "sans-serif")
    }
}
