//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The lock, continuations and cancellation handling of an ``Event``.
final class EventStorage: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    let state = StateLock(EventStateMachine<Waiter>())

    func set() {
        let action = state.withLock { $0.set() }
        // Outside the lock: resuming a continuation may run the waiter's task right away.
        if case .resumeAll(let waiters) = action {
            for waiter in waiters { waiter.resume() }
        }
    }

    var isSet: Bool { state.withLock { $0.isSet } }

    var waitingCount: Int { state.withLock { $0.waitingCount } }

    nonisolated(nonsending) func wait() async throws {
        try throwIfCancelled()
        if isSet {
            await yieldSchedulePoint()
            return
        }
        let id = WaiterID.next()
        let mark = WaitMark.begin(.event)
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let waiter = Waiter(continuation, mark)
                // Single resumption: the state machine hands each continuation out exactly once,
                // to `set()`, to the cancellation handler, or back here.
                switch state.withLock({ $0.suspend(id, waiter) }) {
                case .suspend: break
                case .resume(let waiter): waiter.resume()
                case .cancel(let waiter): waiter.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            if case .cancel(let waiter) = state.withLock({ $0.cancel(id) }) {
                waiter.resume(throwing: CancellationError())
            }
        }
    }
}
