//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The lock, continuations and cancellation handling of a ``Future``.
///
/// Read with `FutureStateMachine.swift`: each lock section below runs exactly one of its events,
/// and every continuation is resumed after the lock is released.
final class FutureStorage<Value: Sendable>: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    /// The future's state. Every access is one state-machine event under the lock.
    let state = StateLock(FutureStateMachine<Value, Waiter>())

    init() {}

    var status: FutureStateMachine<Value, Waiter>.Status { state.withLock { $0.status } }

    /// The status and outcome, read together.
    var snapshot: (status: FutureStateMachine<Value, Waiter>.Status, outcome: Result<Value, any Error>?) {
        state.withLock { ($0.status, $0.outcome) }
    }

    var waitingCount: Int { state.withLock { $0.waitingCount } }

    /// Finishes the future with `outcome`; throws if it had already finished or was cancelled.
    func finish(_ outcome: sending Result<Value, any Error>) throws {
        switch state.withLock({ $0.finish(outcome) }) {
        case .resumeAll(let waiters):
            // Outside the lock: resuming a continuation may run the waiter's task right away.
            for waiter in waiters { waiter.resume() }
        case .alreadyFinished(.cancelled):
            throw FutureCancelledError()
        case .alreadyFinished(let status):
            throw FutureAlreadyFinishedError(failed: status == .failed)
        }
    }

    func cancel() {
        if case .resumeAll(let waiters) = state.withLock({ $0.cancelFuture() }) {
            for waiter in waiters { waiter.resume() }
        }
    }

    nonisolated(nonsending) func wait() async throws {
        try throwIfCancelled()
        switch state.withLock({ $0.wait() }) {
        case .ready:
            await budgetedSchedulePoint()
        case .park(let ticket):
            try await park(on: .future) { waiter in
                state.withLock { $0.park(ticket, waiter) }
            } cancel: {
                state.withLock { $0.cancelWaiter(ticket) }
            }
        }
    }
}
