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

@Suite("SSRF guard for user-given URLs")
struct URLGuardTests {
    /// URLs a server-side fetch must never reach.
    static let forbidden = [
        "http://127.0.0.1/a.png", "http://localhost:8080/a.png", "http://10.1.2.3/a.png", "http://172.16.0.1/a.png",
        "http://192.168.1.1/a.png", "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0/",
        "http://[::1]/a.png", "http://[fe80::1]/a.png", "http://[fd00:ec2::254]/", "http://[::ffff:127.0.0.1]/a.png",
        "http://224.0.0.1/", "ftp://example.com/a.png", "not a url",
    ]

    @Test("Loopback, private, link-local, metadata, unique-local and multicast addresses are refused", arguments: forbidden)
    func refuses(url: String) async {
        #expect(await URLGuard().problem(with: url) != nil, "\(url)")
    }

    @Test("Public addresses pass, and the allowlist lets a named private host through")
    func allows() async {
        #expect(await URLGuard().problem(with: "http://93.184.216.34/a.png") == nil)
        #expect(await URLGuard().problem(with: "https://[2606:4700::1111]/a.png") == nil)
        #expect(await URLGuard(allowlist: ["127.0.0.1"]).problem(with: "http://127.0.0.1:9000/a.png") == nil)
    }

    @Test("Submitting an image or callback URL at a private address is a 400 naming the field", arguments: ["image", "callback_url"])
    func submitRefusesPrivateURL(field: String) async throws {
        let f = try APIFixture()
        try await f.app.test(.router) { client in
            for url in ["http://127.0.0.1/x.png", "http://10.0.0.7/x.png", "http://169.254.169.254/x.png", "http://[::1]/x"] {
                let body = #"{"text":"x","\#(field)":"\#(url)","params":{"duration":15,"steps":20}}"#
                try await client.execute(uri: "/api/v1/video/generate", method: .post, body: ByteBuffer(string: body)) { response in
                    let json = try APIFixture.json(response)
                    #expect(response.status == .badRequest, "\(url)")
                    let errors = (json["data"] as? [String: Any])?["errors"] as? [[String: String]]
                    #expect(errors?.first?["field"] == field, "\(url)")
                    #expect(errors?.first?["reason"]?.contains("not allowed") == true, "\(url)")
                }
            }
        }
    }

    @Test("An inline image and a public callback address are accepted; the callback URL is stored with the task")
    func submitAcceptsPublic() async throws {
        let f = try APIFixture()
        try await f.app.test(.router) { client in
            let body = #"{"text":"x","image":"data:image/png;base64,iVBORw0KGgo=","callback_url":"https://93.184.216.34/hook","params":{"duration":15,"steps":20}}"#
            let id = try await client.execute(uri: "/api/v1/video/generate", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .accepted)
                let data = try APIFixture.json(response)["data"] as? [String: Any]
                let raw = try #require(data?["task_id"] as? String)
                return try #require(TaskID(rawValue: raw))
            }
            #expect(try await f.store.get(id)?.callbackURL == "https://93.184.216.34/hook")
        }
    }
}
