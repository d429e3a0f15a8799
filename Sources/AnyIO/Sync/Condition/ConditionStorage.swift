//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The waiting list, continuations and cancellation handling of a ``Condition``.
final class ConditionStorage: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    let lock: LockStorage
    let state = StateLock(ConditionStateMachine<Waiter>())

    init(lock: LockStorage) {
        self.lock = lock
    }

    var waitingCount: Int { state.withLock { $0.waitingCount } }

    func wait() async throws {
        try throwIfCancelled()
        let caller = currentLogicalTask()
        requireHeld(by: caller, "wait()")
        let id = WaiterID.next()
        // Reserve before releasing, so a notify between the release and the suspension counts.
        state.withLock { $0.reserve(id) }
        lock.release()
        let outcome: Result<Void, any Error>
        do {
            let mark = WaitMark.begin(.condition)
            try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                    let waiter = Waiter(continuation, mark)
                    // Single resumption: the state machine hands the continuation out once: to
                    // `notify`, to the cancellation handler, or back here.
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
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        // The lock is taken back in every case, also when cancelled (AnyIO shields this).
        try await lock.acquireIgnoringCancellation()
        try outcome.get()
    }

    func notify(_ count: Int) {
        precondition(count >= 0, "AnyIO: Condition.notify(_:) needs a count of 0 or more, got \(count)")
        requireHeld(by: currentLogicalTask(), "notify(_:)")
        let waiters = state.withLock { $0.notify(count) }
        for waiter in waiters { waiter.resume() }
    }

    func notifyAll() {
        requireHeld(by: currentLogicalTask(), "notifyAll()")
        let waiters = state.withLock { $0.notify(.max) }
        for waiter in waiters { waiter.resume() }
    }

    private func requireHeld(by caller: LogicalTask, _ method: String) {
        precondition(
            lock.isHeld(by: caller),
            "AnyIO: Condition.\(method) called by \(caller.description), which does not hold the condition's lock; acquire it first (condition.withLock { … })"
        )
    }
}
