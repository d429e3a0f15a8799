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

extension AsyncPath {
    /// Runs `body` with the path's string on a worker thread.
    private func onThread<T: Sendable>(_ body: @escaping @Sendable (String) throws -> T) async throws -> T {
        let path = description
        return try await ToThread.runSync { try body(path) }
    }

    // MARK: - Queries

    /// Whether something exists at the path, following symbolic links (a dangling link does not
    /// exist).
    ///
    /// - Returns: `true` if `stat` succeeds; `false` for `ENOENT`, `ENOTDIR`, `ELOOP`,
    ///   `ENAMETOOLONG`.
    /// - Throws: ``FileSystemError`` for other failures, such as `EACCES`; `CancellationError`.
    /// - SeeAlso: AnyIO `Path.exists()`.
    public func exists() async throws -> Bool {
        try await onThread { try FileSystemCalls.exists($0) != nil }
    }

    /// Whether the path names a regular file (following symbolic links).
    ///
    /// - Returns: `false` also when nothing is there.
    /// - Throws: As ``exists()``.
    /// - SeeAlso: AnyIO `Path.is_file()`.
    public func isFile() async throws -> Bool {
        try await onThread { try FileSystemCalls.exists($0).map { FileSystemCalls.kind(of: $0) == .file } ?? false }
    }

    /// Whether the path names a directory (following symbolic links).
    ///
    /// - Returns: `false` also when nothing is there.
    /// - Throws: As ``exists()``.
    /// - SeeAlso: AnyIO `Path.is_dir()`.
    public func isDirectory() async throws -> Bool {
        try await onThread {
            try FileSystemCalls.exists($0).map { FileSystemCalls.kind(of: $0) == .directory } ?? false
        }
    }

    /// Whether the path itself is a symbolic link (dangling or not).
    ///
    /// - Returns: `false` also when nothing is there.
    /// - Throws: As ``exists()``.
    /// - SeeAlso: AnyIO `Path.is_symlink()`.
    public func isSymbolicLink() async throws -> Bool {
        try await onThread {
            try FileSystemCalls.exists($0, followingLinks: false).map { FileSystemCalls.kind(of: $0) == .symbolicLink } ?? false
        }
    }

    /// The file's status, following symbolic links.
    ///
    /// - Returns: Its size, kind, permissions and modification time.
    /// - Throws: ``FileSystemError`` (`ENOENT` naming the path when nothing is there);
    ///   `CancellationError`.
    /// - SeeAlso: AnyIO `Path.stat()`.
    public func stat() async throws -> FileStatus {
        try await onThread { FileStatus(try FileSystemCalls.status($0)) }
    }

    /// The status of the path itself, not following a symbolic link (``FileStatus/kind`` is then
    /// ``FileKind/symbolicLink``).
    ///
    /// - Returns: The status of the path itself.
    /// - Throws: As ``stat()``.
    /// - SeeAlso: AnyIO `Path.lstat()`.
    public func lstat() async throws -> FileStatus {
        try await onThread { FileStatus(try FileSystemCalls.status($0, followingLinks: false)) }
    }

    // MARK: - Whole-file reads and writes

    /// Reads the whole file.
    ///
    /// Opens, reads and closes in one worker-thread call.
    ///
    /// - Returns: The file's bytes.
    /// - Throws: ``FileSystemError`` naming the path; `CancellationError`.
    /// - SeeAlso: AnyIO `Path.read_bytes()`.
    public func readBytes() async throws -> [UInt8] {
        let ledger = FileDescriptorLedger.current
        return try await onThread { path in
            let core = try FileCore.open(path, mode: try FileOpenMode("r"), limiter: nil, ledger: ledger)
            defer { core.closeNow() }
            return try core.withStream(.reading) { try FileStreamCalls.read($0, count: nil, path: path) }
        }
    }

    /// Reads the whole file as UTF-8 text (invalid bytes become U+FFFD).
    ///
    /// - Returns: The file's text.
    /// - Throws: As ``readBytes()``.
    /// - SeeAlso: AnyIO `Path.read_text()`.
    public func readText() async throws -> String {
        String(decoding: try await readBytes(), as: UTF8.self)
    }

    /// Replaces the file's contents with `bytes`, creating the file if needed.
    ///
    /// - Parameter bytes: The new contents.
    /// - Throws: ``FileSystemError`` naming the path; `CancellationError`.
    /// - SeeAlso: AnyIO `Path.write_bytes()`.
    public func writeBytes(_ bytes: [UInt8]) async throws {
        let ledger = FileDescriptorLedger.current
        try await onThread { path in
            let core = try FileCore.open(path, mode: try FileOpenMode("w"), limiter: nil, ledger: ledger)
            defer { core.closeNow() }
            try core.withStream(.writing) { file in
                try FileStreamCalls.write(file, bytes, path: path)
                guard fflush(file) == 0 else { throw FileSystemError.current("write", path: path) }
            }
        }
    }

    /// Replaces the file's contents with `text` encoded as UTF-8, creating the file if needed.
    ///
    /// - Parameter text: The new contents.
    /// - Throws: As ``writeBytes(_:)``.
    /// - SeeAlso: AnyIO `Path.write_text()`.
    public func writeText(_ text: String) async throws {
        try await writeBytes(Array(text.utf8))
    }

    /// Opens the file, as ``openFile(_:mode:limiter:)`` does.
    ///
    /// - Parameter mode: How to open it; `"r"` by default.
    /// - Returns: The open file.
    /// - Throws: What ``openFile(_:mode:limiter:)`` throws.
    /// - SeeAlso: AnyIO `Path.open()`.
    public func open(mode: String = "r") async throws -> AsyncFile {
        try await openFile(description, mode: mode)
    }

    // MARK: - Changes

    /// Creates the directory.
    ///
    /// - Parameters:
    ///   - parents: Whether to create missing parent directories too (else a missing parent is
    ///     `ENOENT`).
    ///   - existOK: Whether an existing *directory* at the path is fine (else `EEXIST`; an
    ///     existing file is `EEXIST` either way).
    /// - Throws: ``FileSystemError`` naming the path; `CancellationError`.
    /// - SeeAlso: AnyIO `Path.mkdir(parents=, exist_ok=)`.
    public func mkdir(parents: Bool = false, existOK: Bool = false) async throws {
        try await onThread { try FileSystemCalls.makeDirectory($0, parents: parents, existOK: existOK) }
    }

    /// Removes the file (or symbolic link).
    ///
    /// - Parameter missingOK: Whether a missing file is fine (else `ENOENT`).
    /// - Throws: ``FileSystemError`` naming the path (`EISDIR` or `EPERM` for a directory);
    ///   `CancellationError`.
    /// - SeeAlso: AnyIO `Path.unlink(missing_ok=)`.
    public func unlink(missingOK: Bool = false) async throws {
        try await onThread { path in
            try FileSystemCalls.removeFile(path, missingOK: missingOK)
        }
    }

    /// Removes the directory, which must be empty.
    ///
    /// - Throws: ``FileSystemError`` naming the path (`ENOTEMPTY`, `ENOENT`, `ENOTDIR`);
    ///   `CancellationError`.
    /// - SeeAlso: AnyIO `Path.rmdir()`.
    public func rmdir() async throws {
        try await onThread { path in
            try FileSystemCalls.removeDirectory(path)
        }
    }

    /// Renames the file or directory to `target`, replacing a file there.
    ///
    /// - Parameter target: The new path.
    /// - Returns: `target`.
    /// - Throws: ``FileSystemError`` naming both paths; `CancellationError`.
    /// - SeeAlso: AnyIO `Path.rename(target)`.
    @discardableResult
    public func rename(to target: AsyncPath) async throws -> AsyncPath {
        let destination = target.description
        try await onThread { path in
            try FileSystemCalls.rename(path, to: destination)
        }
        return target
    }

    /// Makes this path a symbolic link to `target`.
    ///
    /// - Parameter target: What the link points at; stored as given (a relative target is
    ///   relative to the link's directory), and need not exist.
    /// - Throws: ``FileSystemError`` naming both paths (`EEXIST` if something is at this path);
    ///   `CancellationError`.
    /// - SeeAlso: AnyIO `Path.symlink_to()`.
    public func symlink(to target: AsyncPath) async throws {
        let destination = target.description
        try await onThread { path in try FileSystemCalls.makeSymbolicLink(at: path, to: destination) }
    }

    /// Creates the file if it does not exist, else sets its modification time to now.
    ///
    /// - Throws: ``FileSystemError`` naming the path (`ENOENT` for a missing parent);
    ///   `CancellationError`.
    /// - SeeAlso: AnyIO `Path.touch()`.
    public func touch() async throws {
        let ledger = FileDescriptorLedger.current
        try await onThread { path in
            if utimensat(AT_FDCWD, path, nil, 0) == 0 { return }
            let descriptor = try FileSystemCalls.openDescriptor(path, flags: O_WRONLY | O_CREAT, ledger: ledger)
            FileSystemCalls.closeDescriptor(descriptor, ledger: ledger)
        }
    }

    // MARK: - Directories

    /// The entries of the directory, sorted by name, without `.` and `..`.
    ///
    /// The directory is read on a worker thread at the first iteration; errors (`ENOENT`,
    /// `ENOTDIR`, naming the path) are thrown from there.
    ///
    /// ```swift
    /// for try await entry in AsyncPath("/etc").iterdir() where entry.suffix == ".conf" {
    ///     print(entry.name)
    /// }
    /// ```
    ///
    /// - Returns: The entries, each as this path `/` its name.
    /// - SeeAlso: AnyIO `Path.iterdir()`.
    public func iterdir() -> some AsyncSequence<AsyncPath, any Error> {
        AsyncPathDirectoryListing(directory: self, ledger: FileDescriptorLedger.current)
    }

    /// The paths under this directory that match `pattern`, as `pathlib`'s `glob`.
    ///
    /// `pattern` is relative, its components separated by `/`. In a component, `*` matches any
    /// characters, `?` one character and `[…]` one of a set (as `fnmatch`); these also match a
    /// leading dot, as in `pathlib`. A component `**` matches this directory and every directory
    /// below it (not following symbolic links); a trailing `**` yields every file and directory
    /// below. One worker-thread call reads one directory, so a deep glob is cancellable between
    /// directories. Entries of each directory come in name order; unreadable directories are
    /// skipped.
    ///
    /// ```swift
    /// for try await source in AsyncPath("Sources").glob("**/*.swift") { print(source) }
    /// ```
    ///
    /// - Parameter pattern: The relative pattern. An empty or absolute pattern throws
    ///   ``InvalidArgumentError`` from the first iteration.
    /// - Returns: The matching paths, each starting with this path.
    /// - SeeAlso: AnyIO `Path.glob(pattern)`.
    public func glob(_ pattern: String) -> some AsyncSequence<AsyncPath, any Error> {
        AsyncPathGlob(directory: self, pattern: pattern, ledger: FileDescriptorLedger.current)
    }

    // MARK: - Resolution

    /// The path made absolute by prefixing the current directory; not normalizing `..` and not
    /// following symbolic links.
    ///
    /// Reads the current directory synchronously (`getcwd`, which does not block on I/O).
    ///
    /// - Returns: The absolute path.
    /// - SeeAlso: AnyIO `Path.absolute()`.
    public func absolute() -> AsyncPath {
        if isAbsolute { return self }
        return AsyncPath(AsyncPath.currentDirectory() ?? "/") / description
    }

    /// The absolute path with symbolic links and `..` resolved.
    ///
    /// Like `pathlib`'s non-strict `resolve()`, a path whose end does not exist resolves as far
    /// as it exists, with the rest appended.
    ///
    /// - Returns: The resolved path.
    /// - Throws: ``FileSystemError`` (such as `ELOOP`); `CancellationError`.
    /// - SeeAlso: AnyIO `Path.resolve()`.
    public func resolve() async throws -> AsyncPath {
        let absolute = self.absolute()
        return try await ToThread.runSync { try AsyncPath.resolveOnThread(absolute) }
    }

    /// The current working directory.
    ///
    /// - Returns: The absolute path of the current directory.
    /// - Throws: ``FileSystemError`` (such as `ENOENT` if it was removed); `CancellationError`.
    /// - SeeAlso: AnyIO `Path.cwd()`.
    public static func cwd() async throws -> AsyncPath {
        try await ToThread.runSync {
            guard let path = currentDirectory() else { throw FileSystemError.current("getcwd", path: nil) }
            return AsyncPath(path)
        }
    }

    /// The user's home directory: `$HOME`, else the password database's entry.
    ///
    /// - Returns: The home directory.
    /// - Throws: ``FileSystemError`` with `ENOENT` if neither gives one; `CancellationError`.
    /// - SeeAlso: AnyIO `Path.home()`.
    public static func home() async throws -> AsyncPath {
        try await ToThread.runSync {
            if let home = getenv("HOME"), home.pointee != 0 { return AsyncPath(String(cString: home)) }
            if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir {
                return AsyncPath(String(cString: directory))
            }
            throw FileSystemError(code: ENOENT, operation: "home", path: "~")
        }
    }

    // MARK: - Helpers

    /// `getcwd`, or `nil` when it fails.
    private static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// `realpath` of the longest existing prefix of `path`, with the rest appended.
    private static func resolveOnThread(_ path: AsyncPath) throws -> AsyncPath {
        var existing = path
        var rest: [String] = []
        while true {
            if let resolved = realpath(existing.description, nil) {
                defer { free(resolved) }
                var result = AsyncPath(String(cString: resolved))
                for name in rest.reversed() {
                    result = name == ".." ? result.parent : result / name
                }
                return result
            }
            let error = FileSystemError.current("resolve", path: existing.description)
            guard error.code == ENOENT || error.code == ENOTDIR, existing.parent != existing else { throw error }
            rest.append(existing.name)
            existing = existing.parent
        }
    }
}
