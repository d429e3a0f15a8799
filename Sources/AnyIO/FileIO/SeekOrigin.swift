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

/// Where an ``AsyncFile/seek(_:from:)`` offset counts from.
///
/// - SeeAlso: AnyIO `AsyncFile.seek(offset, whence)` with `os.SEEK_SET`, `SEEK_CUR`, `SEEK_END`.
public enum SeekOrigin: Sendable, Hashable {
    /// From the start of the file (`SEEK_SET`).
    case start
    /// From the current position (`SEEK_CUR`).
    case current
    /// From the end of the file (`SEEK_END`).
    case end

    /// The C `whence` value.
    var whence: Int32 {
        switch self {
        case .start: SEEK_SET
        case .current: SEEK_CUR
        case .end: SEEK_END
        }
    }
}
