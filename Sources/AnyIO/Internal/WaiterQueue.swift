//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A FIFO queue of suspended callers, with removal by id for cancellation.
///
/// Appending and popping are O(1) amortised; removing by id (a cancelled waiter) is a linear
/// search that leaves a hole, skipped by `popFirst` and reclaimed when the queue compacts.
/// Used inside state machines, so it has no locks of its own.
struct WaiterQueue<Waiter> {
    private var slots: [(id: WaiterID, waiter: Waiter)?] = []
    /// Index of the first slot that may hold a waiter; the slots before it are spent.
    private var head = 0
    /// The number of waiters (slots that are not holes).
    private(set) var count = 0

    init() {}

    var isEmpty: Bool { count == 0 }

    mutating func append(_ id: WaiterID, _ waiter: Waiter) {
        slots.append((id, waiter))
        count += 1
    }

    /// Removes and returns the waiter that has waited longest.
    mutating func popFirst() -> (id: WaiterID, waiter: Waiter)? {
        while head < slots.count {
            let slot = slots[head]
            slots[head] = nil
            head += 1
            if let slot {
                count -= 1
                compactIfWorthIt()
                return slot
            }
        }
        return nil
    }

    /// The waiter that has waited longest, without removing it.
    var first: (id: WaiterID, waiter: Waiter)? {
        var index = head
        while index < slots.count {
            if let slot = slots[index] { return slot }
            index += 1
        }
        return nil
    }

    /// Removes the waiter with `id`, if it is queued.
    mutating func remove(_ id: WaiterID) -> Waiter? {
        var index = head
        while index < slots.count {
            if let slot = slots[index], slot.id == id {
                slots[index] = nil
                count -= 1
                compactIfWorthIt()
                return slot.waiter
            }
            index += 1
        }
        return nil
    }

    /// Replaces the waiter with `id` in place (keeping its position); false if it is not queued.
    mutating func replace(_ id: WaiterID, with waiter: Waiter) -> Bool {
        var index = head
        while index < slots.count {
            if let slot = slots[index], slot.id == id {
                slots[index] = (id, waiter)
                return true
            }
            index += 1
        }
        return false
    }

    /// Whether the waiter with `id` is queued.
    func contains(_ id: WaiterID) -> Bool {
        slots[head...].contains { $0?.id == id }
    }

    /// Removes every waiter, in FIFO order.
    mutating func removeAll() -> [Waiter] {
        let waiters = slots[head...].compactMap { $0?.waiter }
        slots.removeAll(keepingCapacity: true)
        head = 0
        count = 0
        return waiters
    }

    private mutating func compactIfWorthIt() {
        if count == 0 {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32 && head * 2 >= slots.count {
            slots.removeFirst(head)
            head = 0
        }
    }
}
