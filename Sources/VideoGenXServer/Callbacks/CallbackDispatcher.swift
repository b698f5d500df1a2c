import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Tracing
import VideoGenXCore
import VideoGenXObjects
import VideoGenXStore

/// Delivers the callback outbox (a `Service`): takes due deliveries from the store, POSTs each
/// task's terminal state to its `callback_url`, signed with the owner's secret per Standard
/// Webhooks, and records the outcome — delivered on 2xx, otherwise retried with backoff within
/// the retry window (``CallbackRetryPolicy``), always with the same `webhook-id`.
///
/// Every attempt re-checks the URL with ``URLGuard`` (DNS may have changed since submission)
/// and follows no redirects. On graceful shutdown it stops; an attempt cut short is made again
/// after its claim expires (at-least-once).
public struct CallbackDispatcher<Store: TaskStore & CallbackOutbox>: Service {
    let store: Store
    let presenter: TaskPresenter
    let secrets: WebhookSecrets
    let urlGuard: URLGuard
    let configuration: CallbackConfiguration
    let clock: any WallClock
    let logger: Logger
    /// Source of jitter in 0…1 for backoff.
    let jitterUnit: @Sendable () -> Double

    /// Creates a dispatcher.
    ///
    /// - Parameters:
    ///   - urlExpirySeconds: lifetime of the result URLs in the payload. Default 1,800 s.
    ///   - urlAllowlist: hosts that may resolve to private addresses (as for the API).
    ///   - clock: time source. Default the system clock.
    public init(
        store: Store, objects: any ObjectStore, secrets: WebhookSecrets, configuration: CallbackConfiguration = CallbackConfiguration(),
        urlExpirySeconds: Double = 1800, urlAllowlist: [String] = [], clock: any WallClock = SystemWallClock(), logger: Logger,
        jitterUnit: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
        resolver: @escaping URLGuard.Resolver = { await URLGuard.resolve($0) }
    ) {
        self.store = store
        presenter = TaskPresenter(store: store, objects: objects, urlExpirySeconds: urlExpirySeconds)
        self.secrets = secrets
        urlGuard = URLGuard(allowlist: urlAllowlist, resolver: resolver)
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.jitterUnit = jitterUnit
    }

    /// Runs until cancelled or shut down gracefully.
    public func run() async throws {
        let client = makeClient(dnsOverride: [:])
        do {
            try await cancelWhenGracefulShutdown { try await dispatchLoop(client) }
        } catch is CancellationError {
            // Shutting down.
        }
        try await client.shutdown()
    }

    /// A client that follows no redirects, with the configured timeouts, connecting through `dnsOverride`.
    private func makeClient(dnsOverride: [String: String]) -> HTTPClient {
        let timeout = TimeAmount.milliseconds(Int64(configuration.timeoutSeconds * 1000))
        var settings = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: timeout, read: timeout))
        settings.dnsOverride = dnsOverride
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
    }

    private func dispatchLoop(_ client: HTTPClient) async throws {
        // A claim outlives the slowest attempt, so no second dispatcher takes it meanwhile.
        let claimSeconds = configuration.timeoutSeconds * 2 + 30
        while !Task.isCancelled {
            let due: [CallbackDelivery]
            do {
                due = try await store.claimDueCallbacks(now: clock.now(), limit: configuration.concurrency, leaseSeconds: claimSeconds)
            } catch is CancellationError {
                return
            } catch {
                logger.error("callback claim failed", metadata: ["error": "\(error)"])
                due = []
            }
            await withDiscardingTaskGroup { group in
                for delivery in due {
                    group.addTask { await deliver(delivery, client: client) }
                }
            }
            if due.count < configuration.concurrency {
                try await Task.sleep(for: .seconds(configuration.pollSeconds))
            }
        }
    }

    /// Makes one attempt and records its outcome.
    func deliver(_ delivery: CallbackDelivery, client: HTTPClient) async {
        var logger = self.logger
        logger[metadataKey: "task.id"] = "\(delivery.taskID)"
        logger[metadataKey: "webhook.id"] = "\(delivery.id)"
        logger[metadataKey: "webhook.attempt"] = "\(delivery.attempts)"
        let outcome = await attempt(delivery, client: client)
        switch outcome {
        case .delivered(let status):
            logger.info("callback delivered", metadata: ["http.status": "\(status)"])
        case .retry(let status, let error, let retryAt):
            logger.warning("callback failed; will retry", metadata: [
                "http.status": "\(status.map(String.init) ?? "-")", "error": "\(error)", "webhook.retry_at": "\(retryAt)",
            ])
        case .abandon(let status, let error):
            logger.error("callback abandoned", metadata: ["http.status": "\(status.map(String.init) ?? "-")", "error": "\(error)"])
        }
        do {
            try await store.recordCallbackAttempt(delivery.id, outcome: outcome, at: clock.now())
        } catch {
            logger.error("recording a callback attempt failed; it will be retried", metadata: ["error": "\(error)"])
        }
    }

    private func attempt(_ delivery: CallbackDelivery, client: HTTPClient) async -> CallbackAttemptOutcome {
        let pins: [String: String]
        switch await urlGuard.verdict(for: delivery.url) {
        case .refused(let problem): return .abandon(status: nil, error: "callback_url refused: \(problem)")
        case .allowed(let checked): pins = checked
        }
        let body: Data
        let task: TaskRecord
        do {
            guard let found = try await store.get(delivery.taskID) else {
                return .abandon(status: nil, error: "the task no longer exists")
            }
            task = found
            let payload = WebhookPayload(type: delivery.event, timestamp: TaskView.timestamp(clock.now()), data: try await presenter.view(task))
            body = try Envelope.encoder.encode(payload)
        } catch {
            return failure(delivery, status: nil, error: "rendering the payload failed: \(error)")
        }
        // The POST is a client span in the trace of the request that submitted the task; the
        // receiver gets its `traceparent`.
        let span = startSpan("callback.post", context: task.traceParentContext, ofKind: .client)
        span.attributes["videogenx.task.id"] = task.id.rawValue
        span.attributes["videogenx.webhook.attempt"] = delivery.attempts
        defer { span.end() }
        let timestamp = Int64(clock.now().timeIntervalSince1970)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "VideoGenX-Webhooks/1")
        request.headers.add(name: "webhook-id", value: delivery.id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature", value: secrets.signer(for: delivery.userID).signature(id: delivery.id, timestamp: timestamp, body: body)
        )
        for (name, value) in TaskTraceContext.headers(of: span.context) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        // A receiver reached by name gets a client pinned to the address the guard checked.
        let pinned = pins.isEmpty ? nil : makeClient(dnsOverride: pins)
        let outcome = await post(request, with: pinned ?? client, delivery: delivery, span: span)
        try? await pinned?.shutdown()
        return outcome
    }

    /// Sends the signed POST and turns the answer into an outcome.
    private func post(_ request: HTTPClientRequest, with client: HTTPClient, delivery: CallbackDelivery, span: any Span) async -> CallbackAttemptOutcome {
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(configuration.timeoutSeconds * 1000)))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            span.attributes["http.response.status_code"] = status
            if (200..<300).contains(status) {
                return .delivered(status: status)
            }
            if status == 410 {
                return .abandon(status: status, error: "the receiver answered 410 Gone")
            }
            return failure(delivery, status: status, error: "the receiver answered \(status)")
        } catch {
            return failure(delivery, status: nil, error: "\(error)")
        }
    }

    /// A failed attempt: retry at the policy's next time, or give up when the window closed.
    private func failure(_ delivery: CallbackDelivery, status: Int?, error: String) -> CallbackAttemptOutcome {
        let now = clock.now()
        guard let next = configuration.retry.nextAttempt(
            afterFailures: delivery.attempts, createdAt: delivery.createdAt, now: now, unit: jitterUnit()
        ) else {
            return .abandon(status: status, error: "\(error); retry window of \(Int(configuration.retry.windowSeconds)) s closed")
        }
        return .retry(status: status, error: error, retryAt: next)
    }
}

extension CallbackDispatcher: CustomStringConvertible {
    /// `CallbackDispatcher`, for service-lifecycle logs (never the secrets).
    public var description: String { "CallbackDispatcher" }
}
