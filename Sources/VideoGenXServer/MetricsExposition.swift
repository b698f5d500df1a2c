import Hummingbird
import NIOCore

/// `GET /metrics` of a role: the Prometheus text the composition root's metrics backend renders
/// (the server does not know the backend; it is handed the rendering).
public struct MetricsExposition: Sendable {
    let render: @Sendable () async -> [UInt8]
    let contentType: String

    /// An exposition answering with `render()`'s bytes as `contentType`.
    public init(contentType: String, render: @escaping @Sendable () async -> [UInt8]) {
        self.render = render
        self.contentType = contentType
    }

    /// The scrape's response.
    func response() async -> Response {
        let bytes = await render()
        return Response(
            status: .ok, headers: [.contentType: contentType, .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
