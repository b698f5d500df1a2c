import Synchronization
import Tracing
import VideoGenXCore
import VideoGenXInference
import VideoGenXStore

/// The spans of one render attempt of a task, continuing the trace of the request that
/// submitted it (``TaskRecord/traceParentContext``): `task.render` for the attempt, with
/// children `assets.fetch`, `model.acquire` (from the model cache), `sampling` (one per
/// latent window, a `sampler.step` event per step, its child `decode`: the window's frames), `encode`
/// (the post-processing ffmpeg), `upload` and `complete`. With tracing off every span is a no-op.
final class RenderTrace: Sendable {
    /// The attempt's span; its context is the parent of the stage spans.
    let attempt: any Span
    /// The window being sampled: its span and, once its frames are decoding, the `decode` span.
    private struct Window {
        var index: Int
        var span: any Span
        var decode: (any Span)?
        var frames = 0
        var decodeEnd: DefaultTracerClock.Instant?

        /// Ends the decode span (at the last chunk) and the window's.
        func close() {
            let end = decodeEnd ?? DefaultTracerClock.now
            if let decode {
                decode.attributes["videogenx.frames"] = frames
                decode.end(at: end)
            }
            span.end(at: end)
        }
    }

    private let window = Mutex<Window?>(nil)

    /// Starts the attempt's span for `task` on `device`.
    init(_ task: TaskRecord, device: String?) {
        attempt = startSpan("task.render", context: task.traceParentContext, ofKind: .consumer)
        attempt.attributes["videogenx.task.id"] = task.id.rawValue
        attempt.attributes["videogenx.task.attempt"] = task.attempt
        attempt.attributes["videogenx.model"] = task.model
        if let device { attempt.attributes["videogenx.device"] = device }
    }

    /// Runs `body` under a child span of the attempt called `name`.
    func stage<Result: Sendable>(_ name: String, _ body: (any Span) async throws -> Result) async throws -> Result {
        try await withSpan(name, context: attempt.context) { span in try await body(span) }
    }

    /// Records a sampler step of the window `before` describes (the progress before the step):
    /// closes the previous window, opens this one's `sampling` span on its first step and adds a
    /// `sampler.step` event.
    func stepped(from before: SamplingProgress) {
        window.withLock { open in
            if open?.index != before.window {
                open?.close()
                let span = startSpan("sampling", context: attempt.context)
                span.attributes["videogenx.window"] = before.window
                span.attributes["videogenx.windows"] = before.windowCount
                open = Window(index: before.window, span: span)
            }
            open?.span.addEvent(SpanEvent(name: "sampler.step", attributes: ["videogenx.step": .int64(Int64(before.step + 1))]))
        }
    }

    /// A chunk of `frames` frames of the window was decoded between `start` and now: the window's
    /// `decode` span starts at its first chunk and ends at its last.
    func decoded(since start: DefaultTracerClock.Instant, frames: Int) {
        window.withLock { open in
            guard open != nil else {
                let decode = startSpan("decode", context: attempt.context, at: start)
                decode.attributes["videogenx.frames"] = frames
                decode.end()
                return
            }
            if open?.decode == nil, let parent = open?.span.context {
                open?.decode = startSpan("decode", context: parent, at: start)
            }
            open?.frames += frames
            open?.decodeEnd = DefaultTracerClock.now
        }
    }

    /// Ends the attempt (and an open window), recording `error` when it failed.
    func end(error: (any Error)? = nil) {
        window.withLock { open in
            open?.close()
            open = nil
        }
        if let error {
            attempt.recordError(error)
            attempt.setStatus(SpanStatus(code: .error))
        }
        attempt.end()
    }
}
