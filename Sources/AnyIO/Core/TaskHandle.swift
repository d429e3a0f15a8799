//===----------------------------------------------------------------------===//
// This source file is part of AnyIO for Swift. Licensed under Apache-2.0.
//===----------------------------------------------------------------------===//

import Synchronization

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

    struct State {
        /// The task's outcome, once it ended.
        var result: Result<Value, any Error>?
        /// Tasks waiting in `value`, by waiter id.
        var waiters: [UInt64: UnsafeContinuation<Value, any Error>] = [:]
        /// Waiter ids whose cancellation arrived before their continuation (cancel-before-suspend).
        var cancelledEarly: Set<UInt64> = []
        /// The next waiter id.
        var nextWaiterID: UInt64 = 0
    }

    let child: ChildTask
    let state = Mutex(State())

    init(child: ChildTask) {
        self.child = child
    }

    /// The task's name: the `name:` it was started with, or its call site (`File.swift:42`).
    public var name: String { child.name }

    /// The task's status now.
    public var status: Status {
        let result = state.withLock { $0.result }
        switch result {
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
            try throwIfCancelled()
            if let result = state.withLock({ $0.result }) {
                await Task.yield()
                return try result.get()
            }
            let id = state.withLock { state -> UInt64 in
                state.nextWaiterID += 1
                return state.nextWaiterID
            }
            return try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { continuation in
                    let resumeNow = state.withLock { state -> Result<Value, any Error>? in
                        if state.cancelledEarly.remove(id) != nil { return .failure(CancellationError()) }
                        if let result = state.result { return result }
                        state.waiters[id] = continuation
                        return nil
                    }
                    // Single resumption: a parked continuation is removed from `waiters` under the
                    // lock by exactly one of `complete` or the cancellation handler.
                    if let resumeNow { continuation.resume(with: resumeNow) }
                }
            } onCancel: {
                let continuation = state.withLock { state -> UnsafeContinuation<Value, any Error>? in
                    if let continuation = state.waiters.removeValue(forKey: id) { return continuation }
                    if state.result == nil { state.cancelledEarly.insert(id) }
                    return nil
                }
                continuation?.resume(throwing: CancellationError())
            }
        }
    }

    /// The task ended.
    func complete(_ result: Result<Value, any Error>) {
        let waiters = state.withLock { state -> [UnsafeContinuation<Value, any Error>] in
            state.result = result
            state.cancelledEarly.removeAll()
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}

extension TaskHandle: CustomStringConvertible {
    /// The task's name and status.
    public var description: String { "TaskHandle(\(name), \(status))" }
}
