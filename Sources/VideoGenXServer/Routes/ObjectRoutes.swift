import HTTPTypes
import Foundation
import Hummingbird
import VideoGenXObjects

/// `GET /api/v1/objects/{key}?expires=…&signature=…`: an object through a signed, expiring URL
/// (the folder store's `video_url`); the signature is the credential, so no key is needed.
/// `HEAD` answers as `GET` would, without the body.
struct ObjectRoutes {
    let objects: any ObjectStore
    let signer: URLSigner

    /// The routes, for `router.addRoutes(_:atPath: "/api/v1/objects")`.
    func collection() -> RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.get("**") { request, context in try await signedObject(request, context: context) }
        routes.head("**") { request, context in try await signedObjectHead(request, context: context) }
        return routes
    }

    private func signedObjectHead(_ request: Request, context: APIRequestContext) async throws -> Response {
        let key = try verifiedKey(request, context: context)
        guard let info = try await objects.head(key) else { throw APIError(.notFound, code: "not_found", message: "no such object") }
        return Response(status: .ok, headers: [
            .contentType: info.contentType, .contentLength: String(info.size), .acceptRanges: "bytes",
        ])
    }

    private func signedObject(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await ObjectResponse(objects: objects).serve(try verifiedKey(request, context: context), request: request)
    }

    /// The object key of a request whose signature and expiry hold.
    /// - Throws: ``APIError`` 403 for a bad or expired signature, 404 for a key that cannot exist.
    private func verifiedKey(_ request: Request, context: APIRequestContext) throws -> ObjectKey {
        let query = request.uri.queryParameters
        do {
            try signer.verify(path: request.uri.path, expires: query.get("expires"), signature: query.get("signature"), now: Date())
        } catch {
            throw APIError(.forbidden, code: error.code.rawValue, message: error.message)
        }
        let keyText = context.parameters.getCatchAll().joined(separator: "/")
        guard let key = try? ObjectKey(keyText) else { throw APIError(.notFound, code: "not_found", message: "no such object") }
        return key
    }
}
