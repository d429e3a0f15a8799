//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A one-shot result that one task sets and any number of tasks wait for.
///
/// Set it once with ``setReturnValue(_:)`` or ``setError(_:)``, or give up on it with
/// ``cancel()``; every task awaiting ``value`` (or ``wait()``) then wakes. A future is finished
/// once: a second outcome is refused with ``FutureAlreadyFinishedError``.
///
/// ```swift
/// let reply = Future<String>()
/// try await withNursery { nursery in
///     nursery.startSoon {
///         let answer = try await askServer()
///         try reply.setReturnValue(answer)
///     }
///     print(try await reply.value)   // waits for the answer
/// }
/// ```
///
/// Waiting is cancel-safe and consumes nothing: a waiter that is cancelled simply stops waiting,
/// and the others still get the outcome. All members may be used from any task or thread.
///
/// - SeeAlso: AnyIO 4.14's `Future`.
public final class Future<Value: Sendable>: Sendable {
    /// Where a future is in its life.
    ///
    /// - SeeAlso: AnyIO `Future.Status`.
    public enum Status: Sendable, Hashable {
        /// Not finished yet.
        case pending
        /// Finished with a return value (``Future/setReturnValue(_:)``).
        case finished
        /// Finished by ``Future/cancel()`` before it had an outcome.
        case cancelled
        /// Finished with an error (``Future/setError(_:)``).
        case failed
    }

    let storage = FutureStorage<Value>()

    /// A name for the future, shown in its description; `nil` if none was given.
    public let name: String?

    /// Creates a pending future.
    ///
    /// - Parameter name: A name shown in the description, for debugging.
    /// - SeeAlso: AnyIO `Future(name=)`.
    public init(name: String? = nil) {
        self.name = name
    }

    /// The future's status now.
    ///
    /// - SeeAlso: AnyIO `Future.status`.
    public var status: Status {
        switch storage.status {
        case .pending: return .pending
        case .finished: return .finished
        case .failed: return .failed
        case .cancelled: return .cancelled
        }
    }

    /// Finishes the future with a return value, waking every waiter.
    ///
    /// Synchronous; callable from any task or thread. Not a checkpoint.
    ///
    /// - Parameter value: The value every waiter gets.
    /// - Throws: ``FutureAlreadyFinishedError`` if the future already has an outcome;
    ///   ``FutureCancelledError`` if it was cancelled. Either way nothing changed.
    /// - SeeAlso: AnyIO `future.return_value = value`.
    public func setReturnValue(_ value: Value) throws {
        try storage.finish(.success(value))
    }

    /// Finishes the future with an error, waking every waiter.
    ///
    /// Synchronous; callable from any task or thread. Not a checkpoint. Waiters reading
    /// ``value`` get ``FutureFailedError`` holding `error`.
    ///
    /// - Parameter error: The error the future failed with.
    /// - Throws: ``FutureAlreadyFinishedError`` if the future already has an outcome;
    ///   ``FutureCancelledError`` if it was cancelled. Either way nothing changed.
    /// - SeeAlso: AnyIO `future.exception = error`.
    public func setError(_ error: any Error) throws {
        try storage.finish(.failure(error))
    }

    /// Cancels the future if it has no outcome yet, waking every waiter; does nothing otherwise.
    ///
    /// Waiters reading ``value`` then get ``FutureCancelledError``, and setting an outcome later
    /// throws it. This cancels the *future*, not any task: no cancel scope is involved.
    /// Synchronous, idempotent; callable from any task or thread. Not a checkpoint.
    ///
    /// - SeeAlso: AnyIO `Future.cancel()`.
    public func cancel() {
        storage.cancel()
    }

    /// Waits until the future has finished, however it finished. A checkpoint.
    ///
    /// Returns at once (after yielding) if the future has already finished. Read the outcome
    /// afterwards with ``returnValue`` or ``error``, or await ``value`` instead. Cancel-safe: a
    /// cancelled `wait()` leaves nothing behind; an outcome set before the cancellation arrived
    /// wins, and the call then returns normally.
    ///
    /// - Throws: `CancellationError` if the enclosing cancel scope is cancelled before or while
    ///   waiting, also when the future has already finished.
    /// - SeeAlso: AnyIO `Future.wait()`.
    public func wait() async throws {
        try await storage.wait()
    }

    /// The future's return value, waiting for the future to finish. A checkpoint.
    ///
    /// This is AnyIO's `await future`. Waiting is as in ``wait()``.
    ///
    /// - Throws: `CancellationError` if the enclosing cancel scope is cancelled before or while
    ///   waiting; ``FutureFailedError`` (holding the future's error) if it finished with an error;
    ///   ``FutureCancelledError`` if the future was cancelled.
    /// - SeeAlso: AnyIO `await future`.
    public var value: Value {
        get async throws {
            try await storage.wait()
            return try returnValue
        }
    }

    /// The return value of a finished future, without waiting.
    ///
    /// - Throws: ``FutureNotFinishedError`` if it has not finished; ``FutureFailedError``
    ///   (holding the future's error) if it finished with an error; ``FutureCancelledError`` if
    ///   it was cancelled.
    /// - SeeAlso: AnyIO `Future.return_value`.
    public var returnValue: Value {
        get throws {
            let (status, outcome) = storage.snapshot
            switch (status, outcome) {
            case (_, .success(let value)?): return value
            case (_, .failure(let error)?): throw FutureFailedError(error: error)
            case (.cancelled, nil): throw FutureCancelledError()
            case (_, nil): throw FutureNotFinishedError()
            }
        }
    }

    /// The error of a finished future, without waiting: `nil` if it finished with a return
    /// value.
    ///
    /// - Throws: ``FutureNotFinishedError`` if it has not finished; ``FutureCancelledError`` if
    ///   it was cancelled.
    /// - SeeAlso: AnyIO `Future.exception`.
    public var error: (any Error)? {
        get throws {
            let (status, outcome) = storage.snapshot
            switch (status, outcome) {
            case (_, .success?): return nil
            case (_, .failure(let error)?): return error
            case (.cancelled, nil): throw FutureCancelledError()
            case (_, nil): throw FutureNotFinishedError()
            }
        }
    }

    /// A snapshot of the future's state, for debugging.
    public func statistics() -> FutureStatistics {
        FutureStatistics(tasksWaiting: storage.waitingCount)
    }
}

/// What ``Future/statistics()`` reports.
public struct FutureStatistics: Sendable, Hashable {
    /// The number of tasks waiting in ``Future/wait()`` or for ``Future/value``.
    public var tasksWaiting: Int

    /// Creates a statistics record.
    public init(tasksWaiting: Int) {
        self.tasksWaiting = tasksWaiting
    }
}

extension Future: CustomStringConvertible {
    /// The status and the name.
    public var description: String {
        let label = name.map { ", name: \(String(reflecting: $0))" } ?? ""
        return "Future(\(status)\(label))"
    }
}
