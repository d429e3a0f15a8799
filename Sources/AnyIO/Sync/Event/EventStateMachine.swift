//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of an ``Event``: no locks, no `async`, no side effects. Each event returns what the
/// caller must do once it has released the lock.
struct EventStateMachine<Waiter> {
    private enum State {
        /// Not set yet.
        case pending
        /// Set. Terminal: every later `wait()` completes at once.
        case set
    }

    private var state = State.pending
    /// Suspended `wait()` calls by id. Invariant: empty once set.
    /// Kept outside `State` so that it is mutated in place, not copied on every change.
    private var waiters: [WaiterID: Waiter] = [:]
    /// Ids whose cancellation arrived before their continuation did (cancel-before-suspend).
    /// Invariant: empty once set.
    private var cancelledEarly: Set<WaiterID> = []

    init() {}

    /// What `set()` must do.
    enum SetAction {
        /// Nothing: the event was already set.
        case none
        /// Resume every waiter normally.
        case resumeAll([Waiter])
    }

    /// What a `wait()` that is about to suspend must do with its continuation.
    enum SuspendAction {
        /// Keep it suspended: it was stored.
        case suspend
        /// Resume it normally at once: the event is set.
        case resume(Waiter)
        /// Resume it with `CancellationError` at once: its cancellation came first.
        case cancel(Waiter)
    }

    /// What a cancelled `wait()` must do.
    enum CancelAction {
        /// Nothing: the waiter was already resumed, or has not suspended yet (recorded).
        case none
        /// Resume this waiter with `CancellationError`.
        case cancel(Waiter)
    }

    var isSet: Bool {
        if case .set = state { return true }
        return false
    }

    /// The number of suspended waiters.
    var waitingCount: Int { waiters.count }

    mutating func set() -> SetAction {
        switch state {
        case .pending:
            // First set: wake everyone; the early-cancelled ids no longer matter.
            state = .set
            let woken = Array(waiters.values)
            waiters = [:]
            cancelledEarly = []
            return .resumeAll(woken)
        case .set:
            // Idempotent.
            return .none
        }
    }

    mutating func suspend(_ id: WaiterID, _ waiter: Waiter) -> SuspendAction {
        switch state {
        case .pending:
            if !cancelledEarly.isEmpty, cancelledEarly.remove(id) != nil {
                // Its cancellation handler already ran: cancel it instead of storing it.
                return .cancel(waiter)
            }
            // Normal path: wait for `set()`.
            checkPrecondition(waiters[id] == nil, "AnyIO: Event waiter \(id.rawValue) suspended twice")
            waiters[id] = waiter
            return .suspend
        case .set:
            // Set between the caller's check and its suspension: complete normally.
            return .resume(waiter)
        }
    }

    mutating func cancel(_ id: WaiterID) -> CancelAction {
        switch state {
        case .pending:
            if let waiter = waiters.removeValue(forKey: id) {
                // Suspended and not set: it leaves with CancellationError.
                return .cancel(waiter)
            }
            // Not suspended yet: remember, so `suspend` cancels it.
            cancelledEarly.insert(id)
            return .none
        case .set:
            // Already resumed normally by `set()` (the set came first).
            return .none
        }
    }
}
