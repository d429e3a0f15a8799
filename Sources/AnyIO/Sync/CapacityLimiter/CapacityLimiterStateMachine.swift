//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of a ``CapacityLimiter``: no locks, no `async`, no side effects. Each event returns
/// what the caller must do once it has released the lock.
///
/// Like `SemaphoreStateMachine` (read them together), the state is a few fields tied by
/// invariants rather than an enum of modes, and a blocked acquire goes through the `WaitQueue`'s
/// events: `acquire` (registered under the lock), `park` (continuation handed in) and possibly
/// `cancel`.
///
/// Generic over the borrower so the tests can use plain integers.
///
/// Invariant: `totalTokens >= 0`.
/// Invariant: `!waiters.isEmpty` implies `borrowers.count >= totalTokens`: whenever a token is
/// free, the first waiter gets it at once (on release and on raising `totalTokens`), so no token is
/// ever free while someone waits (no barging).
/// Invariant: a borrower is in at most one of `borrowers` and `waitingBorrowers`, and at most
/// once (borrowing twice is refused), so `borrowers.count` is the number of tokens borrowed.
/// Invariant: `waitingBorrowers` has exactly the borrowers of the waiters in `waiters`.
struct CapacityLimiterStateMachine<Borrower: Hashable, Waiter> {
    typealias Ticket = WaitQueue<Waiter, Borrower>.Ticket

    /// The number of tokens that may be borrowed at once; `Int.max` means no limit. Changed only
    /// by `setTotalTokens(_:)`; it may drop below `borrowers.count` (then nobody new gets one
    /// until enough are released).
    private(set) var totalTokens: Int
    /// Who holds a token now. Grows when a token is taken or handed to a waiter, shrinks on
    /// release.
    private(set) var borrowers: Set<Borrower> = []
    /// The blocked acquirers with their borrowers, first come first served. A waiter woken by a
    /// release holds a token.
    private var waiters = WaitQueue<Waiter, Borrower>()
    /// The borrowers of the waiters, to refuse a second acquire by the same borrower. Changes
    /// with `waiters`.
    private var waitingBorrowers: Set<Borrower> = []

    /// Creates the state of a limiter. The public initializer has checked the argument.
    init(totalTokens: Int) {
        assert(totalTokens >= 0)
        self.totalTokens = totalTokens
    }

    /// The number of blocked acquirers.
    var waitingCount: Int { waiters.count }

    /// The number of tokens borrowed now.
    var borrowedTokens: Int { borrowers.count }

    /// What an `acquire()` must do after its cancellation check.
    enum AcquireAction: Equatable {
        /// The borrower holds a token now.
        case acquired
        /// It must park with this ticket.
        case park(Ticket)
        /// Refused, nothing changed: the borrower already holds a token or waits for one.
        case alreadyBorrowing
    }

    /// What a non-blocking acquire reports.
    enum TryAcquireAction: Equatable {
        /// The borrower holds a token now.
        case acquired
        /// No token is free (or others wait for one first); nothing changed.
        case wouldBlock
        /// Refused, nothing changed: the borrower already holds a token or waits for one.
        case alreadyBorrowing
    }

    /// What `release(_:)` must do.
    enum ReleaseAction {
        /// Trap: this borrower holds no token; nothing changed.
        case notHolding
        /// Resume these waiters normally (each holds a token now); often empty.
        case resume([Waiter])
    }

    /// What `setTotalTokens(_:)` must do.
    enum SetTotalTokensAction {
        /// Resume these waiters normally: each was handed one of the new tokens.
        case resume([Waiter])
    }

    /// A non-blocking acquire for `borrower`.
    mutating func tryAcquire(_ borrower: Borrower) -> TryAcquireAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if borrowers.contains(borrower) || waitingBorrowers.contains(borrower) {
            // Borrowing twice is refused (AnyIO raises RuntimeError).
            return .alreadyBorrowing
        }
        if !waiters.isEmpty || borrowers.count >= totalTokens {
            // Full, or others are first in line: no barging.
            return .wouldBlock
        }
        // A token is free and nobody waits: take it.
        borrowers.insert(borrower)
        return .acquired
    }

    /// An `acquire()` for `borrower` that passed its cancellation check: takes a free token or
    /// registers.
    mutating func acquire(borrower: Borrower) -> AcquireAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        switch tryAcquire(borrower) {
        case .acquired:
            // Took a free token.
            return .acquired
        case .alreadyBorrowing:
            // Refused; nothing queued.
            return .alreadyBorrowing
        case .wouldBlock:
            // Wait behind the others, FIFO.
            waitingBorrowers.insert(borrower)
            return .park(waiters.register(borrower))
        }
    }

    /// A registered `acquire()` hands in its continuation.
    mutating func park(_ ticket: Ticket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return waiters.park(ticket, waiter)
    }

    /// A waiting `acquire()` was cancelled: the continuation to fail, if it had parked and was not
    /// handed a token (a token handed over wins).
    mutating func cancel(_ ticket: Ticket) -> Waiter? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard let (borrower, waiter) = waiters.cancelEntry(ticket) else { return nil }
        waitingBorrowers.remove(borrower)
        return waiter
    }

    /// `borrower` gives its token back; it goes to the first waiter if one now fits.
    mutating func release(_ borrower: Borrower) -> ReleaseAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard borrowers.remove(borrower) != nil else {
            // Releasing a token it does not hold is a programmer error; nothing changes.
            return .notHolding
        }
        // One fewer borrowed: hand out what now fits (none if totalTokens was lowered below).
        return .resume(grantFreeTokens())
    }

    /// Changes the number of tokens. Raising it hands the new tokens to waiters at once; lowering
    /// it below the number borrowed takes nothing back.
    mutating func setTotalTokens(_ newValue: Int) -> SetTotalTokensAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        assert(newValue >= 0)
        totalTokens = newValue
        // Hand out every token that now fits, first come first served.
        return .resume(grantFreeTokens())
    }

    /// Hands free tokens to the front waiters while any fit. Returns the parked ones to resume;
    /// those not parked yet resume when they park.
    private mutating func grantFreeTokens() -> [Waiter] {
        var resumed: [Waiter] = []
        while borrowers.count < totalTokens, let (_, borrower, waiter) = waiters.unparkFirst() {
            waitingBorrowers.remove(borrower)
            borrowers.insert(borrower)
            if let waiter { resumed.append(waiter) }
        }
        return resumed
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        precondition(totalTokens >= 0)
        precondition(waiters.isEmpty || borrowers.count >= totalTokens)
        precondition(waitingBorrowers.count == waiters.count)
        precondition(borrowers.isDisjoint(with: waitingBorrowers))
        waiters._checkInvariants()
    }
    #endif
}
