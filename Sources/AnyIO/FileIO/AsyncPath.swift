//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A file system path with asynchronous file operations, after Python's `pathlib.Path`.
///
/// The path algebra (``name``, ``stem``, ``suffix``, ``parent``, ``parts``, `/`) is pure and
/// follows `pathlib.PurePosixPath`: the path is normalized when created (repeated and trailing
/// slashes and `.` components are dropped, `..` is kept), so `AsyncPath("a//b/./")` is `a/b`
/// and the empty path is `.`. The operations that touch the file system are `async`, run on a
/// worker thread through ``ToThread/runSync(limiter:abandonOnCancel:_:)``, are checkpoints and
/// cancellable until the thread starts them, and throw ``FileSystemError`` naming the path.
///
/// ```swift
/// let config = try await AsyncPath.home() / ".config" / "tool.json"
/// if try await config.exists() { print(try await config.readText()) }
/// let directory: AsyncPath = "/var/log"
/// for try await log in directory.glob("*.log") {
///     print(log.name, try await log.stat().size)
/// }
/// ```
///
/// - SeeAlso: AnyIO `Path`.
public struct AsyncPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The normalized path.
    private let normalized: String

    /// Creates a path, normalizing it as `pathlib` does.
    ///
    /// - Parameter path: The path; the empty string means `.`.
    public init(_ path: String) {
        normalized = AsyncPath.normalize(path)
    }

    /// Creates a path from a string literal: `let path: AsyncPath = "/tmp"`.
    ///
    /// - Parameter value: The path.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The path as a string, normalized (`"a/b"`, `"/"`, `"."`).
    public var description: String { normalized }

    /// Appends `rhs` to `lhs`; an absolute `rhs` replaces `lhs`, as in `pathlib`.
    ///
    /// ```swift
    /// AsyncPath("/usr") / "lib/swift"   // /usr/lib/swift
    /// AsyncPath("/usr") / "/etc"        // /etc
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The base path.
    ///   - rhs: The path to append; may contain several components.
    /// - Returns: The joined path.
    /// - SeeAlso: AnyIO `Path.__truediv__`.
    public static func / (lhs: AsyncPath, rhs: String) -> AsyncPath {
        if rhs.hasPrefix("/") { return AsyncPath(rhs) }
        return AsyncPath(lhs.normalized + "/" + rhs)
    }

    /// Whether the path starts at the root (`/`).
    public var isAbsolute: Bool { normalized.hasPrefix("/") }

    /// The components: `"/"` first for an absolute path, then each name; `[]` for `.`.
    ///
    /// `AsyncPath("/usr/bin").parts` is `["/", "usr", "bin"]`.
    ///
    /// - SeeAlso: `pathlib.PurePath.parts`.
    public var parts: [String] {
        (isAbsolute ? ["/"] : []) + names
    }

    /// The final component, or `""` for `/` and `.`.
    ///
    /// `AsyncPath("/a/b.tar.gz").name` is `"b.tar.gz"`.
    ///
    /// - SeeAlso: `pathlib.PurePath.name`.
    public var name: String { names.last ?? "" }

    /// The final component's last extension, with its dot: `".gz"` for `b.tar.gz`; `""` when
    /// there is none (also for `.bashrc` and `name.`).
    ///
    /// - SeeAlso: `pathlib.PurePath.suffix`.
    public var suffix: String {
        guard let dot = suffixStart else { return "" }
        return String(name[dot...])
    }

    /// The final component without its ``suffix``: `"b.tar"` for `b.tar.gz`.
    ///
    /// - SeeAlso: `pathlib.PurePath.stem`.
    public var stem: String {
        guard let dot = suffixStart else { return name }
        return String(name[..<dot])
    }

    /// The path without its final component: `a` for `a/b`, `.` for `a`, `/` for `/a` and `/`.
    ///
    /// Purely lexical: the parent of `..` is `.`.
    ///
    /// - SeeAlso: `pathlib.PurePath.parent`.
    public var parent: AsyncPath {
        var names = self.names
        guard !names.isEmpty else { return self }
        names.removeLast()
        return AsyncPath((isAbsolute ? "/" : "") + names.joined(separator: "/"))
    }

    /// Every extension of the final component, with their dots: `[".tar", ".gz"]` for
    /// `b.tar.gz`; `[]` for a name without one or ending with a dot. Leading dots do not count.
    ///
    /// - SeeAlso: `pathlib.PurePath.suffixes`.
    public var suffixes: [String] {
        let name = self.name
        guard !name.hasSuffix(".") else { return [] }
        let trimmed = name.drop { $0 == "." }
        return trimmed.split(separator: ".", omittingEmptySubsequences: false).dropFirst().map { "." + $0 }
    }

    /// The ancestors, nearest first: `["/a/b", "/a", "/"]` for `/a/b/c`, `["a", "."]` for `a/b`.
    ///
    /// - SeeAlso: `pathlib.PurePath.parents`.
    public var parents: [AsyncPath] {
        var result: [AsyncPath] = []
        var current = self
        while current.parent != current {
            current = current.parent
            result.append(current)
        }
        return result
    }

    /// The path with its final component replaced by `name`.
    ///
    /// - Parameter name: The new final component: not empty, not `.`, without `/`.
    /// - Returns: The new path.
    /// - Throws: ``InvalidArgumentError`` if this path has no name (`/`, `.`) or `name` is invalid.
    /// - SeeAlso: `pathlib.PurePath.with_name()`.
    public func withName(_ name: String) throws -> AsyncPath {
        guard !self.name.isEmpty else {
            throw InvalidArgumentError("AsyncPath.withName: \"\(self)\" has no name to replace")
        }
        guard !name.isEmpty, name != ".", !name.contains("/") else {
            throw InvalidArgumentError("AsyncPath.withName: invalid name \"\(name)\"; pass one component, without \"/\"")
        }
        return parent / name
    }

    /// The path with its ``suffix`` replaced by `suffix` (added if there was none; removed if
    /// `suffix` is empty).
    ///
    /// - Parameter suffix: The new suffix: empty, or a dot followed by at least one character,
    ///   without `/`.
    /// - Returns: The new path.
    /// - Throws: ``InvalidArgumentError`` if this path has no name or `suffix` is invalid.
    /// - SeeAlso: `pathlib.PurePath.with_suffix()`.
    public func withSuffix(_ suffix: String) throws -> AsyncPath {
        guard suffix.isEmpty || (suffix.hasPrefix(".") && suffix != "." && !suffix.contains("/")) else {
            throw InvalidArgumentError("AsyncPath.withSuffix: invalid suffix \"\(suffix)\"; pass \"\" or one such as \".txt\"")
        }
        guard !name.isEmpty else {
            throw InvalidArgumentError("AsyncPath.withSuffix: \"\(self)\" has no name to change")
        }
        return try withName(stem + suffix)
    }

    /// The path relative to `other`, which must be one of its ancestors (or the path itself);
    /// purely lexical.
    ///
    /// `AsyncPath("/etc/ssh/sshd_config").relative(to: "/etc")` is `ssh/sshd_config`.
    ///
    /// - Parameter other: An ancestor of this path.
    /// - Returns: The rest of the path, `.` for the path itself.
    /// - Throws: ``InvalidArgumentError`` if `other` is not an ancestor.
    /// - SeeAlso: `pathlib.PurePath.relative_to()`.
    public func relative(to other: AsyncPath) throws -> AsyncPath {
        let mine = parts, theirs = other.parts
        guard mine.count >= theirs.count, Array(mine[..<theirs.count]) == theirs else {
            throw InvalidArgumentError("AsyncPath.relative(to:): \"\(self)\" is not in the subpath of \"\(other)\"")
        }
        return AsyncPath(mine[theirs.count...].joined(separator: "/"))
    }

    /// The components after the root.
    private var names: [String] {
        normalized == "." ? [] : normalized.split(separator: "/").map(String.init)
    }

    /// Where ``suffix`` starts in ``name``: the last dot, unless it is the first or last character.
    private var suffixStart: String.Index? {
        let name = self.name
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex, name.index(after: dot) != name.endIndex
        else { return nil }
        return dot
    }

    /// `pathlib`'s normalization: drop empty and `.` components and the trailing slash.
    private static func normalize(_ path: String) -> String {
        let names = path.split(separator: "/").filter { $0 != "." }
        if path.hasPrefix("/") { return "/" + names.joined(separator: "/") }
        return names.isEmpty ? "." : names.joined(separator: "/")
    }
}
