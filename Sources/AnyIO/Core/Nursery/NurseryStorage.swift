//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The shared state of one nursery: the lock around `NurseryStateMachine` (its children, its
/// failures, the owner's wait) and the effects of its events.
///
/// Children are unstructured Swift tasks (any task may start one), counted here so that
/// `withNursery` returns only after all of them, and listed here so that cancelling the
/// nursery's scope cancels them.
final class NurseryStorage: Sendable {
    typealias Machine = NurseryStateMachine<ChildTask, ParkedContinuation<Bool, Never>, ErrorGroup.Failure>

    /// The nursery's cancel scope.
    let scope: CancelScope
    /// The task that entered `withNursery`: its body runs as this task, and it is the parent of
    /// every member.
    let owner: LogicalTask
    /// Where `withNursery` was called, for the task tree.
    let location: TaskName
    /// Every access is one state-machine event under the lock.
    let state = StateLock(Machine())

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

    /// Carries out what admitting a child found (outside the lock).
    private static func admitted(_ child: ChildTask, _ action: Machine.AdmitAction) {
        switch action {
        case .closed: closedTrap()
        case .admitted: break
        case .admittedCancelled: child.cancel()
        }
    }

    /// Adds a `startSoon` child as a member.
    func admitMember(_ child: ChildTask) {
        Self.admitted(child, state.withLock { $0.admitMember(child) })
    }

    /// Counts a `start` child that is not a member yet (it runs under its caller's scopes). Read
    /// with `Nursery.start` and `StartHandshake`, whose `started` calls `adopt`.
    func admitPending(_ child: ChildTask) {
        Self.admitted(child, state.withLock { $0.admitPending(child) })
    }

    /// Moves a started `start` child in (from `StartHandshake.started`, before the caller of
    /// `start` is woken); it is cancelled at once if the nursery is cancelled.
    func adopt(_ child: ChildTask) {
        child.moveIntoNursery()
        Self.admitted(child, state.withLock { $0.adopt(child) })
    }

    /// A child's body finished.
    func childExited(_ child: ChildTask) {
        // Single resumption: the state machine hands the owner's waiter out exactly once.
        state.withLock { $0.childExited(child) }?.resume(returning: true)
    }

    /// Records a failure and cancels the nursery (SPEC N3).
    func recordFailure(taskName: String, error: any Error) {
        let first = state.withLock { $0.recordFailure(.init(taskName: taskName, error: error)) }
        scope.cancel(reason: first ? "task \"\(taskName)\" failed: \(error)" : nil)
    }

    /// The scope became effectively cancelled: cancel every member, and every later child.
    func cancelChildren() {
        for child in state.withLock({ $0.cancelChildren() }) { child.cancel() }
    }

    /// Waits until every child has finished, and returns whether there was any child to wait for.
    /// Not cancellable: cancellation reaches the children through the scope instead.
    func waitForChildren() async -> Bool {
        if !state.withLock({ $0.mustWaitForChildren() }) { return false }
        let mark = WaitMark.begin(.nurseryChildren)
        return await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
            // The last child exited meanwhile: resume at once.
            state.withLock { $0.parkOwner(ParkedContinuation(continuation, mark)) }?.resume(returning: false)
        }
    }

    /// The members (in the order they joined) and pending `start` children, and whether the owner
    /// waits for them; for introspection.
    var introspectionSnapshot: (members: [ChildTask], pending: [ChildTask], ownerWaiting: Bool) {
        state.withLock { ($0.members, $0.pending, $0.ownerIsWaiting) }
    }

    /// Whether the scope's cancellation reached a live child.
    var cancellationReachedChildren: Bool { state.withLock { $0.cancellationReachedChildren } }

    /// Closes the nursery and returns its failures.
    func close() -> [ErrorGroup.Failure] {
        state.withLock { $0.close() }
    }
}
