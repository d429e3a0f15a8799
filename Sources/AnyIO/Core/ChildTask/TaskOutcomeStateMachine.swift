//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The outcome of a library task and the `TaskHandle.value` calls waiting for it: no locks, no
/// `async`, no side effects.
///
/// Invariant: nobody waits once the outcome is known; the outcome is set once.
struct TaskOutcomeStateMachine<Outcome, Waiter> {
    typealias Ticket = WaitQueue<Waiter, Void>.Ticket

    /// The outcome, once the task's body ended.
    private(set) var outcome: Outcome?
    /// The `value` calls waiting for the outcome.
    private var waiters = WaitQueue<Waiter, Void>()

    init() {}

    /// What a `value` call that passed its cancellation check must do.
    enum WaitAction {
        /// Return this outcome (after a schedule point).
        case ready(Outcome)
        /// Park with this ticket; read the outcome once woken.
        case park(Ticket)
    }

    /// The number of waiting `value` calls.
    var waitingCount: Int { waiters.count }

    /// `value`: the outcome if known, or the caller registers.
    mutating func wait() -> WaitAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if let outcome { return .ready(outcome) }
        return .park(waiters.register())
    }

    /// A registered `value` call hands in its continuation.
    mutating func park(_ ticket: Ticket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return waiters.park(ticket, waiter)
    }

    /// A waiting `value` call was cancelled: the continuation to fail, if it had parked and the
    /// outcome had not arrived (an outcome that arrived first wins).
    mutating func cancel(_ ticket: Ticket) -> Waiter? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return waiters.cancel(ticket)
    }

    /// The body ended with `outcome`: the waiters to resume normally (they then read it).
    mutating func complete(_ outcome: Outcome) -> [Waiter] {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if self.outcome != nil { fatalError("AnyIO: internal error: a task completed twice") }
        self.outcome = outcome
        return waiters.unparkAll()
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        precondition(outcome == nil || waiters.isEmpty)
        waiters._checkInvariants()
    }
    #endif
}
