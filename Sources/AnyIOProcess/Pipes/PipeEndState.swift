//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

/// The state of the caller's end of one pipe to a child process. No locks, no side effects;
/// `PipeEnd` holds it in a `StateLock` and does the system calls and the epoll registrations outside it.
///
/// The descriptor is shared by three kinds of user: a `read`/`write` in flight, an armed
/// readiness registration (epoll must not watch a closed descriptor, which another open could reuse),
/// and `close()`. `users` counts the first two, and the descriptor is closed by whoever brings it
/// to zero after `close()` (or by `close()` itself if it is zero then), so it is never closed
/// under a system call or a registration, and never reused by another open while one still uses it.
struct PipeEndState<Waiter, Source> {
    /// The descriptor; meaningful until `released`.
    let descriptor: Int32
    /// `close()` was called: new operations throw `ClosedResourceError`. Never reset.
    private(set) var isClosed = false
    /// System calls in flight plus the armed registration (0 or 1). Invariant: `users >= 0`.
    private(set) var users = 0
    /// The descriptor has been handed out to be closed. Invariant: set at most once, and only
    /// when `isClosed && users == 0`.
    private(set) var released = false
    /// A readiness registration is armed (made, and its callback not run nor disarmed). Invariant: when
    /// true, it counts as one of `users`.
    private(set) var isArmed = false
    /// The armed registration's token, once its creator stored it (`close()` disarms it).
    private(set) var source: Source?
    /// Tasks waiting for the descriptor to become ready (at most one, since each stream guards
    /// against concurrent use, but the queue does not rely on it).
    private var waiters = WaitQueue<Waiter, Void>()

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// A `read`/`write` is about to run: the descriptor, which stays open until `endCall()`.
    mutating func beginCall() throws -> Int32 {
        // Closed by this side: AnyIO's ClosedResourceError.
        if isClosed { throw ClosedResourceError() }
        users += 1
        return descriptor
    }

    /// The system call returned: the descriptor to close now, if `close()` came meanwhile.
    mutating func endCall() -> Int32? {
        users -= 1
        return releaseIfUnused()
    }

    enum WaitAction {
        /// Park with this ticket; `arm` says whether the caller must arm a registration for `descriptor`.
        case park(QueueTicket, arm: Bool)
    }

    /// The descriptor would block: queue the caller, and arm a registration unless one is armed.
    mutating func waitUntilReady() throws -> WaitAction {
        // Closed meanwhile: the retry must not wait on a descriptor about to close.
        if isClosed { throw ClosedResourceError() }
        let ticket = waiters.register()
        // A registration armed by an earlier wait (whose task was cancelled) still fires for this one.
        if isArmed { return .park(ticket, arm: false) }
        isArmed = true
        users += 1
        return .park(ticket, arm: true)
    }

    /// The creator of a registration stored its token. `false`: `close()` came first and did not see it, so the
    /// creator must cancel it.
    mutating func storeSource(_ newSource: Source) -> Bool {
        // Closed before the token was stored: the caller disarms it (close() could not).
        if isClosed { return false }
        // Fired and finished already (`sourceDone` reset `isArmed`): nothing to keep.
        if isArmed && source == nil { source = newSource }
        return true
    }

    mutating func park(_ ticket: QueueTicket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        waiters.park(ticket, waiter)
    }

    /// A waiting task was cancelled: it leaves the queue; the registration stays armed for later waits.
    mutating func cancel(_ ticket: QueueTicket) -> Waiter? {
        waiters.cancel(ticket)
    }

    /// The registration fired, or was disarmed (by `close()`): wake every
    /// waiter to try again, and the descriptor to close if it was the last user after `close()`.
    mutating func sourceDone() -> (wake: [Waiter], release: Int32?) {
        precondition(isArmed, "PipeEndState.sourceDone: no registration armed (users \(users))")
        isArmed = false
        source = nil
        users -= 1
        return (waiters.unparkAll(), releaseIfUnused())
    }

    /// `close()`: fails the waiters, and says which registration to disarm and whether to close now.
    mutating func close() -> (fail: [Waiter], cancel: Source?, release: Int32?)? {
        // Closing twice is a no-op (AnyIO: aclose() is idempotent).
        if isClosed { return nil }
        isClosed = true
        return (waiters.unparkAll(failing: ClosedResourceError()), source, releaseIfUnused())
    }

    private mutating func releaseIfUnused() -> Int32? {
        guard isClosed, users == 0, !released else { return nil }
        released = true
        return descriptor
    }
}
