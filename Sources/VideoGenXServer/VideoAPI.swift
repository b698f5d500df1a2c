import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VideoGenXCore
import VideoGenXObjects
import VideoGenXStore

/// The HTTP API of DESIGN §9 on a ``TaskStore`` and an ``ObjectStore``: submit, inspect, list
/// and cancel tasks, fetch results (with HTTP ranges, through signed expiring URLs), health.
/// The server never touches SQL or ffmpeg.
public struct VideoAPI: Sendable {
    let store: any TaskStore
    let objects: any ObjectStore
    let signer: URLSigner
    let configuration: ServerConfiguration
    let workerProblem: @Sendable () -> String?
    let webhookSecrets: WebhookSecrets?
    let deviceStatuses: (@Sendable () -> [DeviceStatus])?
    let modelStatuses: @Sendable () -> [ModelStatus]
    let access: AccessMiddleware
    private var presenter: TaskPresenter {
        TaskPresenter(store: store, objects: objects, urlExpirySeconds: configuration.urlExpirySeconds)
    }

    /// Creates the API.
    ///
    /// - Parameters:
    ///   - workerProblem: why the worker is not ready (not running, spool full), `nil` when it is, for `/readyz`.
    ///   - webhookSecrets: the users' webhook secrets, shown at `GET /api/v1/webhooks/secret`;
    ///     `nil` refuses `callback_url` (no dispatcher runs).
    ///   - authenticator: checks API-key signatures on every `/api/v1` route; `nil` runs without
    ///     authentication, every caller being ``Identity/local`` (route tests only).
    ///   - rateLimiter: where the per-key rate limits are kept. Default in this process.
    ///   - clock: time of the rate limiter. Default the system clock.
    ///   - deviceStatuses: the worker's devices for `GET /api/v1/admin/devices`; `nil` when this
    ///     process runs no worker (the route answers 404).
    ///   - modelStatuses: the worker's warm model cache, shown next to the devices.
    public init(
        store: any TaskStore, objects: any ObjectStore, signer: URLSigner, configuration: ServerConfiguration = ServerConfiguration(),
        webhookSecrets: WebhookSecrets? = nil, authenticator: APIKeyAuthenticator? = nil,
        rateLimiter: any RateLimiter = InMemoryRateLimiter(), clock: any WallClock = SystemWallClock(),
        workerProblem: @escaping @Sendable () -> String? = { nil }, deviceStatuses: (@Sendable () -> [DeviceStatus])? = nil,
        modelStatuses: @escaping @Sendable () -> [ModelStatus] = { [] }
    ) {
        self.deviceStatuses = deviceStatuses
        self.modelStatuses = modelStatuses
        access = AccessMiddleware(
            shedder: LoadShedder(limit: configuration.maxInFlight), authenticator: authenticator, limiter: rateLimiter,
            tiers: configuration.tiers, clock: clock
        )
        self.webhookSecrets = webhookSecrets
        self.store = store
        self.objects = objects
        self.signer = signer
        self.configuration = configuration
        self.workerProblem = workerProblem
    }

    /// The router with every route and the error middleware.
    public func buildRouter() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: APIErrorMiddleware())
        router.get("/healthz") { _, _ in Envelope.response(status: .ok, data: ["status": "up"]) }
        router.get("/readyz") { _, _ in try await readiness() }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: Self.openAPIDocument)))
        }
        let video = router.group("/api/v1/video").add(middleware: access)
        video.post("/generate") { request, context in try await submit(request, context: context) }
        video.get("/task/:id") { _, context in try await show(try taskID(context), userID: context.userID) }
        video.post("/task/:id/cancel") { _, context in try await cancel(try taskID(context), userID: context.userID) }
        video.get("/task/:id/content") { request, context in try await content(try taskID(context), userID: context.userID, request: request) }
        video.get("/task/:id/events") { request, context in try await events(try taskID(context), userID: context.userID, request: request) }
        video.get("/tasks") { request, context in try await list(request, userID: context.userID) }
        router.group("/api/v1/webhooks").add(middleware: access).get("/secret") { _, context in try webhookSecret(userID: context.userID) }
        router.group("/api/v1/admin").add(middleware: access).get("/devices") { _, context in try await devices(context: context) }
        router.group("/api/v1/models").add(middleware: access).get { _, _ in ModelRoutes.list(configuration.models) }
        router.get("/api/v1/objects/**") { request, context in try await signedObject(request, context: context) }
        return router
    }

    /// The OpenAPI 3.1 description of this API (`Sources/VideoGenXServer/Resources/openapi.yaml`).
    static let openAPIDocument: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = try? Data(contentsOf: url) else {
            return Data("openapi: 3.1.0\ninfo: {title: VideoGenX API (document missing from the build), version: 0.0.0}\npaths: {}\n".utf8)
        }
        return data
    }()

    /// Whether `key` exists and lies under a task of `userID` (the same answer for someone
    /// else's task and a missing one, so keys of other users cannot be probed).
    private func ownsResult(_ key: String, taskID: String, userID: String) async throws -> Bool {
        guard let id = TaskID(rawValue: taskID), let task = try await store.get(id), task.userID == userID,
              let objectKey = try? ObjectKey(key)
        else { return false }
        return try await objects.head(objectKey) != nil
    }

    // MARK: - Routes

    private func submit(_ request: Request, context: APIRequestContext) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let (body, typeIssues) = try GenerateBody.parse(Data(buffer.readableBytesView))
        var issues = typeIssues
        var spec: GenerationSpec?
        do {
            spec = try body.request.validated(limits: configuration.limits)
        } catch {
            issues += error.issues.filter { issue in !typeIssues.contains { $0.field == issue.field } }
        }
        let params = body.request.params
        let fetched = [
            ("image", body.request.image), ("params.watermark.image", params.watermark?.image),
            ("params.background_music.url", params.backgroundMusic?.url),
        ]
        let urlGuard = URLGuard(allowlist: configuration.urlAllowlist)
        for (field, value) in fetched {
            // The fetch itself re-checks; this refuses a private address at submit time with a 400.
            if let value, value.lowercased().hasPrefix("http"), !issues.contains(where: { $0.field == field }),
               let problem = await urlGuard.problem(with: value)
            {
                issues.append(FieldIssue(field: field, reason: problem))
            }
            if let value, case .objectKey(let key, let taskID)? = AssetReference(value),
               try await !ownsResult(key, taskID: taskID, userID: context.userID)
            {
                issues.append(FieldIssue(field: field, reason: "is not an object of one of your tasks"))
            }
        }
        if let callback = body.callbackURL, !issues.contains(where: { $0.field == "callback_url" }) {
            if webhookSecrets == nil {
                issues.append(FieldIssue(field: "callback_url", reason: "callbacks are not enabled on this server"))
            } else if let problem = await urlGuard.problem(with: callback) {
                issues.append(FieldIssue(field: "callback_url", reason: problem))
            }
        }
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let key, !(1...255).contains(key.count) {
            issues.append(FieldIssue(field: "header.Idempotency-Key", reason: "must be 1–255 characters, got \(key.count)"))
        }
        guard issues.isEmpty, let spec else { throw APIError.invalid(issues) }
        try await admit(spec, priority: body.priority, identity: context.identity)
        let wait = try Self.preferredWait(request.headers[HTTPField.Name("Prefer")!])
        let (task, _) = try await store.create(NewTask(
            userID: context.userID, request: spec, priority: body.priority, idempotencyKey: key, callbackURL: body.callbackURL,
            tier: context.identity.tier
        ))
        if let wait, let finished = try await waitForEnd(of: task.id, seconds: wait) {
            return Envelope.response(status: .ok, message: "finished", data: try await view(finished))
        }
        let estimate = try await estimatedSeconds(for: task)
        return Envelope.response(status: .accepted, message: "accepted", data: Accepted(
            taskID: task.id.rawValue, status: task.status.apiName, estimatedTime: estimate,
            queryURL: "/api/v1/video/task/\(task.id.rawValue)"
        ))
    }

    private func events(_ id: TaskID, userID: String, request: Request) async throws -> Response {
        let task = try await ownTask(id, userID: userID)
        let lastEventID = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int64($0) }
        let stream = TaskEventStream(store: store, view: { try await view($0) })
        return stream.response(for: task, lastEventID: lastEventID)
    }

    private func show(_ id: TaskID, userID: String) async throws -> Response {
        let task = try await ownTask(id, userID: userID)
        return Envelope.response(status: .ok, data: try await view(task))
    }

    private func cancel(_ id: TaskID, userID: String) async throws -> Response {
        do {
            let task = try await store.cancel(id, userID: userID)
            return Envelope.response(status: .ok, message: task.status == .cancelled ? "cancelled" : "cancel requested", data: try await view(task))
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.taskNotFound(id.rawValue)
        } catch let error as StoreError where error.code == .illegalTransition {
            throw APIError(.conflict, code: "already_finished", message: error.message)
        }
    }

    private func list(_ request: Request, userID: String) async throws -> Response {
        var issues: [FieldIssue] = []
        let query = request.uri.queryParameters
        var status: TaskStatus?
        if let raw = query.get("status") {
            status = raw == "pending" ? .queued : TaskStatus(rawValue: raw)
            if status == nil || status == .initialized {
                issues.append(FieldIssue(field: "query.status", reason: "must be one of pending, processing, succeeded, failed, cancelled, got '\(raw)'"))
            }
        }
        var limit = 20
        if let raw = query.get("limit") {
            if let value = Int(raw), (1...configuration.maxPageSize).contains(value) {
                limit = value
            } else {
                issues.append(FieldIssue(field: "query.limit", reason: "must be 1–\(configuration.maxPageSize), got '\(raw)'"))
            }
        }
        var cursor: TaskID?
        if let raw = query.get("cursor") {
            cursor = TaskID(rawValue: raw)
            if cursor == nil { issues.append(FieldIssue(field: "query.cursor", reason: "is not a cursor this API returned")) }
        }
        guard issues.isEmpty else { throw APIError.invalid(issues) }
        let page = try await store.list(userID: userID, status: status, limit: limit, after: cursor)
        var views: [TaskView] = []
        for task in page.tasks {
            views.append(try await view(task))
        }
        return Envelope.response(status: .ok, data: Page(tasks: views, nextCursor: page.nextCursor?.rawValue))
    }

    private func content(_ id: TaskID, userID: String, request: Request) async throws -> Response {
        let task = try await ownTask(id, userID: userID)
        guard task.status == .succeeded, let result = task.result, let key = try? ObjectKey(result.videoKey) else {
            throw APIError(.conflict, code: "not_ready", message: "task \(id) is \(task.status.apiName); its video exists once it has succeeded")
        }
        if let expiredAt = result.expiredAt {
            throw APIError(.gone, code: "expired", message: "task \(id)'s video was deleted by retention at \(TaskView.timestamp(expiredAt))")
        }
        if objects.servesDownloadsDirectly {
            // The bytes come from the bucket (or its CDN), not through the API: a fresh URL each time.
            let url = try objects.presignedGet(key, expiresIn: configuration.urlExpirySeconds)
            return Response(status: .found, headers: [.location: url.absoluteString, .cacheControl: "no-store"])
        }
        return try await serve(key, request: request)
    }

    private func signedObject(_ request: Request, context: APIRequestContext) async throws -> Response {
        let path = request.uri.path
        let query = request.uri.queryParameters
        do {
            try signer.verify(path: path, expires: query.get("expires"), signature: query.get("signature"), now: Date())
        } catch {
            throw APIError(.forbidden, code: error.code.rawValue, message: error.message)
        }
        let keyText = context.parameters.getCatchAll().joined(separator: "/")
        guard let key = try? ObjectKey(keyText) else { throw APIError(.notFound, code: "not_found", message: "no such object") }
        return try await serve(key, request: request)
    }

    /// Tier features (403), the caller's pending cap (429; admins are exempt) and the queue-depth
    /// cap (503).
    private func admit(_ spec: GenerationSpec, priority: TaskPriority, identity: Identity) async throws {
        let refusals = configuration.policy(for: identity.tier).refusals(for: spec, priority: priority, tier: identity.tier)
        guard refusals.isEmpty else {
            throw APIError(.forbidden, code: "forbidden_by_tier", message: refusals.map(\.description).joined(separator: "; "), errors: refusals)
        }
        let pending = identity.tier == .admin ? 0 : try await store.queuedCount(userID: identity.userID)
        guard pending < configuration.maxPendingPerUser else {
            throw APIError(
                .tooManyRequests, code: "too_many_pending",
                message: "you have \(pending) tasks pending, the most allowed at once is \(configuration.maxPendingPerUser); wait for some to start",
                headers: [.retryAfter: "10"]
            )
        }
        let depth = try await store.queuedCount(userID: nil)
        guard depth < configuration.maxQueueDepth else {
            throw APIError(.serviceUnavailable, code: "queue_full", message: "the queue is full (\(depth) tasks); retry later", headers: [.retryAfter: "30"])
        }
    }

    /// The caller's webhook secret (`whsec_…`), to verify `webhook-signature` with.
    /// `GET /api/v1/admin/devices`: the worker's devices and the queue depth, admin tier only.
    private func devices(context: APIRequestContext) async throws -> Response {
        guard context.identity.tier == .admin else {
            throw APIError(.forbidden, code: "forbidden_by_tier", message: "the admin routes need an admin key, not a \(context.identity.tier.rawValue) one")
        }
        guard let deviceStatuses else {
            throw APIError(.notFound, code: "not_found", message: "this server runs no worker, so it has no devices")
        }
        struct DevicesView: Encodable {
            var devices: [DeviceStatus]
            var models: [ModelStatus]
            var queuedTasks: Int
            enum CodingKeys: String, CodingKey { case devices, models, queuedTasks = "queued_tasks" }
        }
        let queued = try await store.queuedCount(userID: nil)
        return Envelope.response(status: .ok, data: DevicesView(devices: deviceStatuses(), models: modelStatuses(), queuedTasks: queued))
    }

    private func webhookSecret(userID: String) throws -> Response {
        guard let webhookSecrets else {
            throw APIError(.notFound, code: "not_found", message: "callbacks are not enabled on this server")
        }
        return Envelope.response(status: .ok, data: ["secret": webhookSecrets.signer(for: userID).encoded, "scheme": "standard-webhooks-v1"])
    }

    private func readiness() async throws -> Response {
        await VideoGenXServer.readiness(store: store, objects: objects, workerProblem: workerProblem)
    }

    // MARK: - Helpers

    /// `Prefer: wait=N` (RFC 7240), N 0–60 seconds; `nil` without it.
    /// - Throws: ``APIError`` 400 for a malformed or too long wait.
    static func preferredWait(_ header: String?) throws -> Double? {
        guard let header else { return nil }
        for preference in header.split(separator: ",") {
            let parts = preference.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "wait" else { continue }
            guard let seconds = Double(parts[1].trimmingCharacters(in: .whitespaces)), (0...60).contains(seconds) else {
                throw APIError.invalid([FieldIssue(field: "header.Prefer", reason: "wait must be 0–60 seconds, got '\(parts[1])'")])
            }
            return seconds
        }
        return nil
    }

    /// The task once it is terminal, polling every 250 ms for up to `seconds`; `nil` on time-out.
    private func waitForEnd(of id: TaskID, seconds: Double) async throws -> TaskRecord? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while true {
            if let task = try await store.get(id), task.status.isTerminal { return task }
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    private func taskID(_ context: APIRequestContext) throws -> TaskID {
        let raw = context.parameters.get("id") ?? ""
        guard let id = TaskID(rawValue: raw) else { throw APIError.taskNotFound(raw) }
        return id
    }

    /// The caller's task; another user's task is reported exactly like a missing one.
    private func ownTask(_ id: TaskID, userID: String) async throws -> TaskRecord {
        guard let task = try await store.get(id), task.userID == userID else { throw APIError.taskNotFound(id.rawValue) }
        return task
    }

    private func view(_ task: TaskRecord) async throws -> TaskView {
        try await presenter.view(task)
    }

    /// Streams an object, honouring a single `Range`; 416 when the range misses the object.
    private func serve(_ key: ObjectKey, request: Request) async throws -> Response {
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

    /// Seconds until `task` is likely done: the 720P-frame-equivalents of it and of the tasks
    /// queued ahead, times the seconds per unit measured on recent completions (0.05 s, measured
    /// for 720P on this machine kind, until there is history).
    private func estimatedSeconds(for task: TaskRecord) async throws -> Int {
        let ahead = try await store.queuePosition(of: task.id) ?? 0
        let recent = try await store.recentCompletions(limit: 20)
        var seconds = 0.0
        var units = 0.0
        for done in recent {
            guard let started = done.startedAt, let finished = done.finishedAt else { continue }
            seconds += finished.timeIntervalSince(started)
            units += Self.units(done.request)
        }
        let rate = units > 0 ? seconds / units : 0.05
        return Int((Double(ahead + 1) * Self.units(task.request) * rate).rounded(.up))
    }

    /// Work of a request in 720P-frame-equivalents.
    static func units(_ spec: GenerationSpec) -> Double {
        Double(spec.frameCount) * Double(spec.resolution.width * spec.resolution.height) / (1280 * 720)
    }

    private struct Accepted: Encodable, Sendable {
        var taskID: String
        var status: String
        var estimatedTime: Int
        var queryURL: String
        enum CodingKeys: String, CodingKey {
            case taskID = "task_id", status, estimatedTime = "estimated_time", queryURL = "query_url"
        }
    }

    private struct Page: Encodable, Sendable {
        var tasks: [TaskView]
        var nextCursor: String?
        enum CodingKeys: String, CodingKey {
            case tasks, nextCursor = "next_cursor"
        }
    }
}
