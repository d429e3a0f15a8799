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
    typealias Ticket = WaitQueue<Waiter, Owner>.Ticket

    private enum State {
        /// Nobody holds the lock (and so nobody waits).
        case unlocked
        /// `owner` holds the lock.
        case locked(owner: Owner)
        /// The owner task ended while holding the lock. Terminal: every acquirer fails with
        /// `error`.
        case broken(error: any Error)
    }

    private var state = State.unlocked
    /// Blocked acquirers with the owner each will be, FIFO. Invariant: empty unless `state` is
    /// `.locked`. Kept outside `State` so that queueing mutates it in place (an associated value
    /// would be copied on every change: copy-on-write showed up in the `lock` benchmark's profile).
    private var waiters = WaitQueue<Waiter, Owner>()

    init() {}

    /// What an acquire attempt found.
    enum AcquireAction: Equatable {
        /// The caller now owns the lock.
        case acquired
        /// Another task holds the lock; `tryAcquire` gives up (nothing changed).
        case mustWait
        /// Another task holds the lock; `acquire` registered the caller: park with this ticket.
        case park(Ticket)
        /// The caller already holds the lock: acquiring again would deadlock.
        case alreadyHeld
        /// The lock is broken.
        case broken
    }

    /// What `release()` must do.
    enum ReleaseAction {
        /// Nothing more: the lock is free, or was handed to a waiter that has not parked yet (it
        /// resumes when it parks).
        case none
        /// The lock was handed to this waiter: resume it normally.
        case resume(Waiter)
        /// The caller does not hold the lock (the holder is given, if any): trap.
        case notOwner(holder: Owner?)
        /// The lock is broken: trap.
        case broken
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
        if case .locked(let owner) = state { return owner }
        return nil
    }

    /// The number of blocked acquirers.
    var waitingCount: Int { waiters.count }

    /// The owners-to-be of the blocked acquirers, first first (for the task tree).
    var waitingOwners: [Owner] { waiters.payloads }

    /// A non-blocking acquire: `.acquired`, `.mustWait`, `.alreadyHeld` or `.broken`.
    mutating func tryAcquire(_ caller: Owner) -> AcquireAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        switch state {
        case .unlocked:
            state = .locked(owner: caller)
            return .acquired
        case .locked(let owner):
            return owner == caller ? .alreadyHeld : .mustWait
        case .broken:
            return .broken
        }
    }

    /// An `acquire()` that passed its cancellation check: takes the lock, or registers the caller
    /// (`.park`) behind the others.
    mutating func acquire(_ caller: Owner) -> AcquireAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        let action = tryAcquire(caller)
        guard action == .mustWait else { return action }
        return .park(waiters.register(caller))
    }

    /// A registered `acquire()` hands in its continuation.
    mutating func park(_ ticket: Ticket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return waiters.park(ticket, waiter)
    }

    /// A waiting `acquire()` was cancelled: the continuation to fail, if it had parked and was
    /// not handed the lock (a hand-off wins).
    mutating func cancel(_ ticket: Ticket) -> Waiter? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return waiters.cancel(ticket)
    }

    /// Queues a parked continuation for the lock on behalf of `owner`, moved here from a
    /// `Condition`'s queue (Trio's repark). It cannot be cancelled (a condition's `wait()` takes
    /// the lock back also when cancelled). Returns `.resume` if the lock was free (`owner` holds it
    /// now), `.fail` if it is broken, `.parked` if it was queued.
    mutating func repark(_ owner: Owner, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        switch state {
        case .unlocked:
            state = .locked(owner: owner)
            return .resume(waiter)
        case .locked(let holder):
            if holder == owner {
                fatalError("AnyIO: internal error: a Condition waiter's task already holds the lock it waits for")
            }
            waiters.enqueueParked(owner, waiter)
            return .parked
        case .broken(let error):
            return .fail(waiter, error)
        }
    }

    mutating func release(_ caller: Owner) -> ReleaseAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        switch state {
        case .unlocked:
            return .notOwner(holder: nil)
        case .locked(let owner):
            guard owner == caller else { return .notOwner(holder: owner) }
            if let (_, next, waiter) = waiters.unparkFirst() {
                // FIFO hand-off: the first waiter owns the lock from now on.
                state = .locked(owner: next)
                return waiter.map { .resume($0) } ?? .none
            }
            state = .unlocked
            return .none
        case .broken:
            return .broken
        }
    }

    /// The task `ended` has finished; if it still holds the lock, the lock breaks (Trio 0.27), and
    /// every waiter is to be failed with `error` (returned: the parked ones).
    mutating func ownerEnded(_ ended: Owner, error: any Error) -> [Waiter] {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard case .locked(let owner) = state, owner == ended else { return [] }
        state = .broken(error: error)
        return waiters.unparkAll(failing: error)
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        if case .locked = state {} else { precondition(waiters.isEmpty) }
        waiters._checkInvariants()
    }
    #endif
}
