//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Something whose body runs in its own Swift task and whose cancellation maps onto that task's
/// native cancellation: the body of a cancel scope (or nursery), or a nursery child.
///
/// Read with `CancelScope.swift` and `ChildTask.swift`: together they keep the invariant that
/// makes checkpoints cheap.
///
/// Invariant: a boundary's Swift task is natively cancelled if and only if `isCancelFlagged` is
/// true (from the task's first line on). So `Task.isCancelled` inside library code is exactly
/// "effectively cancelled", and a checkpoint needs nothing else.
protocol CancelBoundary: AnyObject, Sendable {
    /// True once this boundary is effectively cancelled (level-triggered: it never goes back).
    var isCancelFlagged: Bool { get }
    /// The boundary that encloses this one, or `nil` at the top of the library's tree.
    var enclosingBoundary: (any CancelBoundary)? { get }
    /// This boundary's own deadline and shield, for `currentEffectiveDeadline()`.
    var deadlineAndShield: (deadline: ContinuousClock.Instant?, shield: Bool) { get }
    /// The library task this boundary runs in, if the library started it.
    var owningTask: ChildTask? { get }
    /// The logical task this boundary belongs to (see `LogicalTask`).
    var logicalTask: LogicalTask { get }
}

/// Task-local state of the library.
enum TaskContext {
    /// The innermost cancel boundary of the running task: the scope whose body is running, or the
    /// nursery child itself. Bound by every scope body and every child the library starts.
    @TaskLocal static var boundary: (any CancelBoundary)?
}

/// Whether the running code is cancelled, as every library checkpoint sees it: the innermost
/// boundary's task mirrors its effective cancellation (see `CancelBoundary`), and a task that
/// the library did not start has only native cancellation.
@inline(__always)
func isCurrentlyCancelled() -> Bool {
    Task.isCancelled
}

/// Throws `CancellationError` if the running code is cancelled (no yield). A cancel point.
@inline(__always)
func throwIfCancelled() throws {
    CheckpointProbe.countCancelPoint()
    if isCurrentlyCancelled() { throw CancellationError() }
}
