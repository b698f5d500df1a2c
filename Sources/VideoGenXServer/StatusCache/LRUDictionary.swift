/// A dictionary of at most `capacity` entries that forgets the least recently used one to make
/// room: lookups and inserts are O(1) (a hash map of keys to slots of a doubly linked list kept in an array).
/// Hand-written: swift-collections' `OrderedDictionary` removes from the middle in O(n).
struct LRUDictionary<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var newer: Int?
        var older: Int?
    }

    /// The most entries kept.
    let capacity: Int
    private var slots: [Node?] = []
    private var index: [Key: Int] = [:]
    private var newest: Int?
    private var oldest: Int?
    private var freeSlots: [Int] = []

    /// An empty dictionary keeping at most `capacity` (≥ 1) entries.
    init(capacity: Int) {
        precondition(capacity >= 1, "an LRU dictionary keeps at least one entry")
        self.capacity = capacity
    }

    /// Entries held.
    var count: Int { index.count }

    /// The value for `key`, marking it most recently used.
    mutating func value(for key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        touch(slot)
        return slots[slot]?.value
    }

    /// Sets `value` for `key` as the most recently used entry, forgetting the least recently
    /// used one when full.
    mutating func set(_ value: Value, for key: Key) {
        if let slot = index[key] {
            slots[slot]?.value = value
            touch(slot)
            return
        }
        if index.count >= capacity, let victim = oldest, let node = slots[victim] {
            remove(node.key)
        }
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = slots.count
            slots.append(nil)
        }
        slots[slot] = Node(key: key, value: value, newer: nil, older: newest)
        if let newest { slots[newest]?.newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
        index[key] = slot
    }

    /// Forgets `key`; nothing when absent.
    mutating func remove(_ key: Key) {
        guard let slot = index.removeValue(forKey: key) else { return }
        unlink(slot)
        slots[slot] = nil
        freeSlots.append(slot)
    }

    private mutating func touch(_ slot: Int) {
        guard newest != slot, let node = slots[slot] else { return }
        unlink(slot)
        slots[slot] = Node(key: node.key, value: node.value, newer: nil, older: newest)
        if let newest { slots[newest]?.newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        guard let node = slots[slot] else { return }
        if let newer = node.newer { slots[newer]?.older = node.older } else { newest = node.older }
        if let older = node.older { slots[older]?.newer = node.newer } else { oldest = node.newer }
        slots[slot]?.newer = nil
        slots[slot]?.older = nil
    }
}
