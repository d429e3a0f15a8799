//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of a ``Future``: no locks, no `async`, no side effects. Each event returns what the
/// caller must do once it has released the lock.
///
/// Invariant: once the state leaves `.pending` it never changes again.
struct FutureStateMachine<Value, Waiter> {
    private enum State {
        /// Not finished yet. `waiters` are suspended `wait()` calls by id; `cancelledEarly` holds
        /// ids whose cancellation arrived before their continuation did (cancel-before-suspend).
        case pending(waiters: [WaiterID: Waiter], cancelledEarly: Set<WaiterID>)
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

    private var state = State.pending(waiters: [:], cancelledEarly: [])

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
    var waitingCount: Int {
        if case .pending(let waiters, _) = state { return waiters.count }
        return 0
    }

    /// Sets the return value (`.success`) or the error (`.failure`).
    mutating func finish(_ outcome: Result<Value, any Error>) -> FinishAction {
        switch state {
        case .pending(let waiters, _):
            // First outcome: store it and wake everyone; early-cancelled ids no longer matter.
            switch outcome {
            case .success(let value): state = .finished(value)
            case .failure(let error): state = .failed(error)
            }
            return .resumeAll(Array(waiters.values))
        case .finished, .failed, .cancelled:
            // One-shot: the first outcome (or the cancellation) stays; the caller reports it.
            return .alreadyFinished(status)
        }
    }

    /// `Future.cancel()`: finishes a pending future as cancelled.
    mutating func cancelFuture() -> FinishAction {
        switch state {
        case .pending(let waiters, _):
            // Cancelled before any outcome: wake everyone, who then see `.cancelled`.
            state = .cancelled
            return .resumeAll(Array(waiters.values))
        case .finished, .failed, .cancelled:
            // AnyIO: cancelling a finished future does nothing.
            return .alreadyFinished(status)
        }
    }

    mutating func suspend(_ id: WaiterID, _ waiter: Waiter) -> SuspendAction {
        switch state {
        case .pending(var waiters, var cancelledEarly):
            // Drop the state's references first, so the mutations below do not copy (CoW).
            state = .pending(waiters: [:], cancelledEarly: [])
            if cancelledEarly.remove(id) != nil {
                // Its cancellation handler already ran: cancel it instead of storing it.
                state = .pending(waiters: waiters, cancelledEarly: cancelledEarly)
                return .cancel(waiter)
            }
            // Normal path: wait for an outcome.
            precondition(waiters[id] == nil, "AnyIO: internal error: Future waiter \(id.rawValue) suspended twice")
            waiters[id] = waiter
            state = .pending(waiters: waiters, cancelledEarly: cancelledEarly)
            return .suspend
        case .finished, .failed, .cancelled:
            // Finished between the caller's check and its suspension: complete normally.
            return .resume(waiter)
        }
    }

    mutating func cancelWaiter(_ id: WaiterID) -> CancelAction {
        switch state {
        case .pending(var waiters, var cancelledEarly):
            // Drop the state's references first, so the mutations below do not copy (CoW).
            state = .pending(waiters: [:], cancelledEarly: [])
            if let waiter = waiters.removeValue(forKey: id) {
                // Suspended and not finished: it leaves with CancellationError.
                state = .pending(waiters: waiters, cancelledEarly: cancelledEarly)
                return .cancel(waiter)
            }
            // Not suspended yet: remember, so `suspend` cancels it.
            cancelledEarly.insert(id)
            state = .pending(waiters: waiters, cancelledEarly: cancelledEarly)
            return .none
        case .finished, .failed, .cancelled:
            // Already resumed normally when the future finished (that came first).
            return .none
        }
    }
}
