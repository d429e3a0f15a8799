//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An error the operating system reported for a file operation, with the operation and the path.
///
/// Its description reads like `open '/x/y': No such file or directory (ENOENT)`: the operation,
/// the path, the system's message and the symbolic `errno` name. Compare ``code`` with the C
/// library's constants to react to one kind of failure:
///
/// ```swift
/// do {
///     _ = try await AsyncPath("/etc/missing").readText()
/// } catch let error as FileSystemError where error.code == ENOENT {
///     print("no such file:", error.path ?? "?")
/// }
/// ```
///
/// - SeeAlso: AnyIO (Python) raises `OSError` and its subclasses (`FileNotFoundError`,
///   `IsADirectoryError`, …) for these.
public struct FileSystemError: Error, Hashable, CustomStringConvertible {
    /// The `errno` value, such as `ENOENT`.
    public var code: Int32

    /// What was attempted: `open`, `read`, `write`, `seek`, `mkdir`, `rename`, ….
    public var operation: String

    /// The path the operation was about, if it had one.
    public var path: String?

    /// The second path of a two-path operation (the target of `rename`), if any.
    public var otherPath: String?

    /// Creates the error.
    ///
    /// - Parameters:
    ///   - code: The `errno` value.
    ///   - operation: What was attempted.
    ///   - path: The path the operation was about.
    ///   - otherPath: The second path of a two-path operation.
    public init(code: Int32, operation: String, path: String? = nil, otherPath: String? = nil) {
        self.code = code
        self.operation = operation
        self.path = path
        self.otherPath = otherPath
    }

    /// The system's message for ``code``, as `strerror` gives it ("No such file or directory").
    public var message: String {
        guard let text = strerror(code) else { return "Unknown error \(code)" }
        return String(cString: text)
    }

    /// The symbolic name of ``code`` ("ENOENT"), or "errno N" for one this library does not name.
    public var codeName: String {
        FileSystemError.names[code] ?? "errno \(code)"
    }

    /// Explains the error: `open '/x/y': No such file or directory (ENOENT)`.
    public var description: String {
        var subject = operation
        if let path { subject += " '\(path)'" }
        if let otherPath { subject += " -> '\(otherPath)'" }
        return "\(subject): \(message) (\(codeName))"
    }

    /// The error for the current `errno`, read at once (call it right after the failing call).
    static func current(_ operation: String, path: String?, otherPath: String? = nil) -> FileSystemError {
        FileSystemError(code: errno, operation: operation, path: path, otherPath: otherPath)
    }

    private static let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", EIO: "EIO", EBADF: "EBADF",
        EAGAIN: "EAGAIN", ENOMEM: "ENOMEM", EACCES: "EACCES", EBUSY: "EBUSY", EEXIST: "EEXIST",
        EXDEV: "EXDEV", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL", ENFILE: "ENFILE",
        EMFILE: "EMFILE", ETXTBSY: "ETXTBSY", EFBIG: "EFBIG", ENOSPC: "ENOSPC", ESPIPE: "ESPIPE",
        EROFS: "EROFS", EMLINK: "EMLINK", EPIPE: "EPIPE", ENAMETOOLONG: "ENAMETOOLONG",
        ENOTEMPTY: "ENOTEMPTY", ELOOP: "ELOOP", EDQUOT: "EDQUOT", EOVERFLOW: "EOVERFLOW",
    ]
}
