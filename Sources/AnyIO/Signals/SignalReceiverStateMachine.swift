//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of a ``SignalReceiver``: the signals received and not yet taken, and the iterations
/// waiting for one. No locks, no `async`, no side effects; each event returns what the caller
/// must do once it has released the lock.
///
/// Invariant: nobody waits while a signal is pending (a delivery wakes a waiter; a woken waiter
/// takes the signal on its next ``receive()``), except for the moment between a wake-up and
/// that `receive()`.
/// Invariant: once closed, nothing is pending and nobody waits.
struct SignalReceiverStateMachine<Waiter> {
    /// Signals received and not yet taken, oldest first. Appended by ``deliver(_:)``, taken by
    /// ``receive()``, dropped by ``close()``.
    private var pending = RingBuffer<OSSignal>()

    /// The iterations waiting for a signal.
    private var waiters = WaitQueue<Waiter, Void>()

    /// Whether the receiver's `withSignalReceiver` body has ended. Set once, by ``close()``.
    private(set) var isClosed = false

    init() {}

    /// What a `next()` that passed its cancellation check must do.
    enum ReceiveAction {
        /// Return this signal (after a schedule point).
        case signal(OSSignal)
        /// Park with this ticket, then ask again.
        case park(WaitQueue<Waiter, Void>.Ticket)
        /// The receiver's scope has ended: the iteration is over.
        case closed
    }

    /// The number of iterations waiting.
    var waitingCount: Int { waiters.count }

    /// The number of signals received and not yet taken.
    var pendingCount: Int { pending.count }

    /// `next()`: takes the oldest pending signal, or registers the caller.
    mutating func receive() -> ReceiveAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        // Closed: the body has ended, so nothing more will come.
        if isClosed { return .closed }
        // A signal waits: take it (the oldest, so signals come out in order of arrival).
        if let signal = pending.popFirst() { return .signal(signal) }
        // Nothing yet: wait in line.
        return .park(waiters.register())
    }

    /// A registered waiter hands in its continuation.
    mutating func park(_ ticket: WaitQueue<Waiter, Void>.Ticket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return waiters.park(ticket, waiter)
    }

    /// A waiter was cancelled: the continuation to fail, if it had parked and was not woken.
    mutating func cancel(_ ticket: WaitQueue<Waiter, Void>.Ticket) -> Waiter? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return waiters.cancel(ticket)
    }

    /// `signal` arrived: keeps it and returns the waiter to wake (which then takes it), if any.
    mutating func deliver(_ signal: OSSignal) -> Waiter? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        // Closed: a byte handled just after the body ended; nobody can take it any more.
        guard !isClosed else { return nil }
        pending.append(signal)
        // One signal, one wake-up: the first waiter takes it. A waiter that has not parked yet is
        // recorded as woken and does not park.
        return waiters.unparkFirst()?.waiter
    }

    /// The body ended: drops pending signals and returns the waiters to wake (their `next()`
    /// then sees `.closed`).
    mutating func close() -> [Waiter] {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard !isClosed else { return [] }
        isClosed = true
        pending = RingBuffer()
        return waiters.unparkAll()
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        precondition(!isClosed || (pending.isEmpty && waiters.isEmpty))
        waiters._checkInvariants()
    }
    #endif
}
