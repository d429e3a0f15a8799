//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The waiting list, continuations and cancellation handling of a ``Condition``.
///
/// A notified waiter is not resumed to take the lock back itself: `notify` (which holds the lock)
/// moves its continuation into the lock's FIFO queue (Trio's repark), so woken waiters get the
/// lock back in the order they were notified, whatever order the threads run them in. Read with
/// `LockStorage.enqueueHandedOver`.
final class ConditionStorage: Sendable {
    /// A waiting `wait()`: its continuation, and the task that will own the lock again.
    struct Waiter: Sendable {
        var owner: LogicalTask
        var parked: ParkedContinuation<Void, any Error>
    }

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
        do {
            let mark = WaitMark.begin(.condition)
            try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                    let waiter = Waiter(owner: caller, parked: ParkedContinuation(continuation, mark))
                    // Single resumption: the state machine hands the continuation out once: to
                    // `notify` (which moves it to the lock's queue, whose hand-off or break then
                    // resumes it), to the cancellation handler, or back here.
                    switch state.withLock({ $0.suspend(id, waiter) }) {
                    case .suspend: break
                    case .resume(let waiter): lock.enqueueHandedOver(waiter.owner, waiter.parked)
                    case .cancel(let waiter): waiter.parked.resume(throwing: CancellationError())
                    }
                }
            } onCancel: {
                if case .cancel(let waiter) = state.withLock({ $0.cancel(id) }) {
                    waiter.parked.resume(throwing: CancellationError())
                }
            }
        } catch let error as BrokenResourceError {
            // The lock broke while this waiter was queued for it: it does not hold it.
            throw error
        } catch {
            // Cancelled before it was notified: the lock is taken back all the same (AnyIO
            // shields this), then the cancellation is thrown.
            try await lock.acquireIgnoringCancellation()
            throw error
        }
        // Notified: the lock was handed back to this task through its queue.
        lock.handedOver(to: caller)
    }

    func notify(_ count: Int) {
        checkPrecondition(count >= 0, "AnyIO: Condition.notify(_:) needs a count of 0 or more, got \(count)")
        requireHeld(by: currentLogicalTask(), "notify(_:)")
        handOver(state.withLock { $0.notify(count) })
    }

    func notifyAll() {
        requireHeld(by: currentLogicalTask(), "notifyAll()")
        handOver(state.withLock { $0.notify(.max) })
    }

    /// Moves notified waiters into the lock's queue, in order (outside the condition's lock).
    private func handOver(_ waiters: [Waiter]) {
        for waiter in waiters { lock.enqueueHandedOver(waiter.owner, waiter.parked) }
    }

    private func requireHeld(by caller: LogicalTask, _ method: String) {
        checkPrecondition(
            lock.isHeld(by: caller),
            "AnyIO: Condition.\(method) called by \(caller.description), which does not hold the condition's lock; acquire it first (condition.withLock { … })"
        )
    }
}
