//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The waiting list of a ``Condition``: no locks, no `async`, no side effects.
///
/// A `wait()` *reserves* its place in the queue while it still holds the condition's lock, then
/// releases the lock, then suspends. So a `notify` that runs between the release and the
/// suspension is not lost: it marks the reservation notified, and the suspension resumes at once.
///
/// Invariant: each waiter id is in at most one of `queue`, `notifiedEarly` and `cancelledEarly`,
/// and leaves all three when its `wait()` resumes; an id in none of them (while its `wait()` is
/// still running) was notified and resumed, so a late cancellation of it is stale.
struct ConditionStateMachine<Waiter> {
    /// Waiting calls in FIFO order; `nil` until the call has suspended.
    private var queue = WaiterQueue<Waiter?>()
    /// Reserved ids that were notified before they suspended.
    private var notifiedEarly: Set<WaiterID> = []
    /// Reserved ids that were cancelled before they suspended.
    private var cancelledEarly: Set<WaiterID> = []

    init() {}

    /// What a suspending `wait()` must do with its continuation.
    enum SuspendAction {
        /// It was stored: stay suspended.
        case suspend
        /// Notified already: resume normally.
        case resume(Waiter)
        /// Cancelled already: resume with `CancellationError`.
        case cancel(Waiter)
    }

    /// What a cancelled `wait()` must do.
    enum CancelAction {
        /// Nothing: it was notified first (the notification wins), or has not suspended yet.
        case none
        /// Resume this waiter with `CancellationError`.
        case cancel(Waiter)
    }

    /// The number of `wait()` calls waiting for a notification.
    var waitingCount: Int { queue.count }

    /// A `wait()` (holding the lock) takes its place in the queue.
    mutating func reserve(_ id: WaiterID) {
        queue.append(id, nil)
    }

    mutating func suspend(_ id: WaiterID, _ waiter: Waiter) -> SuspendAction {
        if !notifiedEarly.isEmpty, notifiedEarly.remove(id) != nil { return .resume(waiter) }
        if !cancelledEarly.isEmpty, cancelledEarly.remove(id) != nil { return .cancel(waiter) }
        guard queue.replace(id, with: waiter) else {
            fatalError("AnyIO: internal error: Condition waiter \(id.rawValue) suspended without a reservation")
        }
        return .suspend
    }

    mutating func cancel(_ id: WaiterID) -> CancelAction {
        guard let entry = queue.remove(id) else {
            // Notified (and resumed, or about to be): the notification wins.
            return .none
        }
        if let waiter = entry { return .cancel(waiter) }
        cancelledEarly.insert(id)
        return .none
    }

    /// Notifies the `count` longest-waiting calls (all with `Int.max`); returns the suspended ones
    /// to resume.
    mutating func notify(_ count: Int) -> [Waiter] {
        var toResume: [Waiter] = []
        var remaining = count
        while remaining > 0, let (id, entry) = queue.popFirst() {
            if let waiter = entry {
                toResume.append(waiter)
            } else {
                notifiedEarly.insert(id)
            }
            remaining -= 1
        }
        return toResume
    }
}
