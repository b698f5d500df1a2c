import Foundation
import HTTPTypes
import Hummingbird
import Tracing
import VideoGenXCore
import VideoGenXObjects
import VideoGenXStore

/// `/api/v1/video/…`: submit, show, list and cancel tasks, follow their events, fetch their
/// video. Every route acts on the caller's own tasks only; another user's task is reported
/// exactly like a missing one.
struct TaskRoutes {
    let store: any TaskStore
    let objects: any ObjectStore
    let configuration: ServerConfiguration
    let validator: SubmissionValidator
    let access: AccessMiddleware
    /// Where status reads come from first; `nil`: always the store.
    let statusCache: TaskStatusCache?
    /// Result URLs reused for up to half their life, beside the status cache (video + thumbnail per task).
    private let signedURLs: SignedURLCache?
    /// The rendering rate behind `estimated_time`, re-read at most once a second.
    private let completionRate = CompletionRate()
    /// Writes the `202` of an accepted submission.
    private let acceptedBody: AcceptedBody
    private var presenter: TaskPresenter {
        TaskPresenter(
            store: store, objects: objects, urlExpirySeconds: configuration.urlExpirySeconds, signedURLs: signedURLs, completionRate: completionRate
        )
    }

    init(
        store: any TaskStore, objects: any ObjectStore, configuration: ServerConfiguration, callbacksEnabled: Bool, access: AccessMiddleware,
        statusCache: TaskStatusCache? = nil
    ) {
        self.store = store
        self.statusCache = statusCache
        signedURLs = statusCache.map { SignedURLCache(lifetime: configuration.urlExpirySeconds, capacity: 2 * $0.capacity) }
        self.objects = objects
        self.configuration = configuration
        acceptedBody = AcceptedBody(publicBaseURL: configuration.publicBaseURL)
        self.access = access
        validator = SubmissionValidator(store: store, objects: objects, configuration: configuration, callbacksEnabled: callbacksEnabled)
    }

    /// The routes, for `router.addRoutes(_:atPath: "/api/v1/video")`.
    func collection() -> RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self).add(middleware: access)
        routes.post("/generate") { request, context in try await submit(request, context: context) }
        routes.get("/task/:id") { _, context in try await show(try taskID(context), userID: context.userID) }
        routes.post("/task/:id/cancel") { _, context in try await cancel(try taskID(context), userID: context.userID) }
        routes.get("/task/:id/content") { request, context in try await content(try taskID(context), userID: context.userID, request: request) }
        routes.get("/task/:id/events") { request, context in try await events(try taskID(context), userID: context.userID, request: request) }
        routes.get("/tasks") { request, context in try await list(request, userID: context.userID) }
        routes.get("/options") { [configuration] _, context in
            Envelope.response(status: .ok, data: SubmissionOptions(configuration: configuration, identity: context.identity))
        }
        return routes
    }

    /// Spans (under the request's): `submission.validate` (body, limits, URLs, admission) and
    /// `store.insert`; the request's `traceparent` is stored with the task for the worker's spans.
    private func submit(_ request: Request, context: APIRequestContext) async throws -> Response {
        let traceparent = TaskTraceContext.current()
        let admission = Admission(configuration: configuration)
        let submission = try await withSpan("submission.validate") { _ in
            let submission = try await validator.validate(request, context: context)
            try admission.admit(submission.spec, priority: submission.body.priority, identity: context.identity)
            return submission
        }
        let body = submission.body
        let wait = try TaskWaiter.preferredWait(request.headers[HTTPField.Name("Prefer")!])
        let (task, _, position) = try await withSpan("store.insert", ofKind: .client) { span in
            do {
                let made = try await store.createCountingAhead(NewTask(
                    userID: context.userID, request: submission.spec, priority: body.priority, idempotencyKey: submission.idempotencyKey,
                    callbackURL: body.callbackURL, traceContext: traceparent, tier: context.identity.tier,
                    maxPending: admission.cap(for: context.identity),
                    maxQueued: configuration.maxQueueDepth
                ))
                span.attributes["videogenx.task.id"] = made.task.id.rawValue
                return made
            } catch let error as StoreError {
                throw Admission.refusal(error) ?? error
            }
        }
        if let wait, let finished = try await TaskWaiter(store: store).waitForEnd(of: task.id, seconds: wait) {
            return Envelope.response(status: .ok, message: "finished", data: try await presenter.view(finished))
        }
        let estimate = try await TaskEstimate(store: store, rate: completionRate).seconds(for: task, ahead: position ?? 0)
        return Envelope.response(status: .accepted, json: acceptedBody.bytes(taskID: task.id, status: task.status, estimatedTime: estimate))
    }

    private func events(_ id: TaskID, userID: String, request: Request) async throws -> Response {
        let task = try await ownTask(id, userID: userID)
        let lastEventID = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int64($0) }
        let presenter = self.presenter
        let stream = TaskEventStream(store: store, view: { try await presenter.view($0) })
        return stream.response(for: task, lastEventID: lastEventID)
    }

    private func show(_ id: TaskID, userID: String) async throws -> Response {
        let task = try await own(id, userID: userID)
        let presenter = self.presenter
        guard let template = task.template else {
            return Envelope.response(status: .ok, data: try await presenter.view(task.record))
        }
        let video = try template.videoKey.map(presenter.sign)
        let thumbnail = try template.thumbnailKey.map(presenter.sign)
        let body = template.render(videoURL: video?.url, thumbnailURL: thumbnail?.url, expiresAt: TaskPresenter.expiry(video: video, thumbnail: thumbnail))
        return Envelope.response(status: .ok, json: body)
    }

    private func cancel(_ id: TaskID, userID: String) async throws -> Response {
        do {
            let task = try await store.cancel(id, userID: userID)
            // The caller reads its own write at once, before the store's event reaches the cache.
            statusCache?.invalidate(id)
            return Envelope.response(
                status: .ok, message: task.status == .cancelled ? "cancelled" : "cancel requested", data: try await presenter.view(task)
            )
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
            views.append(try await presenter.view(task))
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
        return try await ObjectResponse(objects: objects).serve(key, request: request)
    }

    private func taskID(_ context: APIRequestContext) throws -> TaskID {
        let raw = context.parameters.get("id") ?? ""
        guard let id = TaskID(rawValue: raw) else { throw APIError.taskNotFound(raw) }
        return id
    }

    /// The caller's task.
    private func ownTask(_ id: TaskID, userID: String) async throws -> TaskRecord {
        try await own(id, userID: userID).record
    }

    /// The caller's task with its response template, through the status cache when there is one
    /// (no template without it); another user's task is reported exactly like a missing one.
    private func own(_ id: TaskID, userID: String) async throws -> TaskStatusCache.CachedTask {
        let task = if let statusCache { try await statusCache.lookup(id) } else { try await store.get(id).map { TaskStatusCache.CachedTask(record: $0) } }
        guard let task, task.record.userID == userID else { throw APIError.taskNotFound(id.rawValue) }
        return task
    }

    private struct Page: Encodable, Sendable {
        var tasks: [TaskView]
        var nextCursor: String?
        enum CodingKeys: String, CodingKey {
            case tasks, nextCursor = "next_cursor"
        }
    }
}
