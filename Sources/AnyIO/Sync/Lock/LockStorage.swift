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
final class LockStorage: HeldResource, BlockingResource {
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
        // The schedule point, before the lock is taken (see `budgetedSchedulePointBeforeTaking`),
        // unless the caller asked for AnyIO's fast path.
        if !fastAcquire { try await budgetedSchedulePointBeforeTaking() }
        switch state.withLock({ $0.acquire(caller) }) {
        case .acquired:
            caller.child?.holdResource(self)
        case .park(let ticket):
            // Named in the task tree while it waits (`blockingDescription`).
            caller.child?.setBlockedOn(self)
            do {
                try await park(on: .lock, caller: caller) { waiter in
                    state.withLock { $0.park(ticket, waiter) }
                } cancel: {
                    state.withLock { $0.cancel(ticket) }
                }
            } catch {
                caller.child?.setBlockedOn(nil)
                throw error
            }
            // Got the lock by waiting: a release handed it over. One lock section of the task
            // for both records (this is the `lock` benchmark's common path).
            caller.child?.acquiredAfterWait(self)
        case .alreadyHeld:
            alreadyHeld(caller)
        case .broken:
            throw Self.brokenError
        case .mustWait:
            fatalError("AnyIO: internal error: Lock.acquire() neither acquired nor registered")
        }
    }

    /// Queues a parked task for the lock on behalf of `owner`, without it running: a
    /// `Condition.notify` moves its woken waiters here (Trio's repark), so that they get the lock
    /// back in the order they were notified. The entry ignores cancellation (a condition's wait
    /// takes the lock back also when cancelled). `waiter` is resumed normally once the lock is
    /// `owner`'s (the caller then calls `handedOver(to:)`), or with `BrokenResourceError`.
    func repark(_ owner: LogicalTask, _ waiter: Waiter) {
        state.withLock { $0.repark(owner, waiter) }.settle()
    }

    /// Takes the lock back for a `Condition.wait()` that was cancelled before it was notified:
    /// parks without reacting to cancellation (and without a schedule point). Throws only
    /// `BrokenResourceError`.
    nonisolated(nonsending) func acquireIgnoringCancellation() async throws {
        let caller = currentLogicalTask()
        let mark = WaitMark.begin(.lock)
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            repark(caller, Waiter(continuation, mark))
        }
        caller.child?.holdResource(self)
    }

    /// The lock was handed to `owner` through `repark`: record it as held.
    func handedOver(to owner: LogicalTask) {
        owner.child?.holdResource(self)
    }

    func tryAcquire() -> Bool {
        let caller = currentLogicalTask()
        switch state.withLock({ $0.tryAcquire(caller) }) {
        case .acquired:
            caller.child?.holdResource(self)
            return true
        case .mustWait, .broken, .park:
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
        let waiters = state.withLock { $0.ownerEnded(task, error: Self.brokenError) }
        // Outside the mutex.
        for waiter in waiters { waiter.resume(throwing: Self.brokenError) }
    }

    private func alreadyHeld(_ caller: LogicalTask) -> Never {
        fatalError(
            "AnyIO: Lock.acquire() called by \(caller.description), which already holds this Lock; a Lock is not reentrant and this would deadlock. Release it first, or acquire it once further out"
        )
    }

    /// "held by …; waiting: …", for the task tree.
    var blockingDescription: String {
        let (holder, broken, waiting) = state.withLock { ($0.owner, $0.isBroken, $0.waitingOwners) }
        var text: String
        if broken {
            text = "broken (its holder ended without releasing it)"
        } else if let holder {
            text = "held by \(holder.treeDescription)"
            if case .foreign = holder {
                text += " (not started by AnyIO: if that task has ended without release(), nothing will release it)"
            }
        } else {
            text = "free"
        }
        if !waiting.isEmpty {
            text += "; waiting: " + waiting.map(\.treeDescription).joined(separator: ", ")
        }
        return text
    }

    static let brokenError = BrokenResourceError(
        reason: "the task that held this Lock ended without releasing it, so the Lock can never be acquired again"
    )
}
