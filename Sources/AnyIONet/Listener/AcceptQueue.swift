//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import NIOCore
import Synchronization

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

/// The shared state of a listening socket: `accept()` callers park here, and the server
/// channel's `AcceptQueueHandler` hands accepted connections in.
final class AcceptQueueStorage: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    /// How many accepted connections may wait for `accept()`.
    static let capacity = 64

    let channel: any Channel
    private let state = StateLock(AcceptQueueStateMachine<Waiter>(capacity: AcceptQueueStorage.capacity))

    init(channel: any Channel) {
        self.channel = channel
    }

    func accept() async throws -> any Channel {
        try throwIfCancelled()
        var waited = false
        while true {
            switch state.withLock({ $0.accept() }) {
            case .channel(let accepted, let read):
                if read { channel.read() }
                if !waited { await yieldSchedulePoint() }
                return accepted
            case .fail(let error):
                throw error
            case .park(let ticket, let read):
                if read { channel.read() }
                try await park(on: .socketAccept) { waiter in
                    state.withLock { $0.park(ticket, waiter) }
                } cancel: {
                    state.withLock { $0.cancel(ticket) }
                }
                waited = true
            }
        }
    }

    func close() async {
        guard let (wake, drop) = state.withLock({ $0.close() }) else { return }
        for waiter in wake { waiter.resume() }
        for accepted in drop { accepted.close(promise: nil) }
        try? await channel.close().get()
    }

    func closeNow() {
        guard let (wake, drop) = state.withLock({ $0.close() }) else { return }
        for waiter in wake { waiter.resume() }
        for accepted in drop { accepted.close(promise: nil) }
        channel.close(promise: nil)
    }

    // MARK: - The handler's side (the server channel's event loop)

    func requestReadIfNeeded() -> Bool {
        state.withLock { $0.requestReadIfNeeded() }
    }

    func channelRead(_ accepted: any Channel) {
        let (wake, reject) = state.withLock { $0.channelRead(accepted) }
        for waiter in wake { waiter.resume() }
        reject?.close(promise: nil)
    }

    func readComplete() -> Bool {
        state.withLock { $0.readComplete() }
    }

    func acceptFailed() {
        state.withLock { $0.acceptFailed() }
    }

    func channelInactive() {
        for waiter in state.withLock({ $0.channelInactive() }) { waiter.resume() }
    }
}

/// The last handler before the tail of a listening socket's pipeline (after the bootstrap's own
/// acceptor, which has set each connection up): queues accepted connections in the storage and
/// asks for more on demand.
///
/// Invariant: lives on the server channel's event loop; all its state is in the storage.
final class AcceptQueueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel

    /// How long to wait before accepting again after an accept error (`EMFILE`: out of
    /// descriptors, which a busy loop would not fix).
    static let acceptErrorBackoff = TimeAmount.milliseconds(100)

    let storage: AcceptQueueStorage

    init(storage: AcceptQueueStorage) {
        self.storage = storage
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive, storage.requestReadIfNeeded() { context.read() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // The pipeline's tail (the server channel itself) registers the connection with its
        // event loop and activates it: pass it on first, so that this is queued on the
        // connection's loop before anything a task that takes it from the queue asks for.
        context.fireChannelRead(data)
        storage.channelRead(Self.unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if storage.readComplete() { context.read() }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A failed accept: the listening socket stays open (NIO closes it on fatal errors, and
        // `channelInactive` reports that). Accept again after a back-off.
        storage.acceptFailed()
        let storage = self.storage
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.acceptErrorBackoff) {
            if storage.requestReadIfNeeded() { channel.read() }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        storage.channelInactive()
        context.fireChannelInactive()
    }
}
