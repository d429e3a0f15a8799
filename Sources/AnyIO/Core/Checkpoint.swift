//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

// The one place that defines a checkpoint. A checkpoint is a *cancel point* (throws
// `CancellationError` if the running code is cancelled) followed by a *schedule point* (yields to
// the scheduler). Every `async` API of the library is one (SPEC C8): it calls `throwIfCancelled()`
// first, then either suspends for real or calls `yieldSchedulePoint()` after its fast path.

/// Whether the running code is cancelled, as every library checkpoint sees it (SPEC C1, C2).
///
/// 1. The task is natively cancelled: a boundary's task is cancelled only when the boundary is
///    (the mirror invariant, see `CancelBoundary`), and a foreign task's cancellation is its own.
/// 2. Otherwise, inside a library boundary, walk the chain of enclosing boundaries up to the
///    nearest shield. A canceller sets the cancelled scope's flag before it returns, but reaches
///    the tasks below one at a time; a second canceller of the same scope returns at once. The
///    walk makes every checkpoint that starts after *any* cancellation returned see it.
///
/// Cost: one native check, one task-local read and one load per enclosing boundary (usually 1–3).
@inline(__always)
func isCurrentlyCancelled() -> Bool {
    if Task.isCancelled { return true }
    guard let boundary = currentBoundary() else { return false }
    return boundary.isCancelledAlongChain
}

/// Throws `CancellationError` if the running code is cancelled (no yield). A cancel point.
@inline(__always)
func throwIfCancelled() throws {
    CheckpointProbe.countCancelPoint()
    if isCurrentlyCancelled() { throw CancellationError() }
}

/// A schedule point: yields to the scheduler (and counts it for an active `CheckpointProbe`).
/// Every yield of the library goes through here.
@inlinable
nonisolated(nonsending) func yieldSchedulePoint() async {
    countSchedulePoint()
    await Task.yield()
}

/// `CheckpointProbe.countSchedulePoint()`, callable from inlinable code.
@usableFromInline
func countSchedulePoint() {
    CheckpointProbe.countSchedulePoint()
}
