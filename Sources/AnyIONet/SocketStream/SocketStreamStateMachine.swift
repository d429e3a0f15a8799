//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import NIOCore

/// The state of one socket stream: no locks, no `async`, no side effects.
///
/// Two kinds of events arrive: the stream's callers (`receive`, `send`, `sendEOF`, `close`, from
/// any task) and the channel (`channelRead`, `readComplete`, `inputClosed`, `errorCaught`,
/// `inactive`, `writabilityChanged`, `writeCompleted`, from the channel's event loop, through
/// `SocketStreamHandler`). Each event returns what the caller must do (wake waiters, ask the
/// channel for a read, write, shut down) after the lock is released.
///
/// Reads are driven by demand: the channel has `autoRead` off, and a `read()` is asked for only
/// while fewer than `receiveHighWater` bytes are buffered (a waiting receiver always finds the
/// buffer empty, so it always gets one). A slow consumer thus leaves the bytes in the kernel and
/// the peer's sends block: back-pressure.
///
/// Writes are handed to the channel at once while the channel is writable and fewer than
/// `sendHighWater` bytes are in flight (handed over, not yet written to the kernel); otherwise the
/// sender parks until a write completes or the channel becomes writable again.
///
/// Waiters are woken by a change and then ask again (receive and send are retried loops), so
/// every event needs only to say whom to wake.
///
/// Invariant: `readPending` is true exactly while a `read()` asked for by this machine has not
/// been answered by `readComplete` (or the channel went inactive).
/// Invariant: nobody waits to receive while `inbound` has bytes, or once the input ended, the
/// connection failed, or the stream was closed.
/// Invariant: nobody waits to send while the channel is writable with room in flight, or once the
/// stream was closed, EOF was sent, or the connection failed.
/// Invariant: after `closed`, `inbound` is empty and stays empty.
struct SocketStreamStateMachine<Waiter> {
    typealias Ticket = WaitQueue<Waiter, Void>.Ticket

    /// Buffered bytes above which no more reads are asked for.
    let receiveHighWater: Int
    /// Bytes in flight above which a sender waits.
    let sendHighWater: Int

    /// Received bytes not yet returned by `receive`.
    private var inbound = ByteBuffer()
    /// A `read()` was asked for and not answered yet.
    private var readPending = false
    /// The peer sent EOF (the `inputClosed` event).
    private var inputEnded = false
    /// The channel is closed (by either side). Terminal for the channel.
    private var inactive = false
    /// The error that broke the connection (reset, failed write), if any.
    private var failure: (any Error)?
    /// `close()` was called. Terminal.
    private(set) var closed = false
    /// `sendEOF()` was called.
    private var eofSent = false
    /// The channel's writability, as last reported.
    private var writable = true
    /// Bytes handed to the channel whose write has not completed.
    private(set) var bytesInFlight = 0
    /// The completion of the last write handed to the channel (writes complete in order).
    private var lastWrite: EventLoopFuture<Void>?
    private var receivers = WaitQueue<Waiter, Void>()
    private var senders = WaitQueue<Waiter, Void>()

    init(receiveHighWater: Int, sendHighWater: Int) {
        self.receiveHighWater = receiveHighWater
        self.sendHighWater = sendHighWater
    }

    // MARK: - Reads

    /// Whether to ask the channel for a read now; marks it pending if so.
    mutating func requestReadIfNeeded() -> Bool {
        guard !readPending, !inputEnded, !inactive, !closed, inbound.readableBytes < receiveHighWater else {
            return false
        }
        readPending = true
        return true
    }

    enum ReceiveAction {
        /// Return these bytes; ask the channel for a read first if `read`.
        case bytes([UInt8], read: Bool)
        /// Throw.
        case fail(any Error)
        /// Park with this ticket (after asking for a read if `read`), then ask again.
        case park(Ticket, read: Bool)
    }

    mutating func receive(maxBytes: Int) -> ReceiveAction {
        if closed { return .fail(ClosedResourceError()) }
        if inbound.readableBytes > 0 {
            // Invariant: readableBytes > 0, so readBytes returns a non-empty array.
            let bytes = inbound.readBytes(length: Swift.min(maxBytes, inbound.readableBytes))!
            if inbound.readableBytes == 0 {
                // Drained: keep a small buffer for the next bytes, give a large one back.
                if inbound.capacity > 65536 { inbound = ByteBuffer() } else { inbound.clear() }
            } else if inbound.readerIndex > 65536 && inbound.readerIndex > inbound.readableBytes {
                inbound.discardReadBytes()
            }
            return .bytes(bytes, read: requestReadIfNeeded())
        }
        if let failure { return .fail(Self.broken(failure)) }
        if inputEnded || inactive { return .fail(EndOfStreamError()) }
        return .park(receivers.register(), read: requestReadIfNeeded())
    }

    /// Bytes arrived; returns the receivers to wake.
    ///
    /// The bytes are copied into `inbound` rather than the channel's buffer kept: the channel
    /// reuses its receive buffers when it holds the only reference, and a buffer released by
    /// another thread (a receiving task) would race with that reuse.
    mutating func channelRead(_ buffer: ByteBuffer) -> [Waiter] {
        if closed { return [] }
        var buffer = buffer
        inbound.writeBuffer(&buffer)
        return receivers.unparkAll()
    }

    /// The channel finished a read; returns whether to ask for another one.
    mutating func readComplete() -> Bool {
        readPending = false
        return requestReadIfNeeded()
    }

    /// The peer sent EOF; returns the receivers to wake.
    mutating func inputClosed() -> [Waiter] {
        inputEnded = true
        return receivers.unparkAll()
    }

    /// The channel reported an error; returns everyone to wake.
    mutating func errorCaught(_ error: any Error) -> [Waiter] {
        if failure == nil && !closed { failure = error }
        return receivers.unparkAll() + senders.unparkAll()
    }

    /// The channel closed; returns everyone to wake.
    mutating func channelInactive() -> [Waiter] {
        inactive = true
        readPending = false
        return receivers.unparkAll() + senders.unparkAll()
    }

    // MARK: - Writes

    enum SendAction {
        /// Write the bytes now (they were counted in flight).
        case write
        /// Throw (nothing was written).
        case fail(any Error)
        /// Park with this ticket, then ask again.
        case park(Ticket)
    }

    /// `promise` is the write's completion, should the bytes be written now.
    mutating func send(count: Int, promise: EventLoopPromise<Void>) -> SendAction {
        if closed || eofSent { return .fail(ClosedResourceError()) }
        if let failure { return .fail(Self.broken(failure)) }
        if inactive { return .fail(BrokenResourceError(reason: "the connection was closed")) }
        if writable && bytesInFlight < sendHighWater {
            bytesInFlight += count
            lastWrite = promise.futureResult
            return .write
        }
        return .park(senders.register())
    }

    /// A write handed over by `send` completed; returns the senders to wake (once there is
    /// room, or the connection failed).
    mutating func writeCompleted(count: Int, error: (any Error)?) -> [Waiter] {
        bytesInFlight -= count
        if let error, failure == nil, !closed { failure = error }
        guard failure != nil || (writable && bytesInFlight < sendHighWater) else { return [] }
        return senders.unparkAll()
    }

    /// The channel's writability changed; returns the senders to wake.
    mutating func writabilityChanged(_ isWritable: Bool) -> [Waiter] {
        writable = isWritable
        return isWritable ? senders.unparkAll() : []
    }

    enum SendEOFAction {
        /// Shut the channel's output down, after `lastWrite` if there is one (NIO would drop
        /// writes not yet written if the input is shut down already: it closes fully then); wake
        /// these (other tasks' sends, which then fail).
        case shutDown(after: EventLoopFuture<Void>?, wake: [Waiter])
        /// Nothing to do (sent already, or the channel is gone).
        case none
        /// Throw.
        case fail(any Error)
    }

    mutating func sendEOF() -> SendEOFAction {
        if closed { return .fail(ClosedResourceError()) }
        if eofSent || inactive { return .none }
        if let failure { return .fail(Self.broken(failure)) }
        eofSent = true
        return .shutDown(after: bytesInFlight > 0 ? lastWrite : nil, wake: senders.unparkAll())
    }

    enum CloseAction {
        /// Closed before: nothing to do.
        case none
        /// Close the channel (after `lastWrite` if there is one, unless forcefully); wake these.
        case close(after: EventLoopFuture<Void>?, wake: [Waiter])
    }

    mutating func close() -> CloseAction {
        if closed { return .none }
        closed = true
        inbound.clear()
        let wake = receivers.unparkAll() + senders.unparkAll()
        if inactive { return .close(after: nil, wake: wake) }
        return .close(after: bytesInFlight > 0 ? lastWrite : nil, wake: wake)
    }

    // MARK: - Parking

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

    /// The error a caller sees for a broken connection.
    private static func broken(_ error: any Error) -> BrokenResourceError {
        BrokenResourceError(reason: "the connection broke: \(error)")
    }
}
