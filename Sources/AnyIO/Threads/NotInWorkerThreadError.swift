//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Thrown by ``FromThread/run(_:)`` and ``FromThread/checkCancelled()`` when called from a thread
/// that is not running a ``ToThread/runSync(limiter:abandonOnCancel:_:)`` closure.
///
/// Only worker threads know which task to call back into. From any other thread (one you started,
/// a C library's callback thread, or code running in a Swift task), use a ``BlockingPortal``.
///
/// - SeeAlso: AnyIO's `NoEventLoopError` ("This function can only be called inside an AnyIO
///   worker thread").
public struct NotInWorkerThreadError: Error, Hashable, CustomStringConvertible {
    /// The function that was called, such as `FromThread.run(_:)`.
    public var function: String

    /// Creates the error.
    ///
    /// - Parameter function: The function that was called.
    public init(function: String) {
        self.function = function
    }

    /// Explains the error.
    public var description: String {
        "NotInWorkerThreadError: \(function) can only be called from a worker thread running a ToThread.runSync "
            + "closure; from other threads, call async code through a BlockingPortal"
    }
}
