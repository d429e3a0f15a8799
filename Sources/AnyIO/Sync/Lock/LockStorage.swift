//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The mutex, continuations, cancellation handling and owner bookkeeping of a ``Lock``.
///
/// The owner is the *logical* task (`LogicalTask`): the nursery child, or the foreign task, that
/// acquired the lock, also when it did so inside a cancel scope's body. A library task that holds
/// the lock registers it with its `ChildTask`, which breaks the lock if the task ends still
/// holding it.
final class LockStorage: HeldResource {
    typealias Waiter = ParkedContinuation<Void, any Error>

    let state = StateLock(LockStateMachine<LogicalTask, Waiter>())
    let fastAcquire: Bool

    init(fastAcquire: Bool) {
        self.fastAcquire = fastAcquire
    }

    var isLocked: Bool { state.withLock { $0.isLocked } }

    var waitingCount: Int { state.withLock { $0.waitingCount } }

    func statistics() -> LockStatistics {
        state.withLock { LockStatistics(locked: $0.isLocked, tasksWaiting: $0.waitingCount) }
    }

    /// Whether `task` holds the lock.
    func isHeld(by task: LogicalTask) -> Bool {
        state.withLock { $0.owner == task }
    }

    nonisolated(nonsending) func acquire() async throws {
        let caller = try throwIfCancelledGettingLogicalTask()
        switch state.withLock({ $0.acquire(caller) }) {
        case .acquired:
            caller.child?.holdResource(self)
            // A schedule point (cancel-shielded: the lock is ours now), unless the caller asked
            // for AnyIO's fast path.
            if !fastAcquire { await yieldSchedulePoint() }
            return
        case .mustWait:
            try await suspend(caller, cancellable: true)
        case .alreadyHeld:
            alreadyHeld(caller)
        case .broken:
            throw Self.brokenError
        }
    }

    /// Acquires without reacting to cancellation and without a schedule point: how a
    /// ``Condition`` takes its lock back after `wait()`, also when cancelled. Throws only
    /// `BrokenResourceError`.
    nonisolated(nonsending) func acquireIgnoringCancellation() async throws {
        let caller = currentLogicalTask()
        switch state.withLock({ $0.acquire(caller) }) {
        case .acquired:
            caller.child?.holdResource(self)
        case .mustWait:
            try await suspend(caller, cancellable: false)
        case .alreadyHeld:
            alreadyHeld(caller)
        case .broken:
            throw Self.brokenError
        }
    }

    private nonisolated(nonsending) func suspend(_ caller: LogicalTask, cancellable: Bool) async throws {
        let id = WaiterID.next()
        if cancellable {
            try await withTaskCancellationHandler {
                try await wait(id, caller)
            } onCancel: {
                if case .cancel(let waiter) = state.withLock({ $0.cancel(id) }) {
                    waiter.resume(throwing: CancellationError())
                }
            }
        } else {
            try await wait(id, caller)
        }
        // Got the lock by waiting (a hand-off, or it came free just before we queued).
        caller.child?.holdResource(self)
    }

    private nonisolated(nonsending) func wait(_ id: WaiterID, _ caller: LogicalTask) async throws {
        let mark = WaitMark.begin(.lock)
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            let waiter = Waiter(continuation, mark)
            // Single resumption: the state machine hands each continuation out exactly once: to a
            // `release()` hand-off, to the cancellation handler, to the owner-ended break, or
            // back here.
            switch state.withLock({ $0.suspend(id, caller, waiter) }) {
            case .suspend: break
            case .resume(let waiter): waiter.resume()
            case .cancel(let waiter): waiter.resume(throwing: CancellationError())
            case .broken(let waiter): waiter.resume(throwing: Self.brokenError)
            case .alreadyHeld: alreadyHeld(caller)
            }
        }
    }

    /// Queues a parked task for the lock on behalf of `owner`, without it running: a
    /// `Condition.notify` moves its woken waiters here (Trio's repark), so that they get the lock
    /// back in the order they were notified. The entry ignores cancellation (a condition's wait
    /// takes the lock back also when cancelled). `waiter` is resumed normally once the lock is
    /// `owner`'s (the caller then calls `handedOver(to:)`), or with `BrokenResourceError`.
    func enqueueHandedOver(_ owner: LogicalTask, _ waiter: Waiter) {
        // Single resumption: the state machine hands the continuation out exactly once: to a
        // `release()` hand-off, to the owner-ended break, or back here.
        switch state.withLock({ $0.suspend(WaiterID.next(), owner, waiter) }) {
        case .suspend: break
        case .resume(let waiter): waiter.resume()
        case .broken(let waiter): waiter.resume(throwing: Self.brokenError)
        case .cancel:
            fatalError("AnyIO: internal error: a handed-over lock waiter was cancelled early")
        case .alreadyHeld:
            alreadyHeld(owner)
        }
    }

    /// The lock was handed to `owner` through `enqueueHandedOver`: record it as held.
    func handedOver(to owner: LogicalTask) {
        owner.child?.holdResource(self)
    }

    func tryAcquire() -> Bool {
        let caller = currentLogicalTask()
        switch state.withLock({ $0.acquire(caller) }) {
        case .acquired:
            caller.child?.holdResource(self)
            return true
        case .mustWait, .broken:
            return false
        case .alreadyHeld:
            alreadyHeld(caller)
        }
    }

    /// Releases the lock; traps if the caller does not hold it. With `brokenIsFine`, a broken
    /// lock is left alone instead: for the end of `Condition.withLock`, whose `wait()` inside
    /// threw `BrokenResourceError` because the lock broke while it waited to get it back.
    func release(brokenIsFine: Bool = false) {
        let caller = currentLogicalTask()
        let action = state.withLock { $0.release(caller) }
        switch action {
        case .none:
            caller.child?.dropResource(self)
        case .resume(let waiter):
            caller.child?.dropResource(self)
            // Outside the mutex: the waiter owns the lock now.
            waiter.resume()
        case .notOwner(let holder?):
            fatalError(
                "AnyIO: Lock.release() called by \(caller.description), but the Lock is held by \(holder == caller ? "it" : "another task (\(holder.description))"); only the task that acquired a Lock may release it"
            )
        case .notOwner(nil):
            fatalError("AnyIO: Lock.release() called on a Lock that is not held; call release() exactly once after each successful acquire()")
        case .broken:
            if brokenIsFine { return }
            fatalError("AnyIO: Lock.release() called on a broken Lock (the task that held it ended without releasing it); nobody holds it any more")
        }
    }

    func holderEnded(_ task: LogicalTask) {
        let action = state.withLock { $0.ownerEnded(task) }
        if case .failAll(let waiters) = action {
            // Outside the mutex.
            for waiter in waiters { waiter.resume(throwing: Self.brokenError) }
        }
    }

    private func alreadyHeld(_ caller: LogicalTask) -> Never {
        fatalError(
            "AnyIO: Lock.acquire() called by \(caller.description), which already holds this Lock; a Lock is not reentrant and this would deadlock. Release it first, or acquire it once further out"
        )
    }

    static let brokenError = BrokenResourceError(
        reason: "the task that held this Lock ended without releasing it, so the Lock can never be acquired again"
    )
}
