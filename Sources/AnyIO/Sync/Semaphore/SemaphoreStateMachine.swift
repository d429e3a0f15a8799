//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of a ``Semaphore``: no locks, no `async`, no side effects. Each event returns what
/// the caller must do once it has released the lock.
///
/// A semaphore has no distinct modes, only a count and a queue (Trio's `Semaphore` is a value
/// and a parking lot), so the state is a few fields tied by the invariants below rather than an
/// enum.
///
/// A blocked `acquire()` goes through three events: `acquire(_:)` queues its id (the decision,
/// under the lock), `suspended(_:_:)` hands in its continuation (after the continuation exists),
/// and `cancel(_:)` may come at any point in between or after. A permit released to a waiter that
/// has not handed in its continuation yet is recorded in `grantedEarly`; a cancellation that comes
/// first is recorded in `cancelledEarly`. Either way `suspended` resumes it at once.
///
/// Invariant: `value >= 0`, and `value <= maxValue` when there is a maximum.
/// Invariant: `!waiters.isEmpty` implies `value == 0`: a release with waiters hands its permit
/// straight to the first one, so no permit is ever free while someone waits (no barging).
/// Invariant: `waiters`, `grantedEarly` and `cancelledEarly` hold disjoint ids.
struct SemaphoreStateMachine<Waiter> {
    /// Where a queued waiter is.
    private enum Slot {
        /// Queued by `acquire(_:)`; its continuation is not handed in yet.
        case registered
        /// Suspended on this continuation.
        case suspended(Waiter)
    }

    /// The number of permits free now. Decremented by a successful acquire, incremented by a
    /// release that finds no waiter.
    private(set) var value: Int
    /// The highest `value` may reach, or `nil` for no limit. Fixed at creation.
    let maxValue: Int?
    /// The blocked acquirers, first come first served. Grows in `acquire(_:)`, shrinks when a
    /// release hands a permit over or a waiter is cancelled.
    private var waiters = WaiterQueue<Slot>()
    /// Waiters that were handed a permit before their continuation came in. Emptied by
    /// `suspended(_:_:)`.
    private var grantedEarly: Set<WaiterID> = []
    /// Waiters that were cancelled before their continuation came in. Emptied by
    /// `suspended(_:_:)`.
    private var cancelledEarly: Set<WaiterID> = []

    /// Creates the state of a semaphore. The public initializer has checked the arguments.
    init(initialValue: Int, maxValue: Int?) {
        assert(initialValue >= 0 && initialValue <= (maxValue ?? .max))
        self.value = initialValue
        self.maxValue = maxValue
    }

    /// The number of blocked acquirers.
    var waitingCount: Int { waiters.count }

    /// What an `acquire()` must do after its cancellation check.
    enum AcquireAction: Equatable {
        /// It holds a permit now.
        case acquired
        /// It was queued: create the continuation and hand it in with `suspended(_:_:)`.
        case enqueued
    }

    /// What a queued `acquire()` must do with the continuation it hands in.
    enum SuspendAction {
        /// Keep it suspended: it was stored.
        case suspend
        /// Resume it normally at once: a permit was handed to it already.
        case resume(Waiter)
        /// Resume it with `CancellationError` at once: its cancellation came first.
        case cancel(Waiter)
    }

    /// What a cancelled `acquire()` must do.
    enum CancelAction {
        /// Nothing: it was handed a permit already (that wins), or it is not suspended yet (then
        /// `suspended(_:_:)` cancels it).
        case none
        /// Resume this waiter with `CancellationError`.
        case cancel(Waiter)
    }

    /// What `release()` must do.
    enum ReleaseAction {
        /// Nothing more: the value went up, or the permit went to a waiter that has not suspended
        /// yet (it resumes on `suspended(_:_:)`).
        case none
        /// Resume this waiter normally: it holds the released permit now.
        case resume(Waiter)
        /// Trap: the value is already at this maximum.
        case exceedsMaxValue(Int)
    }

    /// A non-blocking acquire: takes a permit if one is free.
    mutating func tryAcquire() -> Bool {
        // No barging: a free permit implies an empty queue (invariant), so the check is enough.
        guard value > 0 else { return false }
        value -= 1
        return true
    }

    /// An `acquire()` that passed its cancellation check: takes a free permit or queues `id`.
    mutating func acquire(_ id: WaiterID) -> AcquireAction {
        if value > 0 {
            // A permit is free, so nobody waits (invariant): take it.
            value -= 1
            return .acquired
        }
        // None free: wait behind the others, FIFO.
        waiters.append(id, .registered)
        return .enqueued
    }

    /// A queued `acquire()` hands in its continuation.
    mutating func suspended(_ id: WaiterID, _ waiter: Waiter) -> SuspendAction {
        if !grantedEarly.isEmpty, grantedEarly.remove(id) != nil {
            // A release handed it a permit before it suspended: it holds the permit.
            return .resume(waiter)
        }
        if !cancelledEarly.isEmpty, cancelledEarly.remove(id) != nil {
            // Its cancellation handler already ran and took it out of the queue.
            return .cancel(waiter)
        }
        // Still queued: store the continuation for `release()` or `cancel(_:)`.
        guard waiters.replace(id, with: .suspended(waiter)) else {
            fatalError("AnyIO: internal error: Semaphore waiter \(id.rawValue) suspended without being queued")
        }
        return .suspend
    }

    /// The task of a queued `acquire()` was cancelled.
    mutating func cancel(_ id: WaiterID) -> CancelAction {
        switch waiters.remove(id) {
        case .suspended(let waiter)?:
            // Suspended and not handed a permit: it leaves with CancellationError, no permit taken.
            return .cancel(waiter)
        case .registered?:
            // Queued but not suspended yet: `suspended(_:_:)` cancels it.
            cancelledEarly.insert(id)
            return .none
        case nil:
            // Not queued any more: a release handed it a permit first, and completion wins.
            return .none
        }
    }

    /// `release()`: hands the permit to the first waiter, or adds it to the value.
    mutating func release() -> ReleaseAction {
        if let (id, slot) = waiters.popFirst() {
            // Someone waits, so value == 0 (invariant): the permit goes straight to the first.
            switch slot {
            case .suspended(let waiter):
                // It is suspended: wake it, holding the permit.
                return .resume(waiter)
            case .registered:
                // It has not suspended yet: it resumes as soon as it does.
                grantedEarly.insert(id)
                return .none
            }
        }
        if let maxValue, value >= maxValue {
            // Releasing past the maximum is a programmer error; nothing changes.
            return .exceedsMaxValue(maxValue)
        }
        // Nobody waits: the permit becomes free.
        value += 1
        return .none
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        precondition(value >= 0 && value <= (maxValue ?? .max))
        precondition(waiters.isEmpty || value == 0)
        precondition(grantedEarly.isDisjoint(with: cancelledEarly))
    }
    #endif
}
