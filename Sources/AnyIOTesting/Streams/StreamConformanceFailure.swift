//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Thrown by the stream conformance checks (``checkOneWayStream(makePair:)``,
/// ``checkTwoWayStream(bulkBytes:makePair:)``, ``checkHalfCloseableStream(bulkBytes:makePair:)``) when a stream
/// breaks one of the stream protocols' promises.
public struct StreamConformanceFailure: Error, CustomStringConvertible {
    /// The check that failed, such as `"a cancelled receive loses nothing"`.
    public var check: String
    /// What happened instead.
    public var message: String

    /// Creates the failure.
    ///
    /// - Parameters:
    ///   - check: The check that failed.
    ///   - message: What happened instead.
    public init(check: String, message: String) {
        self.check = check
        self.message = message
    }

    /// Names the check and what happened.
    public var description: String { "stream conformance check '\(check)' failed: \(message)" }
}
