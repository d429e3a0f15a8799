//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Thrown when an argument is out of range or malformed: `maxBytes < 1`, an empty delimiter, a
/// negative count, a file mode that is not one of `fopen`'s.
///
/// The message names the argument, the value and what to pass instead. Thrown before any I/O
/// happens, so the resource is untouched.
///
/// - SeeAlso: Python's `ValueError`, which AnyIO raises for these.
public struct InvalidArgumentError: Error, Hashable, CustomStringConvertible {
    /// What was wrong and what to do instead.
    public var message: String

    /// Creates the error.
    ///
    /// - Parameter message: What was wrong and what to do instead.
    public init(_ message: String) {
        self.message = message
    }

    /// Explains the error.
    public var description: String { "InvalidArgumentError: \(message)" }
}
