//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import NIOCore

/// The state of a listening socket's queue of accepted connections: no locks, no `async`.
///
/// The server channel has `autoRead` off; a `read()` (which accepts) is asked for only while
/// fewer than `capacity` accepted connections wait to be taken by `accept()`. A server that
/// accepts slowly thus leaves connections in the kernel's backlog.
///
/// Invariant: `readPending` is true exactly while a `read()` asked for by this machine has not
/// been answered by `readComplete` or an accept error.
/// Invariant: nobody waits while `queue` is non-empty, or once the listener is closed or its
/// channel inactive.
/// Invariant: after `closed`, `queue` is empty and channels that arrive are closed.
struct AcceptQueueStateMachine<Waiter> {
    typealias Ticket = WaitQueue<Waiter, Void>.Ticket

    /// The most accepted connections held before accepting pauses.
    let capacity: Int
    /// Accepted connections not yet taken, oldest first.
    private var queue: [any Channel] = []
    /// A `read()` was asked for and not answered yet.
    private var readPending = false
    /// `close()` was called. Terminal.
    private var closed = false
    /// The server channel closed. Terminal.
    private var inactive = false
    private var waiters = WaitQueue<Waiter, Void>()

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Whether to ask the server channel for a read now; marks it pending if so.
    mutating func requestReadIfNeeded() -> Bool {
        guard !readPending, !closed, !inactive, queue.count < capacity else { return false }
        readPending = true
        return true
    }

    enum AcceptAction {
        /// Take this connection; ask for a read first if `read`.
        case channel(any Channel, read: Bool)
        /// Throw.
        case fail(any Error)
        /// Park with this ticket (after asking for a read if `read`), then ask again.
        case park(Ticket, read: Bool)
    }

    mutating func accept() -> AcceptAction {
        if closed { return .fail(ClosedResourceError()) }
        if !queue.isEmpty {
            let channel = queue.removeFirst()
            return .channel(channel, read: requestReadIfNeeded())
        }
        if inactive { return .fail(BrokenResourceError(reason: "the listening socket was closed")) }
        return .park(waiters.register(), read: requestReadIfNeeded())
    }

    /// A connection was accepted; returns the waiters to wake, or the channel to close if the
    /// listener is closed.
    mutating func channelRead(_ channel: any Channel) -> (wake: [Waiter], reject: (any Channel)?) {
        if closed { return ([], channel) }
        queue.append(channel)
        return (waiters.unparkAll(), nil)
    }

    /// The server channel finished a read; returns whether to ask for another one.
    mutating func readComplete() -> Bool {
        readPending = false
        return requestReadIfNeeded()
    }

    /// Accepting failed (`EMFILE`, `ECONNABORTED`, …): the read is over; retry after a back-off.
    mutating func acceptFailed() {
        readPending = false
    }

    /// The server channel closed; returns the waiters to wake.
    mutating func channelInactive() -> [Waiter] {
        inactive = true
        readPending = false
        return waiters.unparkAll()
    }

    /// `close()`: returns the waiters to wake and the connections to close, or `nil` if closed
    /// before.
    mutating func close() -> (wake: [Waiter], drop: [any Channel])? {
        if closed { return nil }
        closed = true
        let drop = queue
        queue = []
        return (waiters.unparkAll(), drop)
    }

    mutating func park(_ ticket: Ticket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        waiters.park(ticket, waiter)
    }

    mutating func cancel(_ ticket: Ticket) -> Waiter? {
        waiters.cancel(ticket)
    }
}
