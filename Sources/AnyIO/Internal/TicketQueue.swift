//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Names one entry of a ``TicketQueue``: the entry's slot and a serial number that no other
/// entry of the same queue ever had, so a ticket whose entry has left is recognised as stale.
@usableFromInline
package struct QueueTicket: Hashable, Sendable, CustomStringConvertible {
    /// The slot in the queue's node array.
    @usableFromInline let index: Int
    /// Unique per queue (never reused), so a slot reused by a later entry does not match.
    @usableFromInline let serial: UInt64

    @inlinable
    init(index: Int, serial: UInt64) {
        self.index = index
        self.serial = serial
    }

    @usableFromInline
    package var description: String { "#\(serial)" }
}

/// A FIFO queue whose entries can also be removed from the middle in O(1), by ticket.
///
/// Suspended callers of a primitive wait here in arrival order; a cancelled caller removes
/// itself with the ticket it got on entry. The entries form a doubly linked list threaded
/// through one array of nodes, with a free list for reuse, so nothing is allocated per entry
/// once the array has grown to the peak number of simultaneous entries. Every operation is O(1)
/// (amortised for `append`).
///
/// `@usableFromInline`/`@inlinable` because the memory object stream's hot path is inlinable (so
/// that it is specialised for the element type in the client); not API.
@usableFromInline
struct TicketQueue<Value> {
    @usableFromInline
    struct Node {
        /// The ticket serial of the entry in this slot; 0 while the slot is free.
        @usableFromInline var serial: UInt64
        /// The previous entry (towards the front), or -1. Unused while free.
        @usableFromInline var previous: Int
        /// The next entry (towards the back), or -1; while free, the next free slot, or -1.
        @usableFromInline var next: Int
        /// The entry's value; `nil` while free.
        @usableFromInline var value: Value?

        @inlinable
        init(serial: UInt64, previous: Int, next: Int, value: Value?) {
            self.serial = serial
            self.previous = previous
            self.next = next
            self.value = value
        }
    }

    /// Every slot ever used; free ones are chained through `next` from `freeHead`.
    @usableFromInline var nodes: ContiguousArray<Node> = []
    /// The first free slot, or -1.
    @usableFromInline var freeHead = -1
    /// The front entry, or -1 when empty.
    @usableFromInline var head = -1
    /// The back entry, or -1 when empty.
    @usableFromInline var tail = -1
    /// The serial the next entry gets; starts at 1 because 0 marks a free slot.
    @usableFromInline var nextSerial: UInt64 = 1
    /// The number of entries.
    @usableFromInline var count = 0

    // Invariant: the entries reachable from `head` through `next` are exactly the slots with a
    // non-zero serial, in FIFO order, `count` of them; `tail` is the last of them.

    @inlinable
    init() {}

    @inlinable
    var isEmpty: Bool { count == 0 }

    /// The ticket of the front entry, or `nil` when empty.
    @inlinable
    var firstTicket: QueueTicket? {
        head < 0 ? nil : QueueTicket(index: head, serial: nodes[head].serial)
    }

    /// The value of the front entry, or `nil` when empty.
    var first: Value? { head < 0 ? nil : nodes[head].value }

    /// Whether `ticket` names an entry that is still in the queue.
    @inlinable
    func contains(_ ticket: QueueTicket) -> Bool {
        ticket.index < nodes.count && nodes[ticket.index].serial == ticket.serial
    }

    /// Adds `value` at the back and returns its ticket.
    @inlinable
    mutating func append(_ value: Value) -> QueueTicket {
        let index: Int
        if freeHead >= 0 {
            index = freeHead
            freeHead = nodes[index].next
        } else {
            index = nodes.count
            nodes.append(Node(serial: 0, previous: -1, next: -1, value: nil))
        }
        let serial = nextSerial
        nextSerial &+= 1
        nodes[index].serial = serial
        nodes[index].previous = tail
        nodes[index].next = -1
        nodes[index].value = value
        if tail >= 0 { nodes[tail].next = index } else { head = index }
        tail = index
        count &+= 1
        return QueueTicket(index: index, serial: serial)
    }

    /// Removes the front entry and returns it, or `nil` when empty.
    @inlinable
    mutating func popFirst() -> (ticket: QueueTicket, value: Value)? {
        guard head >= 0 else { return nil }
        let ticket = QueueTicket(index: head, serial: nodes[head].serial)
        return (ticket, removeEntry(at: head))
    }

    /// Removes the entry `ticket` names and returns its value, or `nil` if it has already left.
    @inlinable
    mutating func remove(_ ticket: QueueTicket) -> Value? {
        guard contains(ticket) else { return nil }
        return removeEntry(at: ticket.index)
    }

    /// Runs `body` on the value of the entry `ticket` names, in place; `nil` if it has left.
    @inlinable
    mutating func update<R>(_ ticket: QueueTicket, _ body: (inout Value) -> R) -> R? {
        guard contains(ticket) else { return nil }
        return body(&nodes[ticket.index].value!)
    }

    /// The values front to back (for statistics, descriptions and tests).
    var values: [Value] {
        var result: [Value] = []
        result.reserveCapacity(count)
        var index = head
        while index >= 0 {
            result.append(nodes[index].value!)
            index = nodes[index].next
        }
        return result
    }

    @inlinable
    mutating func removeEntry(at index: Int) -> Value {
        let previous = nodes[index].previous
        let next = nodes[index].next
        if previous >= 0 { nodes[previous].next = next } else { head = next }
        if next >= 0 { nodes[next].previous = previous } else { tail = previous }
        let value = nodes[index].value.take()!
        nodes[index].serial = 0
        nodes[index].next = freeHead
        freeHead = index
        count &-= 1
        return value
    }
}
