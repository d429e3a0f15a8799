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
    /// Suspended `wait()` calls by id. Invariant: empty unless pending.
    /// Kept outside `State` so that it is mutated in place, not copied on every change.
    private var waiters: [WaiterID: Waiter] = [:]
    /// Ids whose cancellation arrived before their continuation did (cancel-before-suspend).
    /// Invariant: empty unless pending.
    private var cancelledEarly: Set<WaiterID> = []

    init() {}

    /// What finishing the future (with a value, an error, or by cancelling it) must do.
    enum FinishAction {
        /// Resume every waiter normally: the future is finished now.
        case resumeAll([Waiter])
        /// Nothing changed: the future had already finished in this way.
        case alreadyFinished(Status)
    }

    /// What a `wait()` that is about to suspend must do with its continuation.
    enum SuspendAction {
        /// Keep it suspended: it was stored.
        case suspend
        /// Resume it normally at once: the future has finished.
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

    /// Leaves `.pending` for `newState`, handing back every suspended waiter.
    private mutating func finish(as newState: State) -> [Waiter] {
        state = newState
        let woken = Array(waiters.values)
        waiters = [:]
        cancelledEarly = []
        return woken
    }

    /// Sets the return value (`.success`) or the error (`.failure`).
    mutating func finish(_ outcome: Result<Value, any Error>) -> FinishAction {
        switch state {
        case .pending:
            // First outcome: store it and wake everyone; early-cancelled ids no longer matter.
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
        switch state {
        case .pending:
            // Cancelled before any outcome: wake everyone, who then see `.cancelled`.
            return .resumeAll(finish(as: .cancelled))
        case .finished, .failed, .cancelled:
            // AnyIO: cancelling a finished future does nothing.
            return .alreadyFinished(status)
        }
    }

    mutating func suspend(_ id: WaiterID, _ waiter: Waiter) -> SuspendAction {
        switch state {
        case .pending:
            if !cancelledEarly.isEmpty, cancelledEarly.remove(id) != nil {
                // Its cancellation handler already ran: cancel it instead of storing it.
                return .cancel(waiter)
            }
            // Normal path: wait for an outcome.
            checkPrecondition(waiters[id] == nil, "AnyIO: internal error: Future waiter \(id.rawValue) suspended twice")
            waiters[id] = waiter
            return .suspend
        case .finished, .failed, .cancelled:
            // Finished between the caller's check and its suspension: complete normally.
            return .resume(waiter)
        }
    }

    mutating func cancelWaiter(_ id: WaiterID) -> CancelAction {
        switch state {
        case .pending:
            if let waiter = waiters.removeValue(forKey: id) {
                // Suspended and not finished: it leaves with CancellationError.
                return .cancel(waiter)
            }
            // Not suspended yet: remember, so `suspend` cancels it.
            cancelledEarly.insert(id)
            return .none
        case .finished, .failed, .cancelled:
            // Already resumed normally when the future finished (that came first).
            return .none
        }
    }
}
