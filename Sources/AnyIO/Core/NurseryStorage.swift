//===----------------------------------------------------------------------===//
// This source file is part of AnyIO for Swift. Licensed under Apache-2.0.
//===----------------------------------------------------------------------===//

import Synchronization

/// The shared state of one nursery: its live children, its failures, and the owner's wait.
///
/// Children are unstructured Swift tasks (any task may start one), counted here so that
/// `withNursery` returns only after all of them, and listed here so that cancelling the
/// nursery's scope cancels them.
final class NurseryStorage: Sendable {
    struct State {
        /// Set when `withNursery` is about to return; starting a child afterwards traps.
        var isClosed = false
        /// Children started and not finished, including `start` children not yet started.
        /// Invariant: `liveCount >= members.count`.
        var liveCount = 0
        /// Children that belong to the nursery (started with `startSoon`, or moved in by
        /// `started`), by id, so the nursery can cancel them. Removed when they finish.
        var members: [UInt64: ChildTask] = [:]
        /// Whether the nursery's scope is effectively cancelled: then members are cancelled and
        /// every child added later is cancelled at once. Never cleared.
        var isCancelled = false
        /// Non-cancellation errors of the body and the children, in the order they happened.
        var failures: [ErrorGroup.Failure] = []
        /// The owner waiting for `liveCount` to reach zero.
        var waiter: UnsafeContinuation<Void, Never>?
    }

    /// The nursery's cancel scope.
    let scope: CancelScope
    let state = Mutex(State())

    init(scope: CancelScope) {
        self.scope = scope
    }

    private static func closedTrap() -> Never {
        fatalError("""
            AnyIO: cannot start a task: this nursery is closed (its withNursery call has returned). \
            Start tasks from inside the withNursery body or from its running children.
            """)
    }

    /// Adds a `startSoon` child as a member.
    func admitMember(_ child: ChildTask) {
        let cancelled = state.withLock { state -> Bool in
            if state.isClosed { Self.closedTrap() }
            state.liveCount += 1
            state.members[child.id] = child
            return state.isCancelled
        }
        if cancelled { child.cancel() }
    }

    /// Counts a `start` child that is not a member yet (it runs under its caller's scopes).
    func admitPending() {
        state.withLock { state in
            if state.isClosed { Self.closedTrap() }
            state.liveCount += 1
        }
    }

    /// Moves a started `start` child in; it is cancelled at once if the nursery is cancelled.
    func adopt(_ child: ChildTask) {
        child.moveInto(scope)
        let cancelled = state.withLock { state -> Bool in
            state.members[child.id] = child
            return state.isCancelled
        }
        if cancelled { child.cancel() }
    }

    /// A child's body finished.
    func childExited(_ child: ChildTask) {
        let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            state.members.removeValue(forKey: child.id)
            state.liveCount -= 1
            guard state.liveCount == 0, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        // Single resumption: the waiter is taken out under the lock exactly once.
        waiter?.resume()
    }

    /// Records a failure and cancels the nursery (SPEC N3).
    func recordFailure(taskName: String, error: any Error) {
        let first = state.withLock { state -> Bool in
            state.failures.append(.init(taskName: taskName, error: error))
            return state.failures.count == 1
        }
        scope.cancel(reason: first ? "task \"\(taskName)\" failed: \(error)" : nil)
    }

    /// The scope became effectively cancelled: cancel every member, and every later child.
    func cancelChildren() {
        let members = state.withLock { state -> [ChildTask] in
            state.isCancelled = true
            return Array(state.members.values)
        }
        for child in members { child.cancel() }
    }

    /// Waits until every child has finished. Not a checkpoint and not cancellable: cancellation
    /// reaches the children through the scope instead.
    func waitForChildren() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.liveCount == 0 { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Closes the nursery and returns its failures.
    func close() -> [ErrorGroup.Failure] {
        state.withLock { state in
            state.isClosed = true
            return state.failures
        }
    }
}
