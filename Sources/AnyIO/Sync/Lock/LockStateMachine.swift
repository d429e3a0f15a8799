//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of a ``Lock``: no locks, no `async`, no side effects. Each event returns what the
/// caller must do once it has released the mutex.
///
/// Generic over the owner (a `LogicalTask` in the library, an integer in tests) and the waiter
/// (a continuation).
///
/// Invariant: there are waiters only while the lock is held. A release hands the lock straight to
/// the first waiter (FIFO), so a newcomer can never barge in between.
struct LockStateMachine<Owner: Hashable, Waiter> {
    /// A suspended `acquire()`: who will own the lock, and how to resume them.
    struct Entry {
        var owner: Owner
        var waiter: Waiter
    }

    private enum State {
        /// Nobody holds the lock (and so nobody waits).
        case unlocked
        /// `owner` holds the lock. `grantedTo` is the waiter id it was handed to, if it got the
        /// lock by waiting: a cancellation that arrives for that id after the hand-off is stale
        /// (the acquisition won).
        case locked(owner: Owner, grantedTo: WaiterID?)
        /// The owner task ended while holding the lock. Terminal: every acquirer fails.
        case broken
    }

    private var state = State.unlocked
    /// Suspended acquirers in FIFO order. Invariant: empty unless `state` is `.locked`.
    /// Kept outside `State` so that queueing mutates it in place (an associated value would be
    /// copied on every change: copy-on-write showed up in the `lock` benchmark's profile).
    private var waiters = WaiterQueue<Entry>()
    /// Ids whose cancellation arrived before their continuation did (cancel-before-suspend).
    /// Not recorded once broken: a broken lock fails the caller anyway.
    private var cancelledEarly: Set<WaiterID> = []

    init() {}

    /// What an acquire attempt (the fast path, `tryAcquire`) found.
    enum AcquireAction: Equatable {
        /// The caller now owns the lock.
        case acquired
        /// Another task holds the lock: suspend (or, for `tryAcquire`, give up).
        case mustWait
        /// The caller already holds the lock: acquiring again would deadlock.
        case alreadyHeld
        /// The lock is broken.
        case broken
    }

    /// What a suspending `acquire()` must do with its continuation.
    enum SuspendAction {
        /// It was queued: stay suspended.
        case suspend
        /// The lock was free (released meanwhile): the caller owns it; resume normally.
        case resume(Waiter)
        /// Its cancellation came first: resume with `CancellationError`.
        case cancel(Waiter)
        /// The caller already holds the lock: trap (outside the lock).
        case alreadyHeld(Waiter)
        /// Resume with `BrokenResourceError`.
        case broken(Waiter)
    }

    /// What a cancelled `acquire()` must do.
    enum CancelAction {
        /// Nothing: the waiter already got the lock, was failed, or has not suspended yet.
        case none
        /// Resume this waiter with `CancellationError`; it was removed from the queue.
        case cancel(Waiter)
    }

    /// What `release()` must do.
    enum ReleaseAction {
        /// Nothing more: the lock is free.
        case none
        /// The lock was handed to this waiter: resume it normally.
        case resume(Waiter)
        /// The caller does not hold the lock (the holder is given, if any): trap.
        case notOwner(holder: Owner?)
        /// The lock is broken: trap.
        case broken
    }

    /// What the end of the owner task must do.
    enum BreakAction {
        /// Nothing: that task no longer holds the lock.
        case none
        /// The lock is broken now: resume every waiter with `BrokenResourceError`.
        case failAll([Waiter])
    }

    var isLocked: Bool {
        switch state {
        case .unlocked: return false
        case .locked, .broken: return true
        }
    }

    var isBroken: Bool {
        if case .broken = state { return true }
        return false
    }

    /// The current holder, if any.
    var owner: Owner? {
        if case .locked(let owner, _) = state { return owner }
        return nil
    }

    /// The number of suspended acquirers.
    var waitingCount: Int { waiters.count }

    mutating func acquire(_ caller: Owner) -> AcquireAction {
        switch state {
        case .unlocked:
            state = .locked(owner: caller, grantedTo: nil)
            return .acquired
        case .locked(let owner, _):
            return owner == caller ? .alreadyHeld : .mustWait
        case .broken:
            return .broken
        }
    }

    mutating func suspend(_ id: WaiterID, _ caller: Owner, _ waiter: Waiter) -> SuspendAction {
        if !cancelledEarly.isEmpty, cancelledEarly.remove(id) != nil {
            // Its cancellation handler already ran: it never queues.
            return .cancel(waiter)
        }
        switch state {
        case .unlocked:
            // Released between the fast path and now: take it. Recorded as granted, so a
            // cancellation arriving before the caller returns is recognised as stale.
            state = .locked(owner: caller, grantedTo: id)
            return .resume(waiter)
        case .locked(let owner, _):
            if owner == caller { return .alreadyHeld(waiter) }
            waiters.append(id, Entry(owner: caller, waiter: waiter))
            return .suspend
        case .broken:
            return .broken(waiter)
        }
    }

    mutating func cancel(_ id: WaiterID) -> CancelAction {
        switch state {
        case .unlocked:
            // Not suspended yet (had it suspended, the lock would be held): remember.
            cancelledEarly.insert(id)
            return .none
        case .locked(_, let grantedTo):
            if grantedTo == id {
                // Handed the lock before the cancellation arrived: the acquisition stands.
                return .none
            }
            if let entry = waiters.remove(id) {
                return .cancel(entry.waiter)
            }
            // Not suspended yet: remember, so `suspend` cancels it instead of queueing it.
            cancelledEarly.insert(id)
            return .none
        case .broken:
            // Suspended waiters were failed already; one still to suspend fails in `suspend`.
            return .none
        }
    }

    mutating func release(_ caller: Owner) -> ReleaseAction {
        switch state {
        case .unlocked:
            return .notOwner(holder: nil)
        case .locked(let owner, _):
            guard owner == caller else { return .notOwner(holder: owner) }
            if let (id, entry) = waiters.popFirst() {
                // FIFO hand-off: the first waiter owns the lock from now on.
                state = .locked(owner: entry.owner, grantedTo: id)
                return .resume(entry.waiter)
            }
            state = .unlocked
            return .none
        case .broken:
            return .broken
        }
    }

    /// The task `ended` has finished; if it still holds the lock, the lock breaks (Trio 0.27).
    mutating func ownerEnded(_ ended: Owner) -> BreakAction {
        guard case .locked(let owner, _) = state, owner == ended else { return .none }
        state = .broken
        cancelledEarly = []
        return .failAll(waiters.removeAll().map(\.waiter))
    }
}
