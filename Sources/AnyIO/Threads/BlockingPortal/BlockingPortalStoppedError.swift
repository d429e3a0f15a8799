//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Thrown when a ``BlockingPortal`` that has stopped is asked to run something.
///
/// A portal stops when ``BlockingPortal/stop(cancelRemaining:)`` is called, when the
/// ``withBlockingPortal(isolation:_:)`` scope that owns it ends, or when that scope is cancelled.
///
/// - SeeAlso: AnyIO's `RuntimeError("This portal is not running")`.
public struct BlockingPortalStoppedError: Error, Hashable, CustomStringConvertible {
    /// Creates the error.
    public init() {}

    /// Explains the error.
    public var description: String {
        "BlockingPortalStoppedError: this BlockingPortal is not running (it was stopped, or the "
            + "withBlockingPortal scope that owned it has ended)"
    }
}
