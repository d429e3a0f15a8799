//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of a ``Future``: no locks, no `async`, no side effects. Each event returns what the
/// caller must do once it has released the lock.
///
/// Invariant: once the state leaves `.pending` it never changes again.
struct FutureStateMachine<Value, Waiter> {
    private enum State {
        /// Not finished yet.
        case pending
        /// Finished with a return value. Terminal.
        case finished(Value)
        /// Finished with an error. Terminal.
        case failed(any Error)
        /// Cancelled through `Future.cancel()` before it finished. Terminal.
        case cancelled
    }

    /// Where the future is, without its payload.
    enum Status: Equatable {
        case pending, finished, failed, cancelled
    }

    private var state = State.pending
    /// The `wait()` calls waiting for an outcome. Invariant: empty unless pending.
    private var waiters = WaitQueue<Waiter, Void>()

    init() {}

    /// What finishing the future (with a value, an error, or by cancelling it) must do.
    enum FinishAction {
        /// Resume every waiter normally: the future is finished now.
        case resumeAll([Waiter])
        /// Nothing changed: the future had already finished in this way.
        case alreadyFinished(Status)
    }

    /// What a `wait()` that passed its cancellation check must do.
    enum WaitAction {
        /// Return (after a schedule point): the future has finished.
        case ready
        /// Park with this ticket.
        case park(WaitQueue<Waiter, Void>.Ticket)
    }

    var status: Status {
        switch state {
        case .pending: return .pending
        case .finished: return .finished
        case .failed: return .failed
        case .cancelled: return .cancelled
        }
    }

    /// The outcome, once finished: the value or the error; `nil` while pending or when cancelled.
    var outcome: Result<Value, any Error>? {
        switch state {
        case .finished(let value): return .success(value)
        case .failed(let error): return .failure(error)
        case .pending, .cancelled: return nil
        }
    }

    /// The number of suspended waiters.
    var waitingCount: Int { waiters.count }

    /// Leaves `.pending` for `newState`, handing back every parked waiter.
    private mutating func finish(as newState: State) -> [Waiter] {
        state = newState
        return waiters.unparkAll()
    }

    /// Sets the return value (`.success`) or the error (`.failure`).
    mutating func finish(_ outcome: Result<Value, any Error>) -> FinishAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        switch state {
        case .pending:
            // First outcome: store it and wake everyone.
            switch outcome {
            case .success(let value): return .resumeAll(finish(as: .finished(value)))
            case .failure(let error): return .resumeAll(finish(as: .failed(error)))
            }
        case .finished, .failed, .cancelled:
            // One-shot: the first outcome (or the cancellation) stays; the caller reports it.
            return .alreadyFinished(status)
        }
    }

    /// `Future.cancel()`: finishes a pending future as cancelled.
    mutating func cancelFuture() -> FinishAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        switch state {
        case .pending:
            // Cancelled before any outcome: wake everyone, who then see `.cancelled`.
            return .resumeAll(finish(as: .cancelled))
        case .finished, .failed, .cancelled:
            // AnyIO: cancelling a finished future does nothing.
            return .alreadyFinished(status)
        }
    }

    /// `wait()`: returns at once if finished, or registers the caller.
    mutating func wait() -> WaitAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if case .pending = state { return .park(waiters.register()) }
        return .ready
    }

    /// A registered waiter hands in its continuation.
    mutating func park(_ ticket: WaitQueue<Waiter, Void>.Ticket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return waiters.park(ticket, waiter)
    }

    /// A waiter was cancelled: the continuation to fail, if it had parked and was not woken.
    mutating func cancelWaiter(_ ticket: WaitQueue<Waiter, Void>.Ticket) -> Waiter? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return waiters.cancel(ticket)
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        precondition(status == .pending || waiters.isEmpty)
        waiters._checkInvariants()
    }
    #endif
}
