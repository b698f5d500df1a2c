import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import VideoGenXServer

/// The web console's files as the server answers them: `/` and `/console` redirect, every file
/// with a strict CSP and an ETag (`304` on a match), no inline script, and the embedded copy equal
/// to `console/` in the repository (run `make console` after editing it).
@Suite("Web console routes")
struct ConsoleRoutesTests {
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("console")

    @Test("/ and /console redirect to /console/, which is the page; files carry their type, a strict CSP and an ETag; a matching If-None-Match is a 304; unknown files 404")
    func serving() async throws {
        let f = try await AccessFixture.make()
        try await f.app.test(.router) { client in
            for path in ["/", "/console"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .found && response.headers[.location] == "/console/", "\(path)")
                }
            }
            var etag = ""
            try await client.execute(uri: "/console/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let csp = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(csp.contains("script-src 'self'") && csp.contains("default-src 'none'") && !csp.contains("unsafe"))
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                etag = try #require(response.headers[.eTag])
                #expect(String(buffer: response.body).contains("<script type=\"module\" src=\"app.js\"></script>"))
            }
            try await client.execute(uri: "/console/", method: .get, headers: [.ifNoneMatch: etag]) { response in
                #expect(response.status == .notModified && response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/console/api.js", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(response.headers[.eTag] != etag)
            }
            try await client.execute(uri: "/console/style.css", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "text/css; charset=utf-8")
            }
            try await client.execute(uri: "/console/nope.js", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/console/../Package.swift", method: .get) { response in
                #expect(response.status == .notFound || response.status == .found)
            }
        }
    }

    @Test("The embedded files are exactly console/ (regenerate with `make console`), and every module a file imports is embedded")
    func embeddedCopyIsCurrent() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.source.path).filter { [".html", ".js", ".css", ".svg"].contains(where: $0.hasSuffix) }
        #expect(Set(names) == Set(ConsoleAssets.files.keys))
        for name in names {
            let disk = try String(contentsOf: Self.source.appendingPathComponent(name), encoding: .utf8)
            #expect(disk == ConsoleAssets.files[name], "\(name) differs from its embedded copy: run make console")
        }
        for (name, text) in ConsoleAssets.files where name.hasSuffix(".js") {
            for match in text.matches(of: /from '\.\/([a-z-]+\.js)'/) {
                #expect(ConsoleAssets.files[String(match.1)] != nil, "\(name) imports \(match.1)")
            }
        }
    }

    @Test("No inline script, inline style or inline event handler anywhere in the markup (the CSP would block them)")
    func noInlineCode() throws {
        let html = try #require(ConsoleAssets.files["index.html"])
        for script in html.matches(of: /<script[^>]*>/) {
            #expect(script.0.contains("src="), "\(script.0)")
        }
        #expect(!html.contains("style=") && !html.contains("<style") && html.firstMatch(of: /\son[a-z]+=/) == nil)
        for (name, text) in ConsoleAssets.files where name.hasSuffix(".js") {
            #expect(!text.contains("innerHTML") && !text.contains("eval(") && !text.contains("new Function"), "\(name) builds DOM from elements only")
        }
    }
}
