//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import _AnyIOCShims

// The one place that defines a checkpoint. A checkpoint is a *cancel point* (throws
// `CancellationError` if the running code is cancelled) followed by a *schedule point* (lets other
// tasks run). Every `async` API of the library is one (SPEC C8): it calls `throwIfCancelled()`
// first, then either suspends for real or, after its fast path, calls `budgetedSchedulePoint()`,
// which spends one unit of the running task's budget and yields only when the budget is spent.
// Explicit checkpoints (`LowLevel.checkpoint()`, `sleep(0)`) call `yieldSchedulePoint()`: they
// always yield.

/// Whether the running code is cancelled, as every library checkpoint sees it (SPEC C1, C2).
///
/// 1. The task is natively cancelled: a boundary's task is cancelled only when the boundary is
///    (the mirror invariant, see `CancelBoundary`), and a foreign task's cancellation is its own.
/// 2. Otherwise, inside a library boundary, walk the chain of enclosing boundaries up to the
///    nearest shield. A canceller sets the cancelled scope's flag before it returns, but reaches
///    the tasks below one at a time; a second canceller of the same scope returns at once. The
///    walk makes every checkpoint that starts after *any* cancellation returned see it.
///
/// Cost, when nothing is being cancelled: one load of the walk count, the native check, one
/// task-local read, and the native check of the root task (not even the task-identity check of
/// `currentBoundary()`). The chain is walked only while some cancellation is propagating, or the
/// root task is natively cancelled.
@inline(__always)
package func isCurrentlyCancelled() -> Bool {
    // Read before the native flag: zero means every walk that set a flag we could see has
    // cancelled our task natively already (see `CancelWalks`).
    let walking = CancelWalks.anyInFlight
    if Task.isCancelled { return true }
    // The raw task-local binding, without `currentBoundary()`'s check that it belongs to this
    // task: in the common case (no walk, root task not cancelled) the answer is "not cancelled"
    // whichever task the binding belongs to (a foreign task that inherited it answers with its
    // native flag, read above), so the identity check is only paid when a walk may be needed.
    return isCancelled(in: TaskContext.boundary, walking: walking, checkingIdentity: true)
}

/// The second half of `isCurrentlyCancelled()`, for a task that is not natively cancelled and
/// whose task-local binding is `boundary`; `walking` was read before the native flag. With
/// `checkingIdentity`, a binding inherited from another task (`currentBoundary()`) counts as none,
/// checked only once a walk may be needed.
@inline(__always)
private func isCancelled(in boundary: (any CancelBoundary)?, walking: Bool, checkingIdentity: Bool) -> Bool {
    guard let boundary else { return false }
    // A foreign task at the top may be in the runtime's `Task.cancel()`, which our handlers only
    // hear of after it set the task's flag; a second `Task.cancel()` returns before that.
    if !walking, !boundary.rootTaskIsCancelled { return false }
    if checkingIdentity, !boundary.runsInCurrentTask { return false }
    return boundary.isCancelledAlongChain
}

/// Throws `CancellationError` if the running code is cancelled (no yield). A cancel point.
@inline(__always)
package func throwIfCancelled() throws {
    CheckpointProbe.countCancelPoint()
    if isCurrentlyCancelled() { throw CancellationError() }
}

/// `throwIfCancelled()`, then `currentLogicalTask()`, reading the task's boundary once: for the
/// primitives whose fast path needs the caller's identity (a lock's owner).
@inline(__always)
func throwIfCancelledGettingLogicalTask() throws -> LogicalTask {
    CheckpointProbe.countCancelPoint()
    let walking = CancelWalks.anyInFlight
    let nativelyCancelled = Task.isCancelled
    let boundary = currentBoundary()
    if nativelyCancelled || isCancelled(in: boundary, walking: walking, checkingIdentity: false) {
        throw CancellationError()
    }
    return boundary?.logicalTask ?? currentLogicalTask()
}

/// A schedule point that always yields to the scheduler (and counts it for an active
/// `CheckpointProbe`): the explicit checkpoints. Every yield of the library goes through here, and
/// refills the running task's budget.
@inlinable
package nonisolated(nonsending) func yieldSchedulePoint() async {
    countSchedulePoint()
    await Task.yield()
    refillSchedulePointBudget()
}

/// The schedule point after an operation's fast path (SPEC C8): spends one unit of the running
/// task's budget, and yields only once the budget is spent (128 operations, or 1 ms of running
/// since the task last yielded or suspended). See docs/design.md "The schedule-point budget".
///
/// Counted as a schedule point by an active `CheckpointProbe` whether or not it yields: it is the
/// schedule point of the operation, only a cheaper one.
@inlinable
package nonisolated(nonsending) func budgetedSchedulePoint() async {
    countSchedulePoint()
    if spendSchedulePointBudget() {
        await Task.yield()
        refillSchedulePointBudget()
    }
}

/// The schedule point of an operation that *takes* something (a lock, a permit, a token), placed
/// before its fast path: spends one unit of the budget and, once the budget is spent, yields
/// first and checks for cancellation again. A task whose budget ran out so yields without holding
/// what it is about to take: yielding while holding a lock would park every task that runs in the
/// meantime on it, and turn an uncontended loop into a convoy of hand-offs.
///
/// - Throws: `CancellationError` if the task was cancelled while it yielded (nothing taken yet).
@inline(__always)
package nonisolated(nonsending) func budgetedSchedulePointBeforeTaking() async throws {
    countSchedulePoint()
    if spendSchedulePointBudget() {
        await Task.yield()
        refillSchedulePointBudget()
        try throwIfCancelled()
    }
}

/// Spends one unit of the running task's budget; true when the caller must yield.
@usableFromInline
func spendSchedulePointBudget() -> Bool {
    anyio_budget_spend()
}

/// Starts a full budget for the running task: after a yield, or a wait that really suspended.
@usableFromInline
func refillSchedulePointBudget() {
    anyio_budget_refill()
}

/// `CheckpointProbe.countSchedulePoint()`, callable from inlinable code.
@usableFromInline
func countSchedulePoint() {
    CheckpointProbe.countSchedulePoint()
}
