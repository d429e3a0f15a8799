//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of a ``Semaphore``: no locks, no `async`, no side effects. Each event returns what
/// the caller must do once it has released the lock.
///
/// A semaphore has no distinct modes, only a count and a waiting queue (Trio's `Semaphore` is a
/// value and a parking lot), so the state is two fields tied by the invariants below.
///
/// Invariant: `value >= 0`, and `value <= maxValue` when there is a maximum.
/// Invariant: `!waiters.isEmpty` implies `value == 0`: a release with waiters hands its permit
/// straight to the first one, so no permit is ever free while someone waits (no barging).
struct SemaphoreStateMachine<Waiter> {
    typealias Ticket = WaitQueue<Waiter, Void>.Ticket

    /// The number of permits free now. Decremented by a successful acquire, incremented by a
    /// release that finds no waiter.
    private(set) var value: Int
    /// The highest `value` may reach, or `nil` for no limit. Fixed at creation.
    let maxValue: Int?
    /// The blocked acquirers, first come first served. A waiter woken by a release holds the
    /// released permit.
    private var waiters = WaitQueue<Waiter, Void>()

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
        /// It must park with this ticket.
        case park(Ticket)
    }

    /// What `release()` must do.
    enum ReleaseAction {
        /// Nothing more: the value went up, or the permit went to a waiter that has not parked
        /// yet (it resumes when it parks).
        case none
        /// Resume this waiter normally: it holds the released permit now.
        case resume(Waiter)
        /// Trap: the value is already at this maximum.
        case exceedsMaxValue(Int)
    }

    /// A non-blocking acquire: takes a permit if one is free.
    mutating func tryAcquire() -> Bool {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        // No barging: a free permit implies an empty queue (invariant), so the check is enough.
        guard value > 0 else { return false }
        value -= 1
        return true
    }

    /// An `acquire()` that passed its cancellation check: takes a free permit or registers.
    mutating func acquire() -> AcquireAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if tryAcquire() { return .acquired }
        // None free: wait behind the others, FIFO.
        return .park(waiters.register())
    }

    /// A registered `acquire()` hands in its continuation.
    mutating func park(_ ticket: Ticket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return waiters.park(ticket, waiter)
    }

    /// A waiting `acquire()` was cancelled: the continuation to fail, if it had parked and was
    /// not handed a permit (a permit handed over wins).
    mutating func cancel(_ ticket: Ticket) -> Waiter? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return waiters.cancel(ticket)
    }

    /// `release()`: hands the permit to the first waiter, or adds it to the value.
    mutating func release() -> ReleaseAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if let (_, _, waiter) = waiters.unparkFirst() {
            // Someone waits, so value == 0 (invariant): the permit goes straight to the first.
            return waiter.map { .resume($0) } ?? .none
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
        waiters._checkInvariants()
    }
    #endif
}
