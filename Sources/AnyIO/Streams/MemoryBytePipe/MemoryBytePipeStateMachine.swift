//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of a one-way in-memory byte pipe: no locks, no `async`, no side effects.
///
/// The pipe under `AnyIOTesting`'s memory byte streams. Bytes sent go into a buffer of at most
/// `maxBufferSize` bytes (a sender waits for room: flow control); a receive takes at most
/// `maxChunkSize` of them (to exercise code that must cope with short reads).
///
/// Waiters are woken by a change and then ask again (receive and send are retried loops), so
/// every event needs only to say whom to wake.
///
/// Invariants:
/// - `buffer.count <= maxBufferSize`.
/// - Nobody waits to receive while the buffer has bytes, or after the end of the stream
///   (`sendClosed || eofSent`) or `receiveClosed`.
/// - Nobody waits to send while there is room, or once either side is closed or EOF was sent.
/// - After `receiveClosed` the buffer is empty.
struct MemoryBytePipeStateMachine<Waiter> {
    typealias Ticket = WaitQueue<Waiter, Void>.Ticket

    let maxBufferSize: Int
    let maxChunkSize: Int
    private var buffer = ReceiveBuffer()
    /// `sendEOF()` was called: no more bytes will come after the buffered ones.
    private(set) var eofSent = false
    /// The sending endpoint was closed (which also ends the stream).
    private(set) var sendClosed = false
    /// The receiving endpoint was closed: sending is broken.
    private(set) var receiveClosed = false
    private var receivers = WaitQueue<Waiter, Void>()
    private var senders = WaitQueue<Waiter, Void>()

    init(maxBufferSize: Int, maxChunkSize: Int) {
        precondition(maxBufferSize >= 1 && maxChunkSize >= 1)
        self.maxBufferSize = maxBufferSize
        self.maxChunkSize = maxChunkSize
    }

    var bufferedCount: Int { buffer.count }

    enum ReceiveAction {
        /// Return these bytes; wake these senders (there is room now).
        case bytes([UInt8], wake: [Waiter])
        /// Throw.
        case fail(any Error)
        /// Park with this ticket, then ask again.
        case park(Ticket)
    }

    mutating func receive(maxBytes: Int) -> ReceiveAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if receiveClosed { return .fail(ClosedResourceError()) }
        if !buffer.isEmpty {
            let bytes = buffer.take(Swift.min(maxBytes, maxChunkSize))
            return .bytes(bytes, wake: senders.unparkAll())
        }
        if eofSent || sendClosed { return .fail(EndOfStreamError()) }
        return .park(receivers.register())
    }

    enum SendAction {
        /// Everything was buffered; wake these receivers.
        case done(wake: [Waiter])
        /// Throw (nothing more was buffered).
        case fail(any Error)
        /// Part was buffered (the slice was advanced); wake these receivers, park with this
        /// ticket, then send the rest.
        case park(Ticket, wake: [Waiter])
    }

    /// Buffers as much of `bytes` as there is room for, advancing the slice past it.
    mutating func send(_ bytes: inout ArraySlice<UInt8>) -> SendAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if sendClosed || eofSent { return .fail(ClosedResourceError()) }
        if receiveClosed { return .fail(BrokenResourceError(reason: "the receiving end of the memory byte stream was closed")) }
        let room = maxBufferSize - buffer.count
        let accepted = Swift.min(room, bytes.count)
        var wake: [Waiter] = []
        if accepted > 0 {
            buffer.append(bytes.prefix(accepted))
            bytes = bytes.dropFirst(accepted)
            wake = receivers.unparkAll()
        }
        if bytes.isEmpty { return .done(wake: wake) }
        return .park(senders.register(), wake: wake)
    }

    /// `sendEOF()`: the receivers to wake (they will see the end after the buffered bytes).
    mutating func sendEOF() -> [Waiter] {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        eofSent = true
        return receivers.unparkAll() + senders.unparkAll()
    }

    /// The sending endpoint closes: receivers see the end of the stream; a send still waiting
    /// (another task's) fails with `ClosedResourceError` when it asks again.
    mutating func closeSend() -> [Waiter] {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        sendClosed = true
        return receivers.unparkAll() + senders.unparkAll()
    }

    /// The receiving endpoint closes: buffered bytes are dropped, a waiting receive fails with
    /// `ClosedResourceError` and senders with `BrokenResourceError` when they ask again.
    mutating func closeReceive() -> [Waiter] {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        receiveClosed = true
        buffer.drop(buffer.count)
        return receivers.unparkAll() + senders.unparkAll()
    }

    mutating func parkReceiver(_ ticket: Ticket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        receivers.park(ticket, waiter)
    }

    mutating func cancelReceiver(_ ticket: Ticket) -> Waiter? {
        receivers.cancel(ticket)
    }

    mutating func parkSender(_ ticket: Ticket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        senders.park(ticket, waiter)
    }

    mutating func cancelSender(_ ticket: Ticket) -> Waiter? {
        senders.cancel(ticket)
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        precondition(buffer.count <= maxBufferSize)
        precondition(!receiveClosed || buffer.isEmpty)
        receivers._checkInvariants()
        senders._checkInvariants()
    }
    #endif
}
