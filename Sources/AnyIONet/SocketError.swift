//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An error the operating system reported for a socket operation, with the operation and the
/// address it was about.
///
/// Its description reads like `connect '/tmp/app.sock': Connection refused (errno 111)`. Compare
/// ``code`` with the C library's constants to react to one kind of failure:
///
/// ```swift
/// do {
///     _ = try await makeUnixListener(path: path)
/// } catch let error as SocketError where error.code == EADDRINUSE {
///     …
/// }
/// ```
///
/// - SeeAlso: AnyIO (Python) raises `OSError` and its subclasses for these.
public struct SocketError: Error, Hashable, CustomStringConvertible {
    /// The `errno` value, such as `ECONNREFUSED`.
    public var code: Int32
    /// What was attempted: `socket`, `bind`, `listen`, `connect`, `send`, `receive`, ….
    public var operation: String
    /// The address or path the operation was about, if any.
    public var address: String?

    /// Creates the error.
    ///
    /// - Parameters:
    ///   - code: The `errno` value.
    ///   - operation: What was attempted.
    ///   - address: The address or path the operation was about.
    public init(code: Int32, operation: String, address: String? = nil) {
        self.code = code
        self.operation = operation
        self.address = address
    }

    /// The system's message for ``code`` ("Connection refused").
    public var message: String {
        guard let text = strerror(code) else { return "Unknown error \(code)" }
        return String(cString: text)
    }

    /// Explains the error: `connect '/tmp/app.sock': Connection refused (errno 111)`.
    public var description: String {
        var subject = operation
        if let address { subject += " '\(address)'" }
        return "\(subject): \(message) (errno \(code))"
    }

    /// The error for the current `errno`, read at once (call right after the failing call).
    static func current(_ operation: String, address: String? = nil) -> SocketError {
        SocketError(code: errno, operation: operation, address: address)
    }
}
