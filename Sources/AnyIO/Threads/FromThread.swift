//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Calls back into async code from a worker thread started by ``ToThread/runSync(limiter:abandonOnCancel:_:)``.
///
/// ```swift
/// let total = try await ToThread.runSync {
///     var total = 0
///     for chunk in blockingChunks() {
///         try FromThread.checkCancelled()                        // stop early if cancelled
///         total += chunk.count
///         try FromThread.run { try await progress.send(total) }  // async code, in the caller's task
///     }
///     return total
/// }
/// ```
///
/// Both functions work only on a thread running a `ToThread.runSync` closure. Other threads call
/// async code through a ``BlockingPortal``.
///
/// - SeeAlso: AnyIO `anyio.from_thread`.
public enum FromThread {
    /// Runs `body` in the task that called `ToThread.runSync`, blocking this worker thread until it
    /// has finished, and returns its result.
    ///
    /// The calling task runs `body` while it waits for the worker thread, so `body` sees that
    /// task's cancel scopes and task-locals: if the caller's scope is cancelled, the checkpoints in
    /// `body` throw `CancellationError`.
    ///
    /// - Parameter body: Async code to run in the caller's task.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws; `CancellationError` if the caller has left (it was cancelled
    ///   with `abandonOnCancel`); ``NotInWorkerThreadError`` if this thread is not running a
    ///   `ToThread.runSync` closure (use a ``BlockingPortal`` there).
    /// - SeeAlso: AnyIO `from_thread.run(func)` (and `from_thread.run_sync`: pass a closure that
    ///   does not await).
    public static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        guard let call = WorkerThreadContext.current else {
            throw NotInWorkerThreadError(function: "FromThread.run(_:)")
        }
        let request = FromThreadRequest { try await body() }
        // The body returned a `T`; only its type was erased on the way.
        return try call.post(request).get() as! T
    }

    /// Throws `CancellationError` if the task that called `ToThread.runSync` has been cancelled.
    ///
    /// Blocking code cannot be interrupted; call this between steps of long work to stop early.
    /// Once the caller's cancel scope is cancelled (or its task natively cancelled), every call
    /// throws. Not a checkpoint in the async sense: it neither waits nor yields.
    ///
    /// - Throws: `CancellationError` if the caller was cancelled; ``NotInWorkerThreadError`` if
    ///   this thread is not running a `ToThread.runSync` closure.
    /// - SeeAlso: AnyIO `from_thread.check_cancelled()`.
    public static func checkCancelled() throws {
        guard let call = WorkerThreadContext.current else {
            throw NotInWorkerThreadError(function: "FromThread.checkCancelled()")
        }
        if call.isCancelled { throw CancellationError() }
    }
}
