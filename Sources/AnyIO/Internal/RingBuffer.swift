//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A growable FIFO ring buffer: O(1) `append` and `popFirst`, amortised over growth.
///
/// The core target may not depend on swift-collections, so this is the small part of `Deque`
/// that the primitives need. It never shrinks: its capacity is the largest count it has held,
/// rounded up to a power of two.
///
/// `@usableFromInline`/`@inlinable` because the memory object stream's hot path is inlinable (so
/// that it is specialised for the element type in the client); not API.
@usableFromInline
struct RingBuffer<Element> {
    /// The slots; `nil` outside the occupied range. Its count is zero or a power of two, so an
    /// index wraps with `& (slots.count - 1)`.
    @usableFromInline var slots: ContiguousArray<Element?> = []
    /// The index of the first element (meaningless while empty).
    @usableFromInline var head = 0
    /// The number of elements.
    @usableFromInline var count = 0

    // Invariant: `count <= slots.count`; the elements are at `head, head + 1, …` (wrapped), in
    // FIFO order, and every other slot is `nil`.

    @inlinable
    init() {}

    @inlinable
    var isEmpty: Bool { count == 0 }

    /// Adds `element` at the back.
    @inlinable
    mutating func append(_ element: Element) {
        if count == slots.count { grow() }
        slots[(head &+ count) & (slots.count &- 1)] = element
        count &+= 1
    }

    /// Removes and returns the front element, or `nil` if the buffer is empty.
    @inlinable
    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = slots[head].take()
        head = (head &+ 1) & (slots.count &- 1)
        count &-= 1
        return element
    }

    /// The elements front to back (for tests and descriptions).
    var elements: [Element] {
        (0..<count).map { slots[(head &+ $0) & (slots.count &- 1)]! }
    }

    /// Doubles the capacity (at least 4), moving the elements to the front in order.
    @inlinable
    mutating func grow() {
        let newCapacity = Swift.max(4, slots.count &* 2)
        var newSlots = ContiguousArray<Element?>()
        newSlots.reserveCapacity(newCapacity)
        for offset in 0..<count {
            newSlots.append(slots[(head &+ offset) & (slots.count &- 1)].take())
        }
        newSlots.append(contentsOf: repeatElement(nil, count: newCapacity &- count))
        slots = newSlots
        head = 0
    }
}
