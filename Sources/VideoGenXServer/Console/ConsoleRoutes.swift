import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The web console at `/console/` (and `/` redirecting there): its embedded files with a strict
/// CSP and ETags, never authenticated — the page signs its API calls in the browser with the
/// key the user pastes, on the same routes and signatures as the CLI.
struct ConsoleRoutes {
    /// The routes, for `router.addRoutes(_:)`.
    func collection() -> RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.get("/") { _, _ in Self.redirect }
        // The router treats `/console` and `/console/` as one route; the page's relative asset
        // URLs need the slash, so the bare form is redirected to it.
        routes.get("/console/") { request, _ in
            request.uri.path.hasSuffix("/") ? Self.answer("index.html", request: request) : Self.redirect
        }
        routes.get("/console/**") { request, context in
            Self.answer(context.parameters.getCatchAll().joined(separator: "/"), request: request)
        }
        return routes
    }

    private static var redirect: Response {
        Response(status: .found, headers: [.location: "/console/"])
    }

    private static let securityHeaders: HTTPFields = [
        HTTPField.Name("Content-Security-Policy")!: ConsoleAssets.contentSecurityPolicy,
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-cache",
    ]

    /// The file at `path`: `304` when the request's `If-None-Match` names its ETag.
    static func answer(_ path: String, request: Request) -> Response {
        guard let asset = ConsoleAssets.assets[path] else {
            var headers = securityHeaders
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .notFound, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "no such console file\n")))
        }
        var headers = securityHeaders
        headers[.eTag] = asset.etag
        if let tags = request.headers[.ifNoneMatch], tags.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag || $0 == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        headers[.contentLength] = String(asset.body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }
}
