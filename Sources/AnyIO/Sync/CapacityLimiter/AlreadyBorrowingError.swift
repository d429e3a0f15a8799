//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Thrown by ``CapacityLimiter/acquire()`` and ``CapacityLimiter/acquire(onBehalfOf:)`` when the
/// borrower already holds one of the limiter's tokens, or is already waiting for one.
///
/// A borrower (a task, or the value given to `acquire(onBehalfOf:)`) holds at most one token of a
/// limiter. Nothing changed when this is thrown: the borrower keeps the token it had.
///
/// - SeeAlso: AnyIO's `RuntimeError("this borrower is already holding one of this
///   CapacityLimiter's tokens")`, raised by `CapacityLimiter.acquire()`.
public struct AlreadyBorrowingError: Error, Hashable, CustomStringConvertible {
    /// A description of the borrower, such as `task 'worker'` or the value's description.
    public var borrower: String

    /// Creates the error.
    ///
    /// - Parameter borrower: A description of the borrower.
    public init(borrower: String) {
        self.borrower = borrower
    }

    /// Explains the error.
    public var description: String {
        "AlreadyBorrowingError: \(borrower) is already holding (or waiting for) one of this CapacityLimiter's tokens; "
            + "a borrower holds at most one token of a limiter"
    }
}
