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

/// A parsed `fopen`/Python file mode: `r`, `w`, `a` or `x`, with an optional `+` and an ignored
/// `b`, in any order (as Python accepts them).
struct FileOpenMode: Sendable, Hashable {
    /// The modes ``openFile(_:mode:limiter:)`` accepts, for error messages.
    static let validModes = "\"r\", \"w\", \"a\", \"x\", each optionally with \"+\" (read and write) and \"b\" (ignored)"

    /// The primary letter: `r`, `w`, `a` or `x`.
    let primary: Character
    /// Whether `+` was given: open for reading and writing.
    let isUpdate: Bool

    /// Parses `mode`, throwing ``InvalidArgumentError`` for anything but the valid modes.
    init(_ mode: String) throws {
        guard Self.isWellFormed(mode), let primary = mode.first(where: { "rwax".contains($0) }) else {
            throw InvalidArgumentError("openFile: invalid mode \"\(mode)\"; valid modes are \(Self.validModes)")
        }
        self.primary = primary
        self.isUpdate = mode.contains("+")
    }

    /// Whether `mode` has exactly one primary letter and at most one `+` and one `b`, and nothing else.
    private static func isWellFormed(_ mode: String) -> Bool {
        let primaries = mode.filter { "rwax".contains($0) }.count
        let pluses = mode.filter { $0 == "+" }.count
        let bs = mode.filter { $0 == "b" }.count
        return primaries == 1 && pluses <= 1 && bs <= 1 && primaries + pluses + bs == mode.count
    }

    /// Whether the file can be read.
    var isReadable: Bool { primary == "r" || isUpdate }

    /// Whether the file can be written.
    var isWritable: Bool { primary != "r" || isUpdate }

    /// The `open(2)` flags.
    var flags: Int32 {
        let access = isUpdate ? O_RDWR : (primary == "r" ? O_RDONLY : O_WRONLY)
        switch primary {
        case "w": return access | O_CREAT | O_TRUNC
        case "a": return access | O_CREAT | O_APPEND
        case "x": return access | O_CREAT | O_EXCL
        default: return access
        }
    }

    /// The mode for `fdopen` (which knows no `x`: the file exists by then).
    var streamMode: String {
        let letter = primary == "x" ? "w" : String(primary)
        return letter + (isUpdate ? "+" : "")
    }
}
