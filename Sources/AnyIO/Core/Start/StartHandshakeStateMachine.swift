//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The handshake between `Nursery.start`'s caller and its child: no locks, no `async`, no side
/// effects. Read with `StartHandshake` (the storage) and `Nursery.start` (the caller's side).
///
/// The caller registers when the handshake is made and parks once the child is launched; it is
/// woken exactly once, with the outcome: the value of `started`, the child's error, `StartError`
/// or `CancellationError`. Cancelling the caller does not wake it: it cancels the child, and the
/// caller is woken when the child finishes (Trio).
///
/// Invariant: `outcome` is set exactly when the caller has been woken (or recorded as woken).
/// Invariant: the phase only moves forward: starting → started | callerCancelled → done.
struct StartHandshakeStateMachine<Value, Waiter> {
    typealias Ticket = WaitQueue<Waiter, Void>.Ticket

    enum Phase: Equatable {
        /// The child runs under its caller's scopes; the caller waits.
        case starting
        /// The caller was cancelled first: `started` is refused now, and the caller is woken when
        /// the child finishes.
        case callerCancelled
        /// `started` succeeded: the child belongs to the nursery.
        case started
        /// The child finished; terminal.
        case done
    }

    /// What `childFinished` must do.
    enum FinishAction {
        /// Nothing more (the caller was woken already, or is recorded as woken).
        case none
        /// Resume the caller normally; it reads `outcome`.
        case resume(Waiter)
        /// The child was a nursery member: record its failure in the nursery.
        case fail(any Error)
    }

    private(set) var phase = Phase.starting
    /// What the caller of `start` gets, once decided.
    private(set) var outcome: Result<Value, any Error>?
    /// The caller of `start`: one waiter.
    private var caller = WaitQueue<Waiter, Void>()
    /// The caller's ticket, registered at creation.
    let callerTicket: Ticket

    init() {
        callerTicket = caller.register()
    }

    /// The caller hands in its continuation.
    mutating func park(_ waiter: Waiter) -> ParkOutcome<Waiter> {
        caller.park(callerTicket, waiter)
    }

    /// `TaskStatus.started`: whether it counts (the first call while starting). The caller is
    /// woken by `deliver` once the child has been moved into the nursery.
    mutating func started() -> Bool {
        guard phase == .starting else { return false }
        phase = .started
        return true
    }

    /// Wakes the caller with `outcome`: the waiter to resume, or `nil` if it has not parked yet.
    mutating func deliver(_ outcome: Result<Value, any Error>) -> Waiter? {
        if self.outcome != nil { fatalError("AnyIO: internal error: start delivered twice") }
        self.outcome = outcome
        return caller.unparkFirst()?.waiter
    }

    /// The caller of `start` was cancelled: whether to cancel the child (only while starting).
    mutating func callerCancelled() -> Bool {
        guard phase == .starting else { return false }
        phase = .callerCancelled
        return true
    }

    /// The child's body returned (`error == nil`) or threw.
    mutating func childFinished(error: (any Error)?) -> FinishAction {
        switch phase {
        case .starting:
            // Before `started`: the caller gets the error itself, or `StartError`.
            phase = .done
            return deliver(.failure(error ?? StartError())).map { .resume($0) } ?? .none
        case .callerCancelled:
            // The caller was cancelled: it sees plain cancellation, unless the child failed.
            phase = .done
            let thrown: any Error = error.flatMap { $0 is CancellationError ? nil : $0 } ?? CancellationError()
            return deliver(.failure(thrown)).map { .resume($0) } ?? .none
        case .started:
            // A nursery member now: its failure is the nursery's.
            phase = .done
            if let error, !(error is CancellationError) { return .fail(error) }
            return .none
        case .done:
            fatalError("AnyIO: internal error: start child finished twice")
        }
    }
}
