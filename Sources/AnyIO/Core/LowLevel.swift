//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Low-level checkpoints, for code that builds its own primitives.
///
/// A *checkpoint* is where cancellation is delivered and other tasks get to run. Every `async`
/// API of this library is a checkpoint, also on its fast path (Trio's rule): it checks for
/// cancellation first, every time, and is a schedule point under a cooperative budget (a fast
/// path yields once the running task has done 128 operations or run 1 ms without yielding).
/// The checkpoints here are explicit: ``checkpoint()`` and ``cancelShieldedCheckpoint()``
/// always yield.
///
/// - SeeAlso: AnyIO `anyio.lowlevel`.
public enum LowLevel {
    /// Checks for cancellation, then yields to the scheduler (always: not under the budget).
    ///
    /// ```swift
    /// for item in items {
    ///     process(item)
    ///     try await LowLevel.checkpoint()   // lets a cancelled scope stop the loop
    /// }
    /// ```
    ///
    /// - Throws: `CancellationError` if the enclosing cancel scope (or the Swift task) is
    ///   cancelled; then it does not yield.
    /// - SeeAlso: AnyIO `lowlevel.checkpoint()`.
    public nonisolated(nonsending) static func checkpoint() async throws {
        try throwIfCancelled()
        await yieldSchedulePoint()
    }

    /// Throws if cancelled, without yielding to the scheduler.
    ///
    /// - Throws: `CancellationError` if the enclosing cancel scope (or the Swift task) is
    ///   cancelled.
    /// - SeeAlso: AnyIO `lowlevel.checkpoint_if_cancelled()`.
    public nonisolated(nonsending) static func checkpointIfCancelled() async throws {
        try throwIfCancelled()
    }

    /// Yields to the scheduler without checking for cancellation.
    ///
    /// - SeeAlso: AnyIO `lowlevel.cancel_shielded_checkpoint()`.
    public nonisolated(nonsending) static func cancelShieldedCheckpoint() async {
        await yieldSchedulePoint()
    }
}
