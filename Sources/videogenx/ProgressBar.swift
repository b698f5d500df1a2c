import Foundation
import Synchronization
import VideoGenXCore
import VideoGenXPlatform

/// A one-line progress bar on stderr: sampler step, frames encoded, elapsed time and ETA.
/// Redrawn in place (at most 10 times a second) on a terminal; one line per 10 % otherwise.
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var lastDecile = -1
        var drewInPlace = false
    }

    private let enabled: Bool
    private let interactive: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    /// A bar that draws when `enabled`.
    init(enabled: Bool) {
        self.enabled = enabled
        interactive = isatty(STDERR_FILENO) == 1
    }

    /// Draws `progress` if enough time has passed since the last draw.
    func update(_ progress: RenderProgress) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let line = render(progress, elapsed: (now - started).seconds)
        state.withLock { state in
            if interactive {
                if let last = state.lastDraw, now - last < .milliseconds(100) { return }
                state.lastDraw = now
                state.drewInPlace = true
                FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            } else {
                let decile = Int(progress.fraction * 10)
                guard decile > state.lastDecile else { return }
                state.lastDecile = decile
                FileHandle.standardError.write(Data("\(line)\n".utf8))
            }
        }
    }

    /// Ends the in-place line so later output starts on a fresh one.
    func finish() {
        state.withLock { state in
            if state.drewInPlace {
                FileHandle.standardError.write(Data("\n".utf8))
                state.drewInPlace = false
            }
        }
    }

    private func render(_ p: RenderProgress, elapsed: Double) -> String {
        let width = 24
        let fraction = p.fraction
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let eta = fraction > 0.01 ? Self.clock(elapsed * (1 - fraction) / fraction) : "--:--"
        return String(
            format: "[%@] %3d%% window %d/%d step %d/%d | frames %d/%d | %@ elapsed | ETA %@",
            bar, Int(fraction * 100), min(p.window + 1, p.windowCount), p.windowCount, p.step, p.steps,
            p.framesEncoded, p.totalFrames, Self.clock(elapsed), eta
        )
    }

    private static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%02d:%02d", s / 60, s % 60)
    }
}
