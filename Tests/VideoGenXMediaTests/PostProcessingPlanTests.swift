import Foundation
import Testing
import VideoGenXCore
@testable import VideoGenXMedia

/// The plan as text: validated params in, filter graph, inputs and script out. No ffmpeg.
@Suite("Post-processing plan")
struct PostProcessingPlanTests {
    static let format = VideoFormat(width: 1280, height: 720, fps: 24)

    static func spec(_ params: GenerationRequest.Parameters) throws -> GenerationSpec {
        var params = params
        params.fps = 24
        params.duration = params.duration ?? 2
        return try GenerationRequest(text: "a fox", params: params).validated(limits: .oneShot)
    }

    @Test("Defaults: no filters, no audio, H.265 tagged hvc1 with +faststart")
    func defaults() throws {
        let plan = PostProcessingPlan(spec: try Self.spec(.init()), format: Self.format, assets: .init())
        #expect(plan.filterGraph == "[0:v]null[vout]")
        #expect(plan.inputs.isEmpty && plan.files.isEmpty && !plan.hasAudio)
        let arguments = plan.outputArguments(path: "/tmp/x.mp4")
        #expect(arguments.contains("-an"))
        #expect(arguments.joined(separator: " ").contains("-c:v libx265 -preset veryfast -crf 28"))
        #expect(arguments.joined(separator: " ").contains(
            "-pix_fmt yuv420p -color_range tv -colorspace bt709 -color_primaries bt709 -color_trc bt709 -tag:v hvc1 -movflags +faststart -f mp4 /tmp/x.mp4"
        ))
    }

    @Test("Every option: denoise, eq, the ASS script, the image overlay and synthesised music in one graph")
    func everyOption() throws {
        let spec = try Self.spec(.init(
            saturation: 1.5, contrast: 1.2, brightness: 0.1, denoise: "strong",
            subtitle: SubtitleRequest(text: "你好 world"), watermark: WatermarkRequest(image: "data:image/png;base64,AAAA", position: "top_left", opacity: 40),
            backgroundMusic: MusicRequest(builtin: "calm", volume: 0.5, fadeOut: 1), codec: "h264", bitrate: "4M"
        ))
        let plan = PostProcessingPlan(spec: spec, format: Self.format, assets: .init(fontFamily: "Noto Sans CJK SC", watermarkImage: "watermark"))
        #expect(plan.inputs == ["-i", "watermark"])
        #expect(plan.filterGraph.contains("[0:v]hqdn3d=8:6:12:9,eq=brightness=0.1:contrast=1.2:saturation=1.5,ass=overlay.ass[base]"))
        #expect(plan.filterGraph.contains("[1:v]format=rgba,scale=192:-1,colorchannelmixer=aa=0.4,scale=out_color_matrix=bt709:out_range=tv,format=yuva420p[mark]"))
        #expect(plan.filterGraph.contains("[base][mark]overlay=x=25:y=25:format=yuv420[vout]"))
        #expect(plan.filterGraph.contains("aevalsrc=exprs="))
        #expect(plan.filterGraph.contains("volume=0.5,afade=t=out:st=1.000:d=1.000,aformat=sample_rates=48000:channel_layouts=stereo[aout]"))
        #expect(plan.hasAudio)
        let arguments = plan.outputArguments(path: "o.mp4").joined(separator: " ")
        #expect(arguments.contains("-map [vout] -map [aout] -c:a aac -b:a 128k"))
        #expect(arguments.contains("-c:v libx264 -preset veryfast -b:v 4000k"))
        #expect(arguments.contains("-tag:v avc1"))
        let script = try #require(plan.files[PostProcessingPlan.scriptName])
        #expect(script.contains("Style: Subtitle,Noto Sans CJK SC,36,&H00FFFFFF"))
        #expect(script.contains("Dialogue: 0,0:00:00.00,0:00:02.00,Subtitle,,0,0,0,,你好 world"))
    }

    @Test("Music from a URL loops the fetched file and trims it to the video")
    func musicFromURL() throws {
        let spec = try Self.spec(.init(backgroundMusic: MusicRequest(url: "https://example.com/a.mp3")))
        let plan = PostProcessingPlan(spec: spec, format: Self.format, assets: .init(musicFile: "music"))
        #expect(plan.inputs == ["-stream_loop", "-1", "-i", "music"])
        #expect(plan.filterGraph.contains("[1:a]atrim=end=2.000,asetpts=PTS-STARTPTS,aformat"))
    }

    @Test("Hostile text stays out of the filter graph and cannot open ASS tags or escapes", arguments: [
        "'; drawtext=text=pwned:x=0 [out]", "{\\fs200}BIG", "a\\Nb \\h %{pts} : , ' \"", "line1\nline2\r\u{0}",
    ])
    func hostileText(text: String) throws {
        let spec = try Self.spec(.init(subtitle: SubtitleRequest(text: text), watermark: WatermarkRequest(text: text)))
        let plan = PostProcessingPlan(spec: spec, format: Self.format, assets: .init(fontFamily: "X"))
        #expect(plan.filterGraph == "[0:v]ass=overlay.ass[vout]")
        let script = try #require(plan.files[PostProcessingPlan.scriptName])
        for line in script.split(separator: "\n") where line.hasPrefix("Dialogue:") {
            let body = line.split(separator: ",", maxSplits: 9).last.map(String.init) ?? ""
            // No unescaped brace, and every backslash is either our escape or neutralised.
            #expect(!body.replacingOccurrences(of: "\\{", with: "").replacingOccurrences(of: "\\}", with: "").contains("{"))
            let scalars = Array(body.unicodeScalars)
            for (index, scalar) in scalars.enumerated() where scalar == "\\" {
                let next = index + 1 < scalars.count ? scalars[index + 1] : " "
                #expect(next == "\u{2060}" || next == "{" || next == "}" || next == "N", "backslash followed by \(next)")
            }
        }
        #expect(script.split(separator: "\n").filter { $0.hasPrefix("Dialogue:") }.count == 2)
    }

    @Test("Escaping: braces, backslashes, newlines and control characters")
    func escaping() {
        #expect(SubtitleScript.escape("{\\fs9}a\nb\r\u{7}") == "\\{\\\u{2060}fs9\\}a\\Nb")
    }

    @Test("CJK lines break between characters within the width; spaced text is left to libass")
    func lineBreaking() {
        let breaker = SubtitleLineBreaker(fontSize: 50, maxWidth: 300)
        let broken = breaker.breakLines("一只红狐狸在雪地里奔跑，阳光照在雪上")
        let lines = broken.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.count <= 6 })
        #expect(!lines.contains { $0.first == "，" })
        #expect(breaker.breakLines("a fox runs through the snow in the light") == "a fox runs through the snow in the light")
    }

    @Test("Watermark positions map to overlay expressions and ASS alignments")
    func positions() throws {
        #expect(PostProcessingPlan.overlayPosition(.bottomRight, margin: 10) == ("main_w-overlay_w-10", "main_h-overlay_h-10"))
        #expect(PostProcessingPlan.overlayPosition(.center, margin: 10) == ("(main_w-overlay_w)/2", "(main_h-overlay_h)/2"))
        let spec = try Self.spec(.init(watermark: WatermarkRequest(text: "VGX", position: "top_right", opacity: 25)))
        let script = try #require(PostProcessingPlan(spec: spec, format: Self.format, assets: .init(fontFamily: "F")).files[PostProcessingPlan.scriptName])
        // Opacity 25 → ASS alpha 0xBF (191 of 255 transparent); alignment 9 = top right; 5 % of 720 = 36 px.
        #expect(script.contains("Style: Watermark,F,36,&HBFFFFFFF,&HBFFFFFFF,&HBF000000,&HBF000000,0,0,0,0,100,100,0,0,1,1,0,9,"))
    }
}
