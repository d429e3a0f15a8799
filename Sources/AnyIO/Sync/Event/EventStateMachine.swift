//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of an ``Event``: no locks, no `async`, no side effects. Each event returns what the
/// caller must do once it has released the lock.
///
/// Invariant: nobody waits once the event is set.
struct EventStateMachine<Waiter> {
    /// Whether `set()` was called. Never cleared.
    private(set) var isSet = false
    /// The `wait()` calls waiting for `set()`.
    private var waiters = WaitQueue<Waiter, Void>()

    init() {}

    /// What a `wait()` that passed its cancellation check must do.
    enum WaitAction {
        /// Return (after a schedule point): the event is set.
        case ready
        /// Park with this ticket.
        case park(WaitQueue<Waiter, Void>.Ticket)
    }

    /// The number of waiting `wait()` calls.
    var waitingCount: Int { waiters.count }

    /// `wait()`: returns at once if set, or registers the caller.
    mutating func wait() -> WaitAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return isSet ? .ready : .park(waiters.register())
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

    /// `set()`: the waiters to resume normally (none if it was set already).
    mutating func set() -> [Waiter] {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard !isSet else { return [] }
        isSet = true
        return waiters.unparkAll()
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        precondition(!isSet || waiters.isEmpty)
        waiters._checkInvariants()
    }
    #endif
}
