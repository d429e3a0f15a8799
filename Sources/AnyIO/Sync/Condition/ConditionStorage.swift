//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The waiting list, continuations and cancellation handling of a ``Condition``.
///
/// A notified waiter is not resumed to take the lock back itself: `notify` (which holds the lock)
/// moves its continuation into the lock's FIFO queue (Trio's repark), so woken waiters get the
/// lock back in the order they were notified, whatever order the threads run them in. (A waiter
/// notified in the instant between its registration and its parking joins the lock's queue when
/// it parks, behind those moved already.) Read with `LockStorage.repark`.
final class ConditionStorage: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    let lock: LockStorage
    let state = StateLock(ConditionStateMachine<LogicalTask, Waiter>())

    init(lock: LockStorage) {
        self.lock = lock
    }

    var waitingCount: Int { state.withLock { $0.waitingCount } }

    func wait() async throws {
        try throwIfCancelled()
        let caller = currentLogicalTask()
        requireHeld(by: caller, "wait()")
        // Register before releasing, so a notify between the release and the parking counts.
        let ticket = state.withLock { $0.register(caller) }
        lock.release()
        do {
            try await park(on: .condition) { waiter in
                let outcome = state.withLock { $0.park(ticket, waiter) }
                // Notified before it parked: it goes to the lock's queue, like a parked waiter.
                guard case .resume(let waiter) = outcome else { return outcome }
                lock.repark(caller, waiter)
                return .parked
            } cancel: {
                state.withLock { $0.cancel(ticket) }
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
    private func handOver(_ woken: [(owner: LogicalTask, waiter: Waiter)]) {
        for (owner, waiter) in woken { lock.repark(owner, waiter) }
    }

    private func requireHeld(by caller: LogicalTask, _ method: String) {
        checkPrecondition(
            lock.isHeld(by: caller),
            "AnyIO: Condition.\(method) called by \(caller.description), which does not hold the condition's lock; acquire it first (condition.withLock { … })"
        )
    }
}
