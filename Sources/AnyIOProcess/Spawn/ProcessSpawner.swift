//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import _AnyIOProcessCShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a successful spawn hands to `ChildProcess`: the pid, its pidfd, and the caller's ends of
/// the pipes (non-blocking, close-on-exec). Every descriptor in it is owned by the receiver.
struct SpawnedChild {
    var pid: pid_t
    /// `pidfd_open`'s descriptor, or -1 where the kernel has none (then exits are polled).
    var pidfd: Int32
    var stdin: Int32?
    var stdout: Int32?
    var stderr: Int32?
}

/// Spawns child processes: `posix_spawn` through `_AnyIOProcessCShims`, after resolving the
/// program on `PATH` and making the pipes. Synchronous: `posix_spawn` returns once the child has
/// called `exec` (glibc uses `CLONE_VFORK`), well under a millisecond.
enum ProcessSpawner {
    /// Spawns `arguments` with the given standard streams.
    ///
    /// Invariant: on every path out, each descriptor made here is either closed or in the
    /// returned `SpawnedChild` (the child's ends are always closed in the caller).
    static func spawn(
        _ arguments: [String],
        stdin: ProcessIO, stdout: ProcessIO, stderr: ProcessIO,
        workingDirectory: String?, environment: [String: String]?, startNewSession: Bool,
        ledger: FileDescriptorLedger?
    ) throws -> SpawnedChild {
        guard let program = arguments.first, !program.isEmpty else {
            throw InvalidArgumentError("openProcess: the argument list is empty or its first element (the program) is empty")
        }
        let path = try resolve(program, environment: environment, workingDirectory: workingDirectory)

        // Descriptors to close in the caller once the child has its copies, whatever happens.
        var childEnds: [Int32] = []
        // The caller's ends; closed here only if the spawn fails.
        var parentEnds: [Int32] = []
        var succeeded = false
        defer {
            for fd in childEnds { close(fd) }
            if !succeeded {
                for fd in parentEnds {
                    ledger?.recordClose(fd)
                    close(fd)
                }
            }
        }

        var childFDs: [Int32] = [-1, -1, -1]
        var parentFDs: [Int32?] = [nil, nil, nil]
        for (index, io) in [stdin, stdout, stderr].enumerated() {
            switch io {
            case .inherit:
                break
            case .discard:
                let fd = open("/dev/null", O_RDWR | O_CLOEXEC)
                guard fd >= 0 else { throw systemError("open /dev/null", program: program) }
                childEnds.append(fd)
                childFDs[index] = try aboveStandard(fd, childEnds: &childEnds, program: program)
            case .fileDescriptor(let given):
                // A private copy at 3 or above: `dup2` onto 0–2 then never aliases another slot.
                let fd = fcntl(given, F_DUPFD_CLOEXEC, 3)
                guard fd >= 0 else {
                    let name = ["stdin", "stdout", "stderr"][index]
                    throw InvalidArgumentError(
                        "openProcess: \(name): .fileDescriptor(\(given)) is not an open descriptor (\(errorString(errno)))")
                }
                childEnds.append(fd)
                childFDs[index] = fd
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard anyio_pipe_cloexec(&ends) == 0 else { throw systemError("pipe2", program: program) }
                let (childEnd, parentEnd) = index == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
                childEnds.append(childEnd)
                parentEnds.append(parentEnd)
                ledger?.recordOpen(parentEnd, path: "pipe to \(["stdin", "stdout", "stderr"][index]) of \(program)")
                childFDs[index] = try aboveStandard(childEnd, childEnds: &childEnds, program: program)
                let flags = fcntl(parentEnd, F_GETFL)
                guard flags >= 0, fcntl(parentEnd, F_SETFL, flags | O_NONBLOCK) == 0 else {
                    throw systemError("fcntl O_NONBLOCK", program: program)
                }
                parentFDs[index] = parentEnd
            }
        }

        var pid: pid_t = 0
        let result = withCStrings(arguments) { argv in
            withOptionalCStrings(environment.map { $0.map { "\($0.key)=\($0.value)" }.sorted() }) { envp in
                anyio_process_spawn(&pid, path, argv, envp, workingDirectory, childFDs, startNewSession ? 1 : 0)
            }
        }
        guard result == 0 else {
            throw spawnError(result, program: program, workingDirectory: workingDirectory)
        }
        succeeded = true

        var pidfd = anyio_pidfd_open(pid)
        if pidfd >= 0 {
            ledger?.recordOpen(pidfd, path: "pidfd of \(program)")
        } else {
            pidfd = -1
        }
        return SpawnedChild(pid: pid, pidfd: pidfd, stdin: parentFDs[0], stdout: parentFDs[1], stderr: parentFDs[2])
    }

    /// `fd` itself if it is 3 or above, else a close-on-exec copy that is (recorded in
    /// `childEnds`): a child end at 0–2 (possible when the caller's 0–2 are closed) would be
    /// `dup2`ed onto itself, which keeps close-on-exec, or be overwritten by another slot's
    /// `dup2`.
    private static func aboveStandard(_ fd: Int32, childEnds: inout [Int32], program: String) throws -> Int32 {
        guard fd < 3 else { return fd }
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 3)
        guard copy >= 0 else { throw systemError("fcntl F_DUPFD_CLOEXEC", program: program) }
        childEnds.append(copy)
        return copy
    }

    /// The path to execute: `program` itself if it has a slash, else the first executable file
    /// of that name on `PATH` (the child's `PATH` if `environment` is given, as Python does).
    static func resolve(_ program: String, environment: [String: String]?, workingDirectory: String?) throws -> String {
        if program.contains("/") { return program }
        let searchPath: String
        if let environment {
            searchPath = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        } else if let value = getenv("PATH") {
            searchPath = String(cString: value)
        } else {
            searchPath = "/usr/local/bin:/usr/bin:/bin"
        }
        var sawDenied = false
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let base = directory.isEmpty ? "." : String(directory)
            let candidate = base.hasSuffix("/") ? base + program : base + "/" + program
            var info = stat()
            guard stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            sawDenied = true
        }
        throw ProcessSpawnError(
            code: sawDenied ? .permissionDenied : .programNotFound, program: program,
            workingDirectory: workingDirectory, errorNumber: sawDenied ? EACCES : ENOENT)
    }

    /// The error for a failed `posix_spawn`: blames the working directory if it is not a
    /// directory one can enter (the child's `chdir` and `exec` both report `ENOENT`).
    private static func spawnError(_ number: Int32, program: String, workingDirectory: String?) -> any Error {
        if let workingDirectory {
            var info = stat()
            if stat(workingDirectory, &info) != 0 {
                return ProcessSpawnError(
                    code: .workingDirectoryUnusable, program: program, workingDirectory: workingDirectory,
                    errorNumber: errno)
            }
            if info.st_mode & S_IFMT != S_IFDIR || access(workingDirectory, X_OK) != 0 {
                return ProcessSpawnError(
                    code: .workingDirectoryUnusable, program: program, workingDirectory: workingDirectory,
                    errorNumber: info.st_mode & S_IFMT != S_IFDIR ? ENOTDIR : EACCES)
            }
        }
        let code: ProcessSpawnError.Code
        switch number {
        case ENOENT, ENOTDIR: code = .programNotFound
        case EACCES, EPERM: code = .permissionDenied
        default: code = .other
        }
        return ProcessSpawnError(code: code, program: program, workingDirectory: workingDirectory, errorNumber: number)
    }

    private static func systemError(_ call: String, program: String) -> ProcessSpawnError {
        ProcessSpawnError(code: .other, program: program, errorNumber: errno)
    }
}

/// Calls `body` with a null-terminated `char *` array of `strings` (valid only inside `body`).
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}

/// `withCStrings` for an optional array: `nil` passes a null pointer.
private func withOptionalCStrings<R>(_ strings: [String]?, _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> R) -> R {
    guard let strings else { return body(nil) }
    return withCStrings(strings) { pointers in pointers.withUnsafeBufferPointer { body($0.baseAddress) } }
}
