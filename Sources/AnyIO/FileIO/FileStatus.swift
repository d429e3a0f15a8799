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

/// What `stat` says about a file, as ``AsyncPath/stat()`` returns it.
///
/// ```swift
/// let status = try await AsyncPath("/etc/hosts").stat()
/// print(status.size, status.kind, String(status.permissions, radix: 8))
/// ```
///
/// - SeeAlso: AnyIO `Path.stat()`, Python's `os.stat_result`.
public struct FileStatus: Sendable, Hashable {
    /// The size in bytes (`st_size`).
    public var size: Int
    /// The kind of file.
    public var kind: FileKind
    /// The permission bits, including set-user-ID, set-group-ID and sticky (`st_mode & 0o7777`).
    public var permissions: UInt32
    /// The last modification, in seconds since 1970-01-01 00:00 UTC, with the fraction
    /// (`st_mtime`).
    public var modificationTime: Double

    /// Creates a status.
    ///
    /// - Parameters:
    ///   - size: The size in bytes.
    ///   - kind: The kind of file.
    ///   - permissions: The permission bits.
    ///   - modificationTime: The last modification, in seconds since 1970.
    public init(size: Int, kind: FileKind, permissions: UInt32, modificationTime: Double) {
        self.size = size
        self.kind = kind
        self.permissions = permissions
        self.modificationTime = modificationTime
    }

    /// The status a `stat` call filled in.
    init(_ info: stat) {
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        self.init(
            size: Int(info.st_size),
            kind: FileSystemCalls.kind(of: info),
            permissions: UInt32(info.st_mode) & 0o7777,
            modificationTime: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        )
    }
}
