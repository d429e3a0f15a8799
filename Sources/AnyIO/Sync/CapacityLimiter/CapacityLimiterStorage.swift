//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The lock, continuations and cancellation handling of a ``CapacityLimiter``.
///
/// Read with `CapacityLimiterStateMachine.swift`: each lock section below runs exactly one of its
/// events, and every continuation is resumed after the lock is released.
final class CapacityLimiterStorage: Sendable {
    typealias Borrower = CapacityLimiter.Borrower
    typealias Waiter = ParkedContinuation<Void, any Error>

    /// The limiter's state. Every access is one state-machine event under the lock.
    let state: StateLock<CapacityLimiterStateMachine<Borrower, Waiter>>

    init(totalTokens: Int) {
        state = StateLock(CapacityLimiterStateMachine(totalTokens: totalTokens))
    }

    var totalTokens: Int { state.withLock { $0.totalTokens } }

    func setTotalTokens(_ newValue: Int) {
        let action = state.withLock { $0.setTotalTokens(newValue) }
        // Outside the lock: resuming may run the waiters' tasks right away.
        if case .resume(let waiters) = action {
            for waiter in waiters { waiter.resume() }
        }
    }

    func statistics() -> CapacityLimiterStatistics {
        state.withLock { machine in
            CapacityLimiterStatistics(
                borrowedTokens: machine.borrowedTokens,
                totalTokens: machine.totalTokens,
                tasksWaiting: machine.waitingCount,
                borrowers: Array(machine.borrowers)
            )
        }
    }

    var counts: (total: Int, borrowed: Int, waiting: Int) {
        state.withLock { ($0.totalTokens, $0.borrowedTokens, $0.waitingCount) }
    }

    /// A non-blocking acquire; traps if `borrower` already holds or waits for a token.
    func tryAcquire(_ borrower: Borrower, function: String) -> Bool {
        switch state.withLock({ $0.tryAcquire(borrower) }) {
        case .acquired:
            return true
        case .wouldBlock:
            return false
        case .alreadyBorrowing:
            fatalError(
                "AnyIO: CapacityLimiter.\(function): \(borrower) is already holding (or waiting for) one of this "
                    + "CapacityLimiter's tokens; release it first (acquire() throws AlreadyBorrowingError instead)"
            )
        }
    }

    nonisolated(nonsending) func acquire(_ borrower: Borrower) async throws {
        try throwIfCancelled()
        // The schedule point, before a token is taken (see `budgetedSchedulePointBeforeTaking`).
        try await budgetedSchedulePointBeforeTaking()
        switch state.withLock({ $0.acquire(borrower: borrower) }) {
        case .acquired:
            break
        case .alreadyBorrowing:
            throw AlreadyBorrowingError(borrower: borrower.description)
        case .park(let ticket):
            try await park(on: .capacityLimiter) { waiter in
                state.withLock { $0.park(ticket, waiter) }
            } cancel: {
                state.withLock { $0.cancel(ticket) }
            }
        }
    }

    /// Gives `borrower`'s token back; traps if it holds none.
    func release(_ borrower: Borrower, function: String) {
        switch state.withLock({ $0.release(borrower) }) {
        case .resume(let waiters):
            // Outside the lock: resuming may run the waiter's task right away.
            for waiter in waiters { waiter.resume() }
        case .notHolding:
            fatalError(
                "AnyIO: CapacityLimiter.\(function): \(borrower) isn't holding any of this CapacityLimiter's tokens; "
                    + "release from the task that acquired the token, or pass release(onBehalfOf:) the borrower "
                    + "given to acquire(onBehalfOf:)"
            )
        }
    }
}
