//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// What kind of file a path names, as ``FileStatus/kind`` reports it.
///
/// - SeeAlso: Python's `stat.S_ISREG`, `S_ISDIR`, `S_ISLNK` on `st_mode`.
public enum FileKind: Sendable, Hashable {
    /// A regular file.
    case file
    /// A directory.
    case directory
    /// A symbolic link (only from ``AsyncPath/lstat()``, which does not follow links).
    case symbolicLink
    /// Anything else: a device, a FIFO, a socket.
    case other
}
