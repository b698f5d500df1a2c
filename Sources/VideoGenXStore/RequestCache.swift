import Synchronization
import VideoGenXCore

/// Decoded requests by task id. A task's request never changes after `create`, so a decoded copy
/// can be reused for every later read of the same task in this process; decoding its JSON was
/// the largest CPU cost of the lease path. Holds at most `capacity` entries, evicting the oldest.
package final class RequestCache: Sendable {
    private struct State {
        var entries: [String: GenerationSpec] = [:]
        var order: [String] = []
        var head = 0
    }

    /// Most entries kept. Default 4,096.
    package let capacity: Int
    private let state = Mutex(State())

    /// An empty cache of at most `capacity` entries.
    package init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
    }

    /// The cached request of task `id`, if any.
    package func request(for id: String) -> GenerationSpec? {
        state.withLock { $0.entries[id] }
    }

    /// Remembers the request of task `id`.
    package func remember(_ request: GenerationSpec, for id: String) {
        state.withLock { state in
            guard state.entries.updateValue(request, forKey: id) == nil else { return }
            state.order.append(id)
            if state.order.count - state.head > capacity {
                state.entries[state.order[state.head]] = nil
                state.head += 1
                if state.head > capacity {
                    state.order.removeFirst(state.head)
                    state.head = 0
                }
            }
        }
    }
}
