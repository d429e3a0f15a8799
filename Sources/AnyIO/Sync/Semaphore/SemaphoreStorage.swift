//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The lock, continuations and cancellation handling of a ``Semaphore``.
///
/// Read with `SemaphoreStateMachine.swift`: each lock section below runs exactly one of its
/// events, and every continuation is resumed after the lock is released.
final class SemaphoreStorage: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    /// The semaphore's state. Every access is one state-machine event under the lock.
    let state: StateLock<SemaphoreStateMachine<Waiter>>
    /// Whether an uncontended `acquire()` skips its yield (AnyIO's `fast_acquire`). Fixed.
    let fastAcquire: Bool
    /// The semaphore's maximum value (also in the state machine), readable without the lock.
    let maxValue: Int?

    init(initialValue: Int, maxValue: Int?, fastAcquire: Bool) {
        state = StateLock(SemaphoreStateMachine(initialValue: initialValue, maxValue: maxValue))
        self.fastAcquire = fastAcquire
        self.maxValue = maxValue
    }

    var value: Int { state.withLock { $0.value } }

    var waitingCount: Int { state.withLock { $0.waitingCount } }

    func tryAcquire() -> Bool {
        state.withLock { $0.tryAcquire() }
    }

    nonisolated(nonsending) func acquire() async throws {
        try throwIfCancelled()
        // The schedule point, before a permit is taken (see `budgetedSchedulePointBeforeTaking`),
        // unless the caller asked for AnyIO's fast path.
        if !fastAcquire { try await budgetedSchedulePointBeforeTaking() }
        switch state.withLock({ $0.acquire() }) {
        case .acquired:
            break
        case .park(let ticket):
            try await park(on: .semaphore) { waiter in
                state.withLock { $0.park(ticket, waiter) }
            } cancel: {
                state.withLock { $0.cancel(ticket) }
            }
        }
    }

    func release() {
        switch state.withLock({ $0.release() }) {
        case .none:
            break
        case .resume(let waiter):
            // Outside the lock: resuming may run the waiter's task right away.
            waiter.resume()
        case .exceedsMaxValue(let maxValue):
            fatalError(
                "AnyIO: Semaphore.release() called too many times: the value is already at its maxValue \(maxValue); "
                    + "release only permits you acquired"
            )
        }
    }
}
