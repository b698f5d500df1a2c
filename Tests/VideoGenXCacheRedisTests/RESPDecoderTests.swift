import NIOCore
import Testing
@testable import VideoGenXCacheRedis

/// The RESP2 reader: every reply type, values split across reads, and malformed input.
@Suite("RESP decoding")
struct RESPDecoderTests {
    /// Decodes `text` fed in pieces of `chunk` bytes; returns every value.
    static func decode(_ text: String, chunk: Int = .max) throws -> [RESPValue] {
        var decoder = RESPDecoder()
        var buffer = ByteBuffer()
        var values: [RESPValue] = []
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            while let value = try decoder.decode(buffer: &buffer) {
                values.append(value)
            }
        }
        #expect(buffer.readableBytes == 0)
        return values
    }

    @Test("Every reply type, and a nested array with a null bulk string")
    func everyType() throws {
        let values = try Self.decode("+OK\r\n-ERR wrong\r\n:-42\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*3\r\n:1\r\n*1\r\n$0\r\n\r\n$-1\r\n")
        #expect(values == [
            .simpleString("OK"), .error("ERR wrong"), .integer(-42), .bulkString(Array("hello".utf8)), .bulkString(nil), .array(nil),
            .array([.integer(1), .array([.bulkString([])]), .bulkString(nil)]),
        ])
    }

    @Test("A reply arriving one byte at a time decodes the same; a bulk string may hold CRLF")
    func splitAcrossReads() throws {
        let text = "*2\r\n$4\r\na\r\nb\r\n:7\r\n+PONG\r\n"
        #expect(try Self.decode(text, chunk: 1) == [.array([.bulkString(Array("a\r\nb".utf8)), .integer(7)]), .simpleString("PONG")])
        #expect(try Self.decode(text, chunk: 3) == Self.decode(text))
    }

    @Test("Malformed replies are protocol violations", arguments: ["?x\r\n", ":12a\r\n", "$-5\r\n", "$3\r\nabcX\r\n", "*-2\r\n"])
    func malformed(_ text: String) {
        #expect(throws: RedisError.self) { try Self.decode(text) }
    }

    @Test("Commands are written as arrays of bulk strings, lengths in bytes")
    func encoding() {
        var buffer = ByteBuffer()
        RESPEncoder.write(["SET", "k", "é"], into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n")
    }

    @Test("redis:// URLs: host, port, password, user, database; bad ones name the problem")
    func urls() throws {
        let plain = try RedisURL("redis://127.0.0.1")
        #expect(plain.port == 6379 && plain.database == 0 && plain.password == nil)
        let full = try RedisURL("redis://app:s%40cret@cache.internal:6380/3")
        #expect(full.host == "cache.internal" && full.port == 6380 && full.user == "app" && full.password == "s@cret" && full.database == 3)
        #expect(try RedisURL("redis://:pw@h").user == nil)
        for bad in ["http://h", "redis://", "redis://h/x"] {
            #expect(throws: RedisError.self) { try RedisURL(bad) }
        }
    }

    @Test("A script's name is the SHA-1 of its source, as Redis computes it")
    func scriptName() {
        // redis-cli SCRIPT LOAD "return 1" answers this digest.
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}
