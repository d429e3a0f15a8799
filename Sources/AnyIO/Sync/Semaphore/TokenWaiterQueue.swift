//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A first-in, first-out queue of waiters that can also drop any waiter by id in O(1): the
/// queue that `Semaphore` and `CapacityLimiter` hand their permits and tokens out from.
///
/// A removed waiter leaves a hole (`nil`) in `slots`; holes at the front are skipped at once, and
/// the array is compacted once the skipped prefix is more than half of it, so every operation is
/// amortised O(1). Pure value type: the owner guards it with its lock.
struct TokenWaiterQueue<Element> {
    /// The waiters in arrival order. `nil` marks a waiter removed out of order.
    ///
    /// Invariant: every non-`nil` slot's id is in `positions`, and `positions.count` is the number
    /// of non-`nil` slots.
    private var slots: [(id: WaiterID, element: Element)?] = []
    /// Index in `slots` of the first slot that may hold a waiter: everything before it is `nil`.
    /// Advances on `popFirst` and when the front waiter is removed; reset by compaction.
    private var head = 0
    /// The sequence number (index plus `base`) of each waiter's slot, by id. Changes with every
    /// append and removal.
    private var positions: [WaiterID: Int] = [:]
    /// The sequence number of `slots[0]`. Grows when compaction drops the front of `slots`, so
    /// the numbers in `positions` never need rewriting.
    private var base = 0

    init() {}

    /// The number of waiters in the queue.
    var count: Int { positions.count }

    /// Whether the queue holds no waiter.
    var isEmpty: Bool { positions.isEmpty }

    /// Whether the waiter with this id is in the queue.
    func contains(_ id: WaiterID) -> Bool {
        positions[id] != nil
    }

    /// The element of the waiter with this id, or `nil` if it is not in the queue.
    func element(for id: WaiterID) -> Element? {
        guard let sequence = positions[id] else { return nil }
        return slots[sequence - base]?.element
    }

    /// Adds a waiter at the back. The id must not be in the queue already.
    mutating func append(_ id: WaiterID, _ element: Element) {
        checkPrecondition(positions[id] == nil, "AnyIO: internal error: waiter \(id.rawValue) queued twice")
        positions[id] = base + slots.count
        slots.append((id, element))
    }

    /// Replaces the element of a queued waiter, keeping its place. Returns `false` if the id is not
    /// in the queue.
    @discardableResult
    mutating func replace(_ id: WaiterID, with element: Element) -> Bool {
        guard let sequence = positions[id] else { return false }
        slots[sequence - base] = (id, element)
        return true
    }

    /// Removes and returns the waiter at the front, or `nil` if the queue is empty.
    mutating func popFirst() -> (id: WaiterID, element: Element)? {
        guard !positions.isEmpty else { return nil }
        // Invariant: positions is non-empty, so a non-nil slot exists at or after `head`.
        let entry = slots[head]!
        slots[head] = nil
        positions[entry.id] = nil
        skipHolesAndCompact()
        return entry
    }

    /// Removes the waiter with this id wherever it is, returning its element, or `nil` if it is
    /// not in the queue.
    mutating func remove(_ id: WaiterID) -> Element? {
        guard let sequence = positions.removeValue(forKey: id) else { return nil }
        let index = sequence - base
        let element = slots[index]!.element
        slots[index] = nil
        if index == head { skipHolesAndCompact() }
        return element
    }

    /// The queued elements, front first (for statistics and tests).
    var elements: [Element] {
        slots[head...].compactMap { $0?.element }
    }

    /// Moves `head` past the holes at the front, and drops the front of `slots` once it is more
    /// than half the array (or everything, when the queue is empty).
    private mutating func skipHolesAndCompact() {
        if positions.isEmpty {
            base += slots.count
            slots.removeAll(keepingCapacity: true)
            head = 0
            return
        }
        while slots[head] == nil { head += 1 }
        if head >= 16 && head * 2 >= slots.count {
            slots.removeFirst(head)
            base += head
            head = 0
        }
    }
}
