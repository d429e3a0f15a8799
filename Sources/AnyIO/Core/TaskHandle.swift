//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A handle on a task started with ``Nursery/startSoon(name:fileID:line:_:)``.
///
/// Use it to cancel that one task, to look at its status, or to await its result. Dropping the
/// handle changes nothing: the task belongs to its nursery either way. A task that fails still
/// fails its nursery (the error also reaches ``value``); a task cancelled through its handle ends
/// quietly and does not affect the nursery.
///
/// ```swift
/// try await withNursery { nursery in
///     let download = nursery.startSoon(name: "download") { try await fetch(url) }
///     let data = try await download.value
/// }
/// ```
///
/// - SeeAlso: AnyIO 4.14's `TaskHandle` returned by `TaskGroup.start_soon`.
public final class TaskHandle<Value: Sendable>: Sendable {
    /// Where the task is in its life.
    public enum Status: Sendable, Equatable {
        /// Running (or about to run), not cancelled.
        case pending
        /// Cancellation was requested (through the handle or the nursery); still running.
        case cancelling
        /// Returned a value.
        case finished
        /// Ended by cancellation.
        case cancelled
        /// Threw an error other than `CancellationError`.
        case failed
    }

    let child: ChildTask

    init(child: ChildTask) {
        self.child = child
    }

    /// The task's name: the `name:` it was started with, or its call site (`File.swift:42`).
    public var name: String { child.name }

    /// The task's status now.
    public var status: Status {
        switch child.result {
        case .none: return child.isCancelFlagged ? .cancelling : .pending
        case .success: return .finished
        case .failure(let error): return error is CancellationError ? .cancelled : .failed
        }
    }

    /// Cancels this task alone. Synchronous and idempotent; the task ends at its next checkpoint
    /// (or at once if it is waiting in a native await that honours cancellation).
    public func cancel() {
        child.cancel()
    }

    /// The task's value, waiting for it to end. A checkpoint.
    ///
    /// Cancelling the waiter does not cancel the task.
    ///
    /// - Throws: The task's error; `CancellationError` if the task was cancelled, or if the caller
    ///   is cancelled while waiting.
    public var value: Value {
        get async throws {
            // The child stored a `Value` (see `Nursery.startSoon`); only its type was erased.
            try await child.value() as! Value
        }
    }
}

extension TaskHandle: CustomStringConvertible {
    /// The task's name and status.
    public var description: String { "TaskHandle(\(name), \(status))" }
}
