//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Thrown when reading the value of a ``Future`` that finished with an error: awaiting
/// ``Future/value`` or reading ``Future/returnValue``.
///
/// The future's own error is in ``error``. It is wrapped rather than rethrown so that an error set
/// on a future is never mistaken for something that happened to the waiter itself; in particular a
/// `CancellationError` set on a future does not look like the waiter's own cancellation.
///
/// AnyIO's `FutureCancelled` is a subclass of `FutureFailed`; here they are separate types: catch
/// ``FutureCancelledError`` as well to handle both.
///
/// - SeeAlso: AnyIO `FutureFailed` (the future's exception is its `__cause__`).
public struct FutureFailedError: Error, CustomStringConvertible {
    /// The error the future was finished with (``Future/setError(_:)``).
    public var error: any Error

    /// Creates the error.
    ///
    /// - Parameter error: The error the future was finished with.
    public init(error: any Error) {
        self.error = error
    }

    /// Explains the error.
    public var description: String {
        "FutureFailedError: the future raised an error: \(error)"
    }
}

/// Thrown when reading the outcome of, or finishing, a ``Future`` that was cancelled with
/// ``Future/cancel()``.
///
/// - SeeAlso: AnyIO `FutureCancelled`.
public struct FutureCancelledError: Error, Hashable, CustomStringConvertible {
    /// Creates the error.
    public init() {}

    /// Explains the error.
    public var description: String {
        "FutureCancelledError: the future was cancelled"
    }
}

/// Thrown when reading the outcome of a ``Future`` that has not finished yet (its
/// ``Future/returnValue`` or ``Future/error``). Await ``Future/value`` or ``Future/wait()`` first.
///
/// - SeeAlso: AnyIO `FutureNotFinished`.
public struct FutureNotFinishedError: Error, Hashable, CustomStringConvertible {
    /// Creates the error.
    public init() {}

    /// Explains the error.
    public var description: String {
        "FutureNotFinishedError: the future has not finished yet; await its value (or wait()) first"
    }
}

/// Thrown when setting the outcome of a ``Future`` that already has one: a future is finished
/// once.
///
/// - SeeAlso: AnyIO `FutureAlreadyFinished`.
public struct FutureAlreadyFinishedError: Error, Hashable, CustomStringConvertible {
    /// Whether the earlier outcome was an error (rather than a return value).
    public var failed: Bool

    /// Creates the error.
    ///
    /// - Parameter failed: Whether the earlier outcome was an error.
    public init(failed: Bool = false) {
        self.failed = failed
    }

    /// Explains the error.
    public var description: String {
        failed
            ? "FutureAlreadyFinishedError: the future already failed; a future is finished only once"
            : "FutureAlreadyFinishedError: the future has already finished; a future is finished only once"
    }
}
