import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VideoGenXCore
import VideoGenXObjects
import VideoGenXServer
import VideoGenXStore
import VideoGenXStoreSQLite

/// The finishing parameters over HTTP: accepted and echoed, refused with field paths, URLs
/// SSRF-checked at submit time, the custom watermark kept to paid tiers.
@Suite("HTTP API finishing parameters")
struct FinishingRouteTests {
    static let generate = "/api/v1/video/generate"

    static let fullBody = #"""
    {"text":"a red fox","params":{"resolution":"720P","duration":15,"steps":20,"brightness":0.1,"denoise":"light",
     "subtitle":{"segments":[{"start":0,"end":5,"text":"一只狐狸"},{"start":5,"end":15,"text":"A fox"}],"font":"simhei","color":"#FFCC00","max_width":0.8},
     "watermark":{"text":"VideoGenX","position":"top_right","opacity":40},
     "background_music":{"builtin":"upbeat","volume":0.5,"fade_out":2},"codec":"h264","bitrate":"4M","preset":"fast"}}
    """#

    @Test("Every finishing option is accepted (202) and echoed with defaults by GET task")
    func acceptedAndEchoed() async throws {
        let f = try APIFixture()
        try await f.app.test(.router) { client in
            let id = try await client.execute(uri: Self.generate, method: .post, body: APIFixture.body(Self.fullBody)) { response in
                #expect(response.status == .accepted)
                return try #require((try APIFixture.json(response)["data"] as? [String: Any])?["task_id"] as? String)
            }
            try await client.execute(uri: "/api/v1/video/task/\(id)", method: .get) { response in
                let data = try #require(try APIFixture.json(response)["data"] as? [String: Any])
                let params = try #require((data["request"] as? [String: Any])?["params"] as? [String: Any])
                #expect(params["codec"] as? String == "h264" && params["bitrate"] as? String == "4000k" && params["preset"] as? String == "fast")
                #expect(params["denoise"] as? String == "light" && params["audio_codec"] as? String == "aac")
                let subtitle = try #require(params["subtitle"] as? [String: Any])
                #expect(subtitle["color"] as? String == "#FFCC00" && subtitle["position"] as? String == "bottom" && subtitle["shadow"] as? Bool == true)
                #expect((subtitle["segments"] as? [[String: Any]])?.first?["text"] as? String == "一只狐狸")
                let mark = try #require(params["watermark"] as? [String: Any])
                #expect(mark["text"] as? String == "VideoGenX" && mark["opacity"] as? Int == 40 && mark["scale"] as? Double == 0.05)
                let music = try #require(params["background_music"] as? [String: Any])
                #expect(music["builtin"] as? String == "upbeat" && music["volume"] as? Double == 0.5 && music["fade_out"] as? Double == 2)
            }
        }
        let stored = try #require(try await f.store.list(userID: Identity.local.userID, status: nil, limit: 1, after: nil).tasks.first)
        #expect(stored.request.subtitle?.segments.count == 2 && stored.request.music?.source == .builtin(.upbeat))
    }

    @Test("Wrong types and values inside the nested objects are 400s naming each field")
    func nestedErrors() async throws {
        let f = try APIFixture()
        let body = #"""
        {"text":"x","params":{"duration":15,"steps":20,"subtitle":{"segments":[{"start":"a","end":1,"text":"t"},7],"shadow":"yes","size":4,"extra":1},
         "watermark":{"opacity":"half"},"background_music":{"builtin":"jazz","url":"http://example.com/a.mp3"},"crf":60,"denoise":3}}
        """#
        try await f.app.test(.router) { client in
            try await client.execute(uri: Self.generate, method: .post, body: APIFixture.body(body)) { response in
                #expect(response.status == .badRequest)
                let errors = try #require((try APIFixture.json(response)["data"] as? [String: Any])?["errors"] as? [[String: String]])
                let fields = Set(errors.compactMap { $0["field"] })
                for field in [
                    "params.subtitle.segments[0].start", "params.subtitle.segments[1]", "params.subtitle.shadow", "params.subtitle.extra",
                    "params.watermark.opacity", "params.background_music", "params.crf", "params.denoise",
                ] {
                    #expect(fields.contains(field), "missing \(field) in \(fields)")
                }
            }
        }
    }

    @Test("Music, watermark and reference URLs that resolve to private addresses are refused at submit with 400", arguments: [
        ("params.background_music.url", #""background_music":{"url":"http://127.0.0.1:9/a.mp3"}"#),
        ("params.watermark.image", #""watermark":{"image":"http://169.254.169.254/logo.png"}"#),
    ])
    func privateURLs(field: String, fragment: String) async throws {
        let f = try APIFixture()
        let body = #"{"text":"x","params":{"duration":15,"steps":20,"# + fragment + "}}"
        try await f.app.test(.router) { client in
            try await client.execute(uri: Self.generate, method: .post, body: APIFixture.body(body)) { response in
                #expect(response.status == .badRequest)
                let errors = try #require((try APIFixture.json(response)["data"] as? [String: Any])?["errors"] as? [[String: String]])
                #expect(errors.contains { $0["field"] == field && $0["reason"]?.contains("not allowed") == true }, "\(errors)")
            }
        }
    }

    @Test("A custom watermark is a 403 on the free tier and accepted on paid", arguments: [("free", 403), ("paid", 202)])
    func watermarkByTier(tier: String, status: Int) async throws {
        let f = try await AccessFixture.make()
        let key = tier == "free" ? f.free : f.paid
        let body = #"{"text":"x","params":{"resolution":"720P","duration":15,"steps":20,"watermark":{"text":"mine"}}}"#
        try await f.app.test(.router) { client in
            try await client.execute(uri: Self.generate, method: .post, headers: f.signed(key, .post, Self.generate, body: body), body: ByteBuffer(string: body)) { response in
                #expect(Int(response.status.code) == status)
                if status == 403 {
                    let errors = (try APIFixture.json(response)["data"] as? [String: Any])?["errors"] as? [[String: String]]
                    #expect(errors?.first?["field"] == "params.watermark")
                }
            }
        }
    }

    @Test("An image may be the key of one of the caller's results; another user's or a missing key is a 400")
    func objectKeyReferences() async throws {
        let f = try APIFixture()
        let spec = try GenerationRequest(text: "x", params: .init(duration: 15, steps: 20)).validated()
        let mine = try await f.store.create(NewTask(userID: Identity.local.userID, request: spec)).task
        let theirs = try await f.store.create(NewTask(userID: "someone-else", request: spec)).task
        let file = f.directory.appendingPathComponent("thumb.webp")
        try Data([1, 2, 3]).write(to: file)
        for task in [mine, theirs] {
            _ = try await f.objects.put(try ObjectKey("videos/\(task.id)/thumbnail.webp"), fromFile: file, contentType: "image/webp")
        }
        let cases: [(String, Int)] = [
            ("videos/\(mine.id)/thumbnail.webp", 202), ("videos/\(theirs.id)/thumbnail.webp", 400), ("videos/\(mine.id)/nothing.png", 400),
        ]
        try await f.app.test(.router) { client in
            for (key, status) in cases {
                let body = #"{"text":"x","image":"\#(key)","params":{"duration":15,"steps":20,"watermark":{"image":"\#(key)"}}}"#
                try await client.execute(uri: Self.generate, method: .post, body: APIFixture.body(body)) { response in
                    #expect(Int(response.status.code) == status, "\(key)")
                    if status == 400 {
                        let errors = (try APIFixture.json(response)["data"] as? [String: Any])?["errors"] as? [[String: String]] ?? []
                        #expect(Set(errors.compactMap { $0["field"] }) == ["image", "params.watermark.image"])
                        #expect(errors.allSatisfy { $0["reason"] == "is not an object of one of your tasks" })
                    }
                }
            }
        }
    }
}
