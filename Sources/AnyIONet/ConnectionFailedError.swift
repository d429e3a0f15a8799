//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Every attempt to connect failed: thrown by ``connectTCP(host:port:localHost:localPort:happyEyeballsDelay:)``.
///
/// ``attempts`` lists each address that was tried, in the order tried, with the error it failed
/// with. When the name could not be resolved at all, the host name stands in for the address.
///
/// - SeeAlso: AnyIO `ConnectionFailed` (an `OSError` grouping the attempts' errors).
public struct ConnectionFailedError: Error, CustomStringConvertible {
    /// The addresses tried (`"127.0.0.1:80"`, `"[::1]:80"`) and the error of each.
    public var attempts: [(address: String, error: any Error)]

    /// Makes the error from its attempts.
    ///
    /// - Parameter attempts: The addresses tried and the error of each.
    public init(attempts: [(address: String, error: any Error)]) {
        self.attempts = attempts
    }

    /// The attempts, one per line.
    public var description: String {
        var text = "ConnectionFailedError: all connection attempts failed"
        for attempt in attempts { text += "\n  \(attempt.address): \(attempt.error)" }
        return text
    }
}
