//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of a ``CapacityLimiter``: no locks, no `async`, no side effects. Each event returns
/// what the caller must do once it has released the lock.
///
/// Like `SemaphoreStateMachine` (read them together), the state is a few fields tied by
/// invariants rather than an enum of modes, and a blocked acquire goes through `acquire` (queued
/// under the lock), `suspended` (continuation handed in) and possibly `cancel`, with
/// `grantedEarly` / `cancelledEarly` covering a token or a cancellation that arrives before the
/// continuation does.
///
/// Generic over the borrower so the tests can use plain integers.
///
/// Invariant: `totalTokens >= 0`.
/// Invariant: `!waiters.isEmpty` implies `borrowers.count >= totalTokens`: whenever a token is
/// free, the first waiter gets it at once (on release and on raising `totalTokens`), so no token is
/// ever free while someone waits (no barging).
/// Invariant: a borrower is in at most one of `borrowers` and `waitingBorrowers`, and at most
/// once (borrowing twice is refused), so `borrowers.count` is the number of tokens borrowed.
/// Invariant: `queuedBorrowers` has exactly the ids in `waiters`, and `waitingBorrowers` exactly
/// their borrowers.
struct CapacityLimiterStateMachine<Borrower: Hashable, Waiter> {
    /// Where a queued waiter is.
    private enum Slot {
        /// Queued by `acquire(_:borrower:)`; its continuation is not handed in yet.
        case registered
        /// Suspended on this continuation.
        case suspended(Waiter)
    }

    /// The number of tokens that may be borrowed at once; `Int.max` means no limit. Changed only
    /// by `setTotalTokens(_:)`; it may drop below `borrowers.count` (then nobody new gets one
    /// until enough are released).
    private(set) var totalTokens: Int
    /// Who holds a token now. Grows when a token is taken or handed to a waiter, shrinks on
    /// release.
    private(set) var borrowers: Set<Borrower> = []
    /// The blocked acquirers, first come first served. Grows in `acquire(_:borrower:)`, shrinks
    /// when a token is handed over or a waiter is cancelled.
    private var waiters = WaiterQueue<Slot>()
    /// The borrower of each queued waiter, by waiter id. Changes with `waiters`.
    private var queuedBorrowers: [WaiterID: Borrower] = [:]
    /// The borrowers of the queued waiters, to refuse a second acquire by the same borrower.
    /// Changes with `waiters`.
    private var waitingBorrowers: Set<Borrower> = []
    /// Waiters that were handed a token before their continuation came in. Emptied by
    /// `suspended(_:_:)`.
    private var grantedEarly: Set<WaiterID> = []
    /// Waiters that were cancelled before their continuation came in. Emptied by
    /// `suspended(_:_:)`.
    private var cancelledEarly: Set<WaiterID> = []

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
        /// It was queued: create the continuation and hand it in with `suspended(_:_:)`.
        case enqueued
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

    /// What a queued `acquire()` must do with the continuation it hands in.
    enum SuspendAction {
        /// Keep it suspended: it was stored.
        case suspend
        /// Resume it normally at once: a token was handed to it already.
        case resume(Waiter)
        /// Resume it with `CancellationError` at once: its cancellation came first.
        case cancel(Waiter)
    }

    /// What a cancelled `acquire()` must do.
    enum CancelAction {
        /// Nothing: it was handed a token already (that wins), or it is not suspended yet (then
        /// `suspended(_:_:)` cancels it).
        case none
        /// Resume this waiter with `CancellationError`.
        case cancel(Waiter)
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
    /// queues `id`.
    mutating func acquire(_ id: WaiterID, borrower: Borrower) -> AcquireAction {
        switch tryAcquire(borrower) {
        case .acquired:
            // Took a free token.
            return .acquired
        case .alreadyBorrowing:
            // Refused; nothing queued.
            return .alreadyBorrowing
        case .wouldBlock:
            // Wait behind the others, FIFO.
            waiters.append(id, .registered)
            queuedBorrowers[id] = borrower
            waitingBorrowers.insert(borrower)
            return .enqueued
        }
    }

    /// A queued `acquire()` hands in its continuation.
    mutating func suspended(_ id: WaiterID, _ waiter: Waiter) -> SuspendAction {
        if !grantedEarly.isEmpty, grantedEarly.remove(id) != nil {
            // A token was handed to it before it suspended: it holds the token.
            return .resume(waiter)
        }
        if !cancelledEarly.isEmpty, cancelledEarly.remove(id) != nil {
            // Its cancellation handler already ran and took it out of the queue.
            return .cancel(waiter)
        }
        // Still queued: store the continuation for a release or `cancel(_:)`.
        guard waiters.replace(id, with: .suspended(waiter)) else {
            fatalError(
                "AnyIO: internal error: CapacityLimiter waiter \(id.rawValue) suspended without being queued"
            )
        }
        return .suspend
    }

    /// The task of a queued `acquire()` was cancelled.
    mutating func cancel(_ id: WaiterID) -> CancelAction {
        guard let slot = waiters.remove(id) else {
            // Not queued any more: a token was handed to it first, and completion wins.
            return .none
        }
        forgetQueued(id)
        switch slot {
        case .suspended(let waiter):
            // Suspended and not handed a token: it leaves with CancellationError, nothing taken.
            return .cancel(waiter)
        case .registered:
            // Queued but not suspended yet: `suspended(_:_:)` cancels it.
            cancelledEarly.insert(id)
            return .none
        }
    }

    /// `borrower` gives its token back; it goes to the first waiter if one now fits.
    mutating func release(_ borrower: Borrower) -> ReleaseAction {
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
        assert(newValue >= 0)
        totalTokens = newValue
        // Hand out every token that now fits, first come first served.
        return .resume(grantFreeTokens())
    }

    /// Hands free tokens to the front waiters while any fit. Returns the suspended ones to
    /// resume; those not suspended yet are recorded in `grantedEarly`.
    private mutating func grantFreeTokens() -> [Waiter] {
        var resumed: [Waiter] = []
        while borrowers.count < totalTokens, let (id, slot) = waiters.popFirst() {
            borrowers.insert(forgetQueued(id))
            switch slot {
            case .suspended(let waiter): resumed.append(waiter)
            case .registered: grantedEarly.insert(id)
            }
        }
        return resumed
    }

    /// Drops the bookkeeping of a waiter that left the queue; returns its borrower.
    @discardableResult
    private mutating func forgetQueued(_ id: WaiterID) -> Borrower {
        guard let borrower = queuedBorrowers.removeValue(forKey: id) else {
            fatalError("AnyIO: internal error: CapacityLimiter waiter \(id.rawValue) has no borrower")
        }
        waitingBorrowers.remove(borrower)
        return borrower
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        precondition(totalTokens >= 0)
        precondition(waiters.isEmpty || borrowers.count >= totalTokens)
        precondition(queuedBorrowers.count == waiters.count && waitingBorrowers.count == waiters.count)
        precondition(borrowers.isDisjoint(with: waitingBorrowers))
        precondition(grantedEarly.isDisjoint(with: cancelledEarly))
    }
    #endif
}
