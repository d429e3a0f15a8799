//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
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
        /// Invariant: `liveCount >= memberCount`.
        var liveCount = 0
        /// The first of the children that belong to the nursery (started with `startSoon`, or
        /// moved in by `started`), linked through `ChildTask.nextMember`, so that the nursery can
        /// cancel them. A child is unlinked when it finishes. Invariant: `memberCount` is the
        /// length of the list, and every child in it has `isMember == true`.
        var firstMember: ChildTask?
        /// The number of members.
        var memberCount = 0
        /// Whether the nursery's scope is effectively cancelled: then members are cancelled and
        /// every child added later is cancelled at once. Never cleared.
        var isCancelled = false
        /// Whether the scope's cancellation reached at least one live member. Never cleared.
        var cancellationReachedChildren = false
        /// Non-cancellation errors of the body and the children, in the order they happened.
        var failures: [ErrorGroup.Failure] = []
        /// The owner waiting for `liveCount` to reach zero.
        var waiter: ParkedContinuation<Bool, Never>?
        /// `start` children that have not called `started` yet (for introspection; they are not
        /// members, so the nursery's cancellation does not reach them).
        var pending: [ChildTask] = []
    }

    /// The nursery's cancel scope.
    let scope: CancelScope
    /// The task that entered `withNursery`: its body runs as this task, and it is the parent of
    /// every member.
    let owner: LogicalTask
    /// Where `withNursery` was called, for the task tree.
    let location: TaskName
    let state = StateLock(State())

    init(scope: CancelScope, owner: LogicalTask, location: TaskName) {
        self.scope = scope
        self.owner = owner
        self.location = location
    }

    private static func closedTrap() -> Never {
        fatalError("""
            AnyIO: cannot start a task: this nursery is closed (its withNursery call has returned). \
            Start tasks from inside the withNursery body or from its running children.
            """)
    }

    /// Links `child` at the head of the member list (lock held).
    private static func link(_ child: ChildTask, _ state: inout State) {
        child.isMember = true
        child.nextMember = state.firstMember
        state.firstMember?.previousMember = child
        state.firstMember = child
        state.memberCount += 1
    }

    /// Unlinks `child` from the member list if it is in it (lock held).
    private static func unlink(_ child: ChildTask, _ state: inout State) {
        guard child.isMember else { return }
        child.isMember = false
        let previous = child.previousMember, next = child.nextMember
        next?.previousMember = previous
        if let previous { previous.nextMember = next } else { state.firstMember = next }
        child.previousMember = nil
        child.nextMember = nil
        state.memberCount -= 1
    }

    /// Adds a `startSoon` child as a member.
    func admitMember(_ child: ChildTask) {
        let cancelled = state.withLock { state -> Bool in
            if state.isClosed { Self.closedTrap() }
            state.liveCount += 1
            Self.link(child, &state)
            return state.isCancelled
        }
        if cancelled { child.cancel() }
    }

    /// Counts a `start` child that is not a member yet (it runs under its caller's scopes). Read
    /// with `Nursery.start` and `StartHandshake`, whose `started` calls `adopt`.
    func admitPending(_ child: ChildTask) {
        state.withLock { state in
            if state.isClosed { Self.closedTrap() }
            state.liveCount += 1
            state.pending.append(child)
        }
    }

    /// Removes `child` from the pending `start` children, if it is there (lock held).
    private static func removePending(_ child: ChildTask, _ state: inout State) {
        if !state.pending.isEmpty, let index = state.pending.firstIndex(where: { $0 === child }) {
            state.pending.remove(at: index)
        }
    }

    /// Moves a started `start` child in (from `StartHandshake.started`, before the caller of
    /// `start` is woken); it is cancelled at once if the nursery is cancelled.
    func adopt(_ child: ChildTask) {
        child.moveIntoNursery()
        let cancelled = state.withLock { state -> Bool in
            Self.removePending(child, &state)
            Self.link(child, &state)
            return state.isCancelled
        }
        if cancelled { child.cancel() }
    }

    /// A child's body finished.
    func childExited(_ child: ChildTask) {
        let waiter = state.withLock { state -> ParkedContinuation<Bool, Never>? in
            Self.removePending(child, &state)
            Self.unlink(child, &state)
            state.liveCount -= 1
            guard state.liveCount == 0, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        // Single resumption: the waiter is taken out under the lock exactly once.
        waiter?.resume(returning: true)
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
            if state.memberCount > 0 { state.cancellationReachedChildren = true }
            var members: [ChildTask] = []
            members.reserveCapacity(state.memberCount)
            var next = state.firstMember
            while let child = next {
                members.append(child)
                next = child.nextMember
            }
            return members
        }
        for child in members { child.cancel() }
    }

    /// Waits until every child has finished, and returns whether there was any child to wait for.
    /// Not cancellable: cancellation reaches the children through the scope instead.
    func waitForChildren() async -> Bool {
        if state.withLock({ $0.liveCount == 0 }) { return false }
        let mark = WaitMark.begin(.nurseryChildren)
        return await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
            let waiter = ParkedContinuation(continuation, mark)
            let done = state.withLock { state -> Bool in
                if state.liveCount == 0 { return true }
                state.waiter = waiter
                return false
            }
            if done { waiter.resume(returning: false) }
        }
    }

    /// The members and pending `start` children, and whether the owner waits for them; for
    /// introspection.
    var introspectionSnapshot: (members: [ChildTask], pending: [ChildTask], ownerWaiting: Bool) {
        state.withLock { state in
            var members: [ChildTask] = []
            var next = state.firstMember
            while let child = next {
                members.append(child)
                next = child.nextMember
            }
            // The list is linked at the head: reverse it to get the order of starting.
            return (members.reversed(), state.pending, state.waiter != nil)
        }
    }

    /// Whether the scope's cancellation reached a live child.
    var cancellationReachedChildren: Bool { state.withLock { $0.cancellationReachedChildren } }

    /// Closes the nursery and returns its failures.
    func close() -> [ErrorGroup.Failure] {
        state.withLock { state in
            state.isClosed = true
            return state.failures
        }
    }
}
