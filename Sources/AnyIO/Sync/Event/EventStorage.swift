//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The lock and the waits of an ``Event``.
final class EventStorage: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    let state = StateLock(EventStateMachine<Waiter>())

    func set() {
        let waiters = state.withLock { $0.set() }
        // Outside the lock: resuming a continuation may run the waiter's task right away.
        for waiter in waiters { waiter.resume() }
    }

    var isSet: Bool { state.withLock { $0.isSet } }

    var waitingCount: Int { state.withLock { $0.waitingCount } }

    nonisolated(nonsending) func wait() async throws {
        try throwIfCancelled()
        switch state.withLock({ $0.wait() }) {
        case .ready:
            await budgetedSchedulePoint()
        case .park(let ticket):
            try await park(on: .event) { waiter in
                state.withLock { $0.park(ticket, waiter) }
            } cancel: {
                state.withLock { $0.cancel(ticket) }
            }
        }
    }
}
