import HTTPTypes
import Hummingbird
import NIOCore
import VideoGenXObjects

/// An object of the object store as an HTTP response, honouring a single `Range`.
struct ObjectResponse: Sendable {
    let objects: any ObjectStore

    /// Streams `key`; 206 for a range, 416 when the range misses the object, 404 when it is missing.
    func serve(_ key: ObjectKey, request: Request) async throws -> Response {
        let range = RangeHeader.parse(request.headers[.range])
        let read: ObjectRead
        do {
            read = try await objects.get(key, range: range)
        } catch let error as ObjectStoreError where error.code == .notFound {
            throw APIError(.notFound, code: "not_found", message: "no such object")
        } catch let error as ObjectStoreError where error.code == .invalidRange {
            let size = try await objects.head(key)?.size ?? 0
            throw APIError(.rangeNotSatisfiable, code: "invalid_range", message: error.message, headers: [.contentRange: "bytes */\(size)"])
        }
        var headers: HTTPFields = [.contentType: read.info.contentType, .acceptRanges: "bytes"]
        let length = read.info.size == 0 ? 0 : read.range.count
        headers[.contentLength] = String(length)
        var status = HTTPResponse.Status.ok
        if range != nil {
            status = .partialContent
            headers[.contentRange] = "bytes \(read.range.lowerBound)-\(read.range.upperBound)/\(read.info.size)"
        }
        let chunks = read.chunks
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: length) { writer in
            for try await chunk in chunks {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        })
    }
}
