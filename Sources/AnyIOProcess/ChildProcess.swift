//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import AnyIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A running child process started by ``openProcess(_:stdin:stdout:stderr:workingDirectory:environment:startNewSession:terminationGracePeriod:)``:
/// its pipes, its pid, its exit.
///
/// The child is reaped as soon as it exits, whether or not anyone calls ``wait()``, so it never
/// stays a zombie. Its exit is observed through a pidfd that one epoll thread watches for the
/// whole process: no pool thread blocks.
///
/// Closing is the teardown, and it never leaves an orphan:
///
/// - ``close()`` by a task that is not cancelled closes the pipes (the child sees end-of-file on
///   its input and `EPIPE` on its output) and waits for the child to exit.
/// - ``close()`` by a cancelled task (also the end of `executeThenClose` left by cancellation, and
///   a cancelled wait inside a plain `close()`) sends `SIGTERM`, then `SIGKILL` if the child is
///   still running after ``terminationGracePeriod`` (`.zero`: `SIGKILL` at once), waits for it,
///   and closes the pipes. With `startNewSession` the signals go to the child's whole process
///   group. This is Trio's policy; AnyIO kills at once.
///
/// ```swift
/// let process = try await openProcess(["cat"])
/// try await process.executeThenClose { process in
///     try await process.stdin!.send("hello\n")
///     await process.stdin!.close()
///     for try await chunk in process.stdout!.chunks() { print(chunk.count) }
///     print(try await process.wait())
/// }
/// ```
///
/// - SeeAlso: AnyIO `anyio.abc.Process`, Trio `trio.Process`.
public final class ChildProcess: AsyncResource, CustomStringConvertible {
    /// The child's process id.
    public let pid: Int32
    /// The program and its arguments.
    public let arguments: [String]
    /// The child's standard input, if it was `.pipe`. Closing it sends end-of-file.
    public let stdin: (any ByteSendStream)?
    /// The child's standard output, if it was `.pipe`.
    public let stdout: (any ByteReceiveStream)?
    /// The child's standard error, if it was `.pipe`.
    public let stderr: (any ByteReceiveStream)?
    /// How long a cancelled ``close()`` waits after `SIGTERM` before it sends `SIGKILL`.
    public let terminationGracePeriod: Duration
    /// Whether the child leads a session (and process group) of its own; teardown signals the
    /// group then.
    public let startedNewSession: Bool

    let exit: ProcessExitStorage
    /// The pipe ends, for `close()`.
    private let pipeEnds: [PipeEnd]

    init(
        spawned: SpawnedChild, arguments: [String], terminationGracePeriod: Duration, startedNewSession: Bool,
        ledger: FileDescriptorLedger?
    ) {
        let description = "process \(spawned.pid) (\(describeCommand(arguments)))"
        pid = spawned.pid
        self.arguments = arguments
        self.terminationGracePeriod = terminationGracePeriod
        self.startedNewSession = startedNewSession
        exit = ProcessExitStorage(pid: spawned.pid, pidfd: spawned.pidfd, description: description, ledger: ledger)
        var ends: [PipeEnd] = []
        if let fd = spawned.stdin {
            let end = PipeEnd(descriptor: fd, direction: .write, description: "stdin of \(description)", ledger: ledger)
            ends.append(end)
            stdin = ProcessSendStream(end: end)
        } else {
            stdin = nil
        }
        if let fd = spawned.stdout {
            let end = PipeEnd(descriptor: fd, direction: .read, description: "stdout of \(description)", ledger: ledger)
            ends.append(end)
            stdout = ProcessReceiveStream(end: end)
        } else {
            stdout = nil
        }
        if let fd = spawned.stderr {
            let end = PipeEnd(descriptor: fd, direction: .read, description: "stderr of \(description)", ledger: ledger)
            ends.append(end)
            stderr = ProcessReceiveStream(end: end)
        } else {
            stderr = nil
        }
        pipeEnds = ends
        exit.startWatching()
    }

    deinit {
        // Safety net only (close with `close()` or `executeThenClose`): a child whose handle is
        // dropped while it runs is killed, so it cannot outlive everything that could stop it.
        // The exit watcher still reaps it. The pipe ends close themselves.
        exit.send(SIGKILL, toGroup: startedNewSession)
    }

    /// The return code once the child has exited and been reaped: the exit status, or minus the
    /// signal number if a signal killed it (`-15` after ``terminate()``); `nil` while it runs.
    ///
    /// - SeeAlso: AnyIO `Process.returncode`.
    public var returnCode: Int32? { exit.returnCode }

    /// Waits for the child to exit and returns its return code.
    ///
    /// Returns when the child exits even if another process (a grandchild) still holds its
    /// pipes. Any number of tasks may wait at once. A checkpoint; cancelling a wait cancels only
    /// the wait: the child keeps running. While it waits, the task tree shows the task as waiting
    /// in `ChildProcess.wait()` on `process 12345 (sleep 10)`.
    ///
    /// - Returns: The return code (see ``returnCode``).
    /// - Throws: `CancellationError`.
    /// - SeeAlso: AnyIO `Process.wait()`.
    @discardableResult
    public func wait() async throws -> Int32 {
        try await exit.wait()
    }

    /// Sends `SIGTERM` to the child (not to its group). Does nothing once it has been reaped.
    ///
    /// - SeeAlso: AnyIO `Process.terminate()`.
    public func terminate() {
        exit.send(SIGTERM, toGroup: false)
    }

    /// Sends `SIGKILL` to the child (not to its group). Does nothing once it has been reaped.
    ///
    /// - SeeAlso: AnyIO `Process.kill()`.
    public func kill() {
        exit.send(SIGKILL, toGroup: false)
    }

    /// Sends `signal` to the child (not to its group). Does nothing once it has been reaped, so a
    /// signal can never reach another process that reused the pid.
    ///
    /// - Parameter signal: The signal, e.g. `.user1` or `OSSignal(rawValue: SIGKILL)`.
    /// - SeeAlso: AnyIO `Process.send_signal()`.
    public func sendSignal(_ signal: OSSignal) {
        exit.send(signal.rawValue, toGroup: false)
    }

    /// Closes the pipes and makes sure the child has exited; never throws.
    ///
    /// Not cancelled: closes the pipes, then waits for the child (if that wait is cancelled, the
    /// teardown below takes over). Cancelled: `SIGTERM` (to the group with `startNewSession`),
    /// up to ``terminationGracePeriod`` for the child to exit, `SIGKILL`, a wait that cannot be
    /// cancelled (a `SIGKILL`ed child exits promptly), then the pipes close. Calling it again
    /// after it returned returns at once.
    ///
    /// - SeeAlso: AnyIO `Process.aclose()`, Trio `Process.aclose()` and `run_process`'s
    ///   `deliver_cancel`.
    public func close() async {
        if isCurrentlyCancelled() {
            await terminateThenClose()
            return
        }
        // AnyIO and Trio close the pipes first: a child blocked writing to a full pipe then gets
        // EPIPE instead of blocking the wait below forever (anyio #1166).
        closePipes()
        do {
            _ = try await exit.wait()
        } catch {
            await terminateThenClose()
        }
    }

    /// The cancellation teardown: SIGTERM, the grace period, SIGKILL, then the pipes.
    ///
    /// Runs to the end in a cancelled task: its waits are shielded.
    func terminateThenClose() async {
        if exit.returnCode == nil {
            var exited = false
            if terminationGracePeriod > .zero, exit.send(SIGTERM, toGroup: startedNewSession) {
                let code = try? await moveOnAfter(terminationGracePeriod, shield: true) { _ in
                    try await self.exit.wait()
                }
                exited = code != nil
            }
            if !exited {
                exit.send(SIGKILL, toGroup: startedNewSession)
                _ = try? await withCancelScope(shield: true) { _ in try await self.exit.wait() }
            }
        }
        closePipes()
    }

    private func closePipes() {
        for end in pipeEnds { end.close() }
    }

    /// `process 12345 (sleep 10): running` or `…: exited with status 0` / `killed by SIGTERM`.
    public var description: String {
        let state: String
        switch returnCode {
        case nil: state = "running"
        case let code? where code < 0: state = "killed by \(describeSignal(-code))"
        case let code?: state = "exited with status \(code)"
        }
        return "\(exit.site.blockingDescription): \(state)"
    }
}
