//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A handle on a task started through a ``BlockingPortal``: its result, for threads to block on
/// or tasks to await, and a way to cancel it.
///
/// ```swift
/// let download = try portal.startTaskSoon { try await fetch(url) }
/// doOtherBlockingWork()
/// let data = try download.result()        // blocks this thread until the task has ended
/// ```
///
/// All members may be used from any thread or task. Dropping the handle does not cancel the task.
///
/// - SeeAlso: AnyIO's `concurrent.futures.Future` returned by `BlockingPortal.start_task_soon`.
public final class PortalTask<Value: Sendable>: Sendable {
    let storage: PortalTaskStorage

    init(storage: PortalTaskStorage) {
        self.storage = storage
    }

    /// The task's name: the `name:` it was started with, or its call site (`File.swift:42`).
    public var name: String { storage.name }

    /// Whether the task has ended (returned, thrown, or been cancelled).
    ///
    /// - SeeAlso: AnyIO `Future.done()`.
    public var isFinished: Bool { storage.result != nil }

    /// Cancels the task. Synchronous and idempotent; callable from any thread or task.
    ///
    /// The task's cancel scope is cancelled: it ends at its next checkpoint (a task cancelled before
    /// it started is cancelled at its first checkpoint), and ``result()`` then throws
    /// `CancellationError`. Cancelling a task that has ended does nothing.
    ///
    /// - SeeAlso: AnyIO `Future.cancel()`.
    public func cancel() {
        storage.cancel()
    }

    /// Blocks the calling thread until the task has ended, and returns its value.
    ///
    /// For threads outside Swift concurrency. From a task, use ``value`` instead.
    ///
    /// - Returns: What the task's body returned.
    /// - Throws: What the body threw; `CancellationError` if the task was cancelled (through
    ///   ``cancel()``, `stop(cancelRemaining: true)`, or its portal's scope).
    /// - Important: Traps if called from inside a Swift task: blocking a thread of the cooperative
    ///   pool can deadlock it.
    /// - SeeAlso: AnyIO `Future.result()`.
    public func result() throws -> Value {
        BlockingPortal.preconditionNotInTask("PortalTask.result()")
        // The body returned a `Value`; only its type was erased on the way.
        return try storage.waitBlocking().get() as! Value
    }

    /// The task's value, waiting (without blocking a thread) until the task has ended. A
    /// checkpoint.
    ///
    /// Cancelling the waiter does not cancel the task.
    ///
    /// - Throws: What the body threw; `CancellationError` if the task was cancelled, or if the
    ///   waiter is cancelled while waiting.
    public nonisolated(nonsending) var value: Value {
        get async throws {
            // The body returned a `Value`; only its type was erased on the way.
            try await storage.wait().get() as! Value
        }
    }
}

extension PortalTask: CustomStringConvertible {
    /// The task's name and whether it has ended.
    public var description: String { "PortalTask(\(name), \(isFinished ? "finished" : "running"))" }
}
