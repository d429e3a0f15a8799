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

/// The blocking system calls of the file layer, each reporting failures as ``FileSystemError``.
///
/// Everything here blocks and runs on a worker thread (called from inside a
/// `ToThread.runSync` closure). The only places that open or close a descriptor are
/// ``openDescriptor(_:flags:mode:ledger:)``, ``makeTemporaryFile(ledger:)``,
/// ``closeDescriptor(_:ledger:)`` and ``closeStream(_:ledger:)``, so that the
/// ``FileDescriptorLedger`` sees every one.
enum FileSystemCalls {
    /// One entry of a directory listing.
    struct DirectoryEntry: Sendable {
        /// The entry's name, without the directory.
        var name: String
        /// Whether the entry is a directory, not following a symbolic link.
        var isDirectory: Bool
        /// Whether the entry is a symbolic link.
        var isSymbolicLink: Bool
    }

    // MARK: - Descriptors

    /// Opens `path` with `open(2)` (close-on-exec added), retrying on `EINTR`.
    static func openDescriptor(
        _ path: String, flags: Int32, mode: mode_t = 0o666, ledger: FileDescriptorLedger?
    ) throws -> Int32 {
        while true {
            let descriptor = open(path, flags | O_CLOEXEC, mode)
            if descriptor >= 0 {
                ledger?.recordOpen(descriptor, path: path)
                return descriptor
            }
            if errno != EINTR { throw FileSystemError.current("open", path: path) }
        }
    }

    /// Closes a descriptor that ``openDescriptor(_:flags:mode:ledger:)`` opened. `EINTR` from
    /// `close` is not retried (the descriptor is gone either way on Linux and Darwin).
    static func closeDescriptor(_ descriptor: Int32, ledger: FileDescriptorLedger?) {
        ledger?.recordClose(descriptor)
        _ = close(descriptor)
    }

    /// Closes a stdio stream and its descriptor, recording the close first.
    ///
    /// - Returns: The `errno` of a failed `fclose` (a failed final flush), or `nil`.
    @discardableResult
    static func closeStream(_ file: CFile, ledger: FileDescriptorLedger?) -> Int32? {
        ledger?.recordClose(fileno(file.pointer))
        return fclose(file.pointer) == 0 ? nil : errno
    }

    // MARK: - Metadata

    /// `stat` (or `lstat` when not following links) of `path`.
    static func status(_ path: String, followingLinks: Bool = true) throws -> stat {
        var info = stat()
        let result = followingLinks ? stat(path, &info) : lstat(path, &info)
        guard result == 0 else { throw FileSystemError.current(followingLinks ? "stat" : "lstat", path: path) }
        return info
    }

    /// Whether `path` exists; `false` for the errors that mean "not there" (as pathlib does),
    /// and an error for the others (such as `EACCES`).
    static func exists(_ path: String, followingLinks: Bool = true) throws -> stat? {
        do {
            return try status(path, followingLinks: followingLinks)
        } catch let error as FileSystemError {
            switch error.code {
            case ENOENT, ENOTDIR, EBADF, ELOOP, ENAMETOOLONG: return nil
            default: throw error
            }
        }
    }

    /// The kind of file a `stat` describes.
    static func kind(of info: stat) -> FileKind {
        switch info.st_mode & S_IFMT {
        case S_IFREG: .file
        case S_IFDIR: .directory
        case S_IFLNK: .symbolicLink
        default: .other
        }
    }

    // MARK: - Directories

    /// The entries of the directory at `path`, without `.` and `..`, sorted by name.
    static func listDirectory(_ path: String, ledger: FileDescriptorLedger?) throws -> [DirectoryEntry] {
        let descriptor = try openDescriptor(path, flags: O_RDONLY | O_DIRECTORY, ledger: ledger)
        guard let directory = fdopendir(descriptor) else {
            let error = FileSystemError.current("opendir", path: path)
            closeDescriptor(descriptor, ledger: ledger)
            throw error
        }
        defer {
            // closedir closes the descriptor too.
            ledger?.recordClose(descriptor)
            closedir(directory)
        }
        var entries: [DirectoryEntry] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw FileSystemError.current("readdir", path: path) }
                break
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name == "." || name == ".." { continue }
            var isDirectory = Int32(entry.pointee.d_type) == Int32(DT_DIR)
            var isSymbolicLink = Int32(entry.pointee.d_type) == Int32(DT_LNK)
            if Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                // Some file systems do not fill in d_type.
                let child = path == "/" ? "/" + name : path + "/" + name
                if let info = try? status(child, followingLinks: false) {
                    isDirectory = kind(of: info) == .directory
                    isSymbolicLink = kind(of: info) == .symbolicLink
                }
            }
            entries.append(DirectoryEntry(name: name, isDirectory: isDirectory, isSymbolicLink: isSymbolicLink))
        }
        entries.sort { $0.name < $1.name }
        return entries
    }

    /// `unlink(2)`; a missing file is fine when `missingOK`.
    static func removeFile(_ path: String, missingOK: Bool) throws {
        if unlink(path) != 0 {
            let error = FileSystemError.current("unlink", path: path)
            if !(missingOK && error.code == ENOENT) { throw error }
        }
    }

    /// `rmdir(2)`.
    static func removeDirectory(_ path: String) throws {
        guard rmdir(path) == 0 else { throw FileSystemError.current("rmdir", path: path) }
    }

    /// `rename(2)`.
    static func rename(_ path: String, to destination: String) throws {
        guard Self.systemRename(path, destination) == 0 else {
            throw FileSystemError.current("rename", path: path, otherPath: destination)
        }
    }

    /// The C library's `rename`, which ``rename(_:to:)`` shadows inside this type.
    private static func systemRename(_ old: String, _ new: String) -> Int32 {
        renameat(AT_FDCWD, old, AT_FDCWD, new)
    }

    /// `symlink(2)`: makes `path` a link to `target`.
    static func makeSymbolicLink(at path: String, to target: String) throws {
        guard symlink(target, path) == 0 else {
            throw FileSystemError.current("symlink", path: path, otherPath: target)
        }
    }

    /// Removes `path` and, if it is a directory (not a link to one), everything in it.
    /// A path that is already gone is not an error.
    static func removeTree(_ path: String, ledger: FileDescriptorLedger?) throws {
        guard let info = try exists(path, followingLinks: false) else { return }
        if kind(of: info) == .directory {
            for entry in try listDirectory(path, ledger: ledger) {
                try removeTree(path + "/" + entry.name, ledger: ledger)
            }
            if rmdir(path) != 0 && errno != ENOENT { throw FileSystemError.current("rmdir", path: path) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw FileSystemError.current("unlink", path: path)
        }
    }

    /// Creates a directory, like pathlib's `mkdir(parents:exist_ok:)`.
    static func makeDirectory(_ path: String, parents: Bool, existOK: Bool) throws {
        if mkdir(path, 0o777) == 0 { return }
        let error = FileSystemError.current("mkdir", path: path)
        if error.code == ENOENT && parents {
            let parent = AsyncPath(path).parent.description
            if parent != path {
                try makeDirectory(parent, parents: true, existOK: true)
                try makeDirectory(path, parents: false, existOK: existOK)
                return
            }
        }
        if error.code == EEXIST && existOK, let info = try? status(path), kind(of: info) == .directory {
            return
        }
        throw error
    }

    // MARK: - Temporary files

    /// The directory for temporary files: `$TMPDIR` if set and not empty, otherwise `/tmp`.
    static func temporaryDirectory() -> String {
        if let value = getenv("TMPDIR"), value.pointee != 0 {
            var path = String(cString: value)
            while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            return path
        }
        return "/tmp"
    }

    /// Creates and opens a new file with a unique name in ``temporaryDirectory()``.
    static func makeTemporaryFile(ledger: FileDescriptorLedger?) throws -> (descriptor: Int32, path: String) {
        var template = Array((temporaryDirectory() + "/tmpXXXXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard descriptor >= 0 else { throw FileSystemError.current("mkstemp", path: path) }
        ledger?.recordOpen(descriptor, path: path)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return (descriptor, path)
    }

    /// Creates a new directory with a unique name in ``temporaryDirectory()``.
    static func makeTemporaryDirectory() throws -> String {
        var template = Array((temporaryDirectory() + "/tmpXXXXXXXX").utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard result != nil else { throw FileSystemError.current("mkdtemp", path: path) }
        return path
    }
}

#if canImport(Musl)
/// A C `FILE *` as the platform's C library spells it.
typealias CFilePointer = OpaquePointer
#else
/// A C `FILE *` as the platform's C library spells it.
typealias CFilePointer = UnsafeMutablePointer<FILE>
#endif

/// A C stdio stream that may be handed between threads.
///
/// `@unchecked Sendable` because:
/// - stdio locks the stream inside every call, so calls from different threads do not corrupt it;
/// - the one thing stdio cannot guard against, a use after `fclose`, is ruled out by
///   ``FileCore``: it closes the stream only when no call is in flight and no new one can start.
struct CFile: @unchecked Sendable {
    /// The stream.
    let pointer: CFilePointer
}
