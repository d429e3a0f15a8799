//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

package import AnyIO

/// Starts a child process and returns it, running, with pipes to its standard streams.
///
/// The program is `arguments[0]`: a path if it contains a slash, else looked up on `PATH` (the
/// child's `PATH` when `environment` is given). The child starts clean, whichever thread spawns
/// it: no signal blocked, every signal at its default disposition, and no descriptor of this
/// process except 0–2 (Swift's pool threads block signals, and a child that inherited that mask
/// would ignore `SIGTERM`).
///
/// A checkpoint (a cancellation check first). The spawn itself, a `posix_spawn` call that returns
/// once the child has started its program, runs on a worker thread, so a burst of spawns on a
/// loaded machine never holds up Swift's cooperative pool. Once started it is not interrupted: a
/// caller cancelled meanwhile gets the running child (and its next checkpoint throws; close the
/// child, which then tears it down). Nothing is left behind if the spawn fails.
///
/// ```swift
/// let process = try await openProcess(["sort"])
/// try await process.executeThenClose { process in
///     try await process.stdin!.send("b\na\n")
///     await process.stdin!.close()
///     let sorted = try await BufferedByteReceiveStream(process.stdout!).receiveUntil([0x0a], maxBytes: 100)
/// }
/// ```
///
/// - Parameters:
///   - arguments: The program and its arguments; not empty.
///   - stdin: Where the child's standard input comes from; a pipe by default.
///   - stdout: Where its standard output goes; a pipe by default.
///   - stderr: Where its standard error goes; a pipe by default.
///   - workingDirectory: The child's working directory; the caller's by default.
///   - environment: The child's whole environment; the caller's by default.
///   - startNewSession: Whether the child calls `setsid()` (a session and process group of its
///     own, no controlling terminal); teardown then signals the whole group.
///   - terminationGracePeriod: How long a cancelled ``ChildProcess/close()`` waits after
///     `SIGTERM` before `SIGKILL`; `.zero` kills at once.
/// - Returns: The running child. Close it (``ChildProcess/close()`` or `executeThenClose`).
/// - Throws: ``ProcessSpawnError`` naming the program (not found, not executable) or the working
///   directory; `InvalidArgumentError` for an empty argument list or a bad descriptor;
///   `CancellationError` (before anything is spawned).
/// - SeeAlso: AnyIO `anyio.open_process()`, Trio `trio.lowlevel.open_process()`.
public func openProcess(
    _ arguments: [String],
    stdin: ProcessIO = .pipe,
    stdout: ProcessIO = .pipe,
    stderr: ProcessIO = .pipe,
    workingDirectory: String? = nil,
    environment: [String: String]? = nil,
    startNewSession: Bool = false,
    terminationGracePeriod: Duration = .seconds(5)
) async throws -> ChildProcess {
    try await spawnOnWorkerThread(
        arguments, stdin: stdin, stdout: stdout, stderr: stderr, workingDirectory: workingDirectory,
        environment: environment, startNewSession: startNewSession, terminationGracePeriod: terminationGracePeriod)
}

/// Starts `command` with `/bin/sh -c` and returns the running child; see
/// ``openProcess(_:stdin:stdout:stderr:workingDirectory:environment:startNewSession:terminationGracePeriod:)``.
///
/// - Parameters:
///   - command: A shell command line.
///   - stdin: Where the child's standard input comes from; a pipe by default.
///   - stdout: Where its standard output goes; a pipe by default.
///   - stderr: Where its standard error goes; a pipe by default.
///   - workingDirectory: The child's working directory; the caller's by default.
///   - environment: The child's whole environment; the caller's by default.
///   - startNewSession: Whether the shell starts a session and process group of its own.
///   - terminationGracePeriod: How long a cancelled close waits after `SIGTERM` before `SIGKILL`.
/// - Returns: The running shell.
/// - Throws: ``ProcessSpawnError``; `InvalidArgumentError`; `CancellationError`.
/// - SeeAlso: AnyIO `anyio.open_process()` with a string command.
public func openProcess(
    shell command: String,
    stdin: ProcessIO = .pipe,
    stdout: ProcessIO = .pipe,
    stderr: ProcessIO = .pipe,
    workingDirectory: String? = nil,
    environment: [String: String]? = nil,
    startNewSession: Bool = false,
    terminationGracePeriod: Duration = .seconds(5)
) async throws -> ChildProcess {
    try await openProcess(
        ["/bin/sh", "-c", command], stdin: stdin, stdout: stdout, stderr: stderr, workingDirectory: workingDirectory,
        environment: environment, startNewSession: startNewSession, terminationGracePeriod: terminationGracePeriod)
}

/// Spawns on a worker thread (`ToThread.runSync`), after a cancellation check, in a shielded
/// scope: `ToThread.runSync` drops the result of a call whose caller was cancelled while it ran,
/// and a dropped child would be torn down only by its `deinit`. The task-local ledgers are read
/// here, in the caller's task, and handed to the thread.
func spawnOnWorkerThread(
    _ arguments: [String], stdin: ProcessIO, stdout: ProcessIO, stderr: ProcessIO, workingDirectory: String?,
    environment: [String: String]?, startNewSession: Bool, terminationGracePeriod: Duration
) async throws -> ChildProcess {
    try await LowLevel.checkpointIfCancelled()
    let ledger = FileDescriptorLedger.current
    let processLedger = ProcessLedger.current
    let process = try await withCancelScope(shield: true) { _ in
        try await ToThread.runSync {
            try spawnChildProcess(
                arguments, stdin: stdin, stdout: stdout, stderr: stderr, workingDirectory: workingDirectory,
                environment: environment, startNewSession: startNewSession,
                terminationGracePeriod: terminationGracePeriod, ledger: ledger, processLedger: processLedger)
        }
    }
    // A shielded scope is never cancelled, so it always has the body's value.
    guard let process else { preconditionFailure("spawnOnWorkerThread: a shielded scope returned no value") }
    return process
}

/// The synchronous part of `openProcess`: spawn, then wrap (the exit watcher starts at once).
/// `ledger` and `processLedger` record what the spawn opens, for tests (pass the caller's
/// task-locals: a worker thread has none).
package func spawnChildProcess(
    _ arguments: [String], stdin: ProcessIO, stdout: ProcessIO, stderr: ProcessIO, workingDirectory: String?,
    environment: [String: String]?, startNewSession: Bool, terminationGracePeriod: Duration,
    ledger: FileDescriptorLedger?, processLedger: ProcessLedger?
) throws -> ChildProcess {
    guard terminationGracePeriod >= .zero else {
        throw InvalidArgumentError(
            "openProcess: terminationGracePeriod must not be negative, got \(terminationGracePeriod)")
    }
    let spawned = try ProcessSpawner.spawn(
        arguments, stdin: stdin, stdout: stdout, stderr: stderr, workingDirectory: workingDirectory,
        environment: environment, startNewSession: startNewSession, ledger: ledger)
    processLedger?.record(spawned.pid)
    return ChildProcess(
        spawned: spawned, arguments: arguments, terminationGracePeriod: terminationGracePeriod,
        startedNewSession: startNewSession, ledger: ledger)
}
