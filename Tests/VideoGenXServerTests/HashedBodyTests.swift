import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import VideoGenXCore
@testable import VideoGenXServer

/// The body reader of signed requests: hashes as the chunks arrive, caps the size, and leaves
/// the body readable for the handlers.
@Suite("Hashed request body")
struct HashedBodyTests {
    private static func request(chunks: [String]) -> Request {
        let stream = AsyncStream<ByteBuffer> { continuation in
            for chunk in chunks { continuation.yield(ByteBuffer(string: chunk)) }
            continuation.finish()
        }
        return Request(head: HTTPRequest(method: .post, scheme: "http", authority: "x", path: "/"), body: RequestBody(asyncSequence: stream))
    }

    @Test("A body in several chunks hashes as the whole does, and handlers still read all of it")
    func chunked() async throws {
        let chunks = ["{\"prompt\":", "\"a lighthouse", " at dawn\"", "}"]
        var request = Self.request(chunks: chunks)
        let body = try await HashedBody.read(&request, upTo: 1024)
        let whole = chunks.joined()
        #expect(body.sha256Hex == RequestSignature.bodyHash(Data(whole.utf8)))
        #expect(String(buffer: body.buffer) == whole)
        let again = try await request.body.collect(upTo: 1024)
        #expect(String(buffer: again) == whole)
    }

    @Test("Past the cap the read stops with the error Hummingbird answers 413")
    func capped() async throws {
        var request = Self.request(chunks: [String(repeating: "a", count: 600), String(repeating: "b", count: 600)])
        await #expect(throws: NIOTooManyBytesError(maxBytes: 1000)) {
            _ = try await HashedBody.read(&request, upTo: 1000)
        }
    }

    @Test("An empty body hashes as the signature's empty-body hash")
    func empty() async throws {
        var request = Self.request(chunks: [])
        let body = try await HashedBody.read(&request, upTo: 10)
        #expect(body.sha256Hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
