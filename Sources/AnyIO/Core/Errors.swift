//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Thrown by `Nursery.start` when the child returned without calling `TaskStatus.started`.
///
/// - SeeAlso: AnyIO's `RuntimeError("Child exited without calling task_status.started()")`.
public struct StartError: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// Explains the error.
    public var description: String {
        "StartError: the child task returned without calling started() on its TaskStatus"
    }
}

/// Thrown by ``failAfter(_:shield:isolation:_:)`` and ``failAt(_:shield:isolation:_:)`` when the
/// deadline cancelled the body.
///
/// - SeeAlso: AnyIO `TimeoutError` raised by `fail_after`.
public struct TimeoutError: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// Explains the error.
    public var description: String { "TimeoutError: the deadline passed before the operation finished" }
}
