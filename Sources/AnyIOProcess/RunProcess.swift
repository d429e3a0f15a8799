//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization

/// Runs a program to completion and returns its exit status and output.
///
/// Standard output and standard error are read concurrently (by two tasks), and `input` is
/// written by a third, so a child that writes megabytes to both while reading its input never
/// deadlocks. If the child exits without reading all of `input`, the rest is dropped (like
/// Python's `communicate`). The call returns when the child has exited and both pipes reached
/// end-of-file (a grandchild that keeps them open keeps the call waiting, as in Python).
///
/// Cancellation (a deadline, an enclosing scope) tears the child down: `SIGTERM`, `SIGKILL`
/// after 5 s if it is still running, then the pipes close; the call then throws
/// `CancellationError`. The overload with `terminationGracePeriod:` sets the 5 s. A checkpoint.
///
/// ```swift
/// let result = try await failAfter(.seconds(5)) { _ in
///     try await runProcess(["git", "rev-parse", "HEAD"])
/// }
/// print(String(decoding: result.stdout, as: UTF8.self))
/// ```
///
/// - Parameters:
///   - arguments: The program and its arguments (see ``openProcess(_:stdin:stdout:stderr:workingDirectory:environment:startNewSession:terminationGracePeriod:)``).
///   - input: Bytes to feed to the child's standard input, which is then closed. Only with
///     `stdin` `nil` or `.pipe`.
///   - stdin: Where standard input comes from when there is no `input`: `nil` inherits the
///     caller's (AnyIO's default); `.pipe` without `input` gives the child an empty input.
///   - stdout: `.pipe` (captured into ``CompletedProcess/stdout``), or elsewhere.
///   - stderr: `.pipe` (captured into ``CompletedProcess/stderr``), or elsewhere.
///   - check: Whether a return code other than 0 throws ``ProcessFailedError``.
///   - workingDirectory: The child's working directory.
///   - environment: The child's whole environment; the caller's by default.
///   - startNewSession: Whether the child gets a session and process group of its own (teardown
///     then signals the group).
/// - Returns: The arguments, the return code and the captured output.
/// - Throws: ``ProcessFailedError`` (with `check`); ``ProcessSpawnError`` naming the program or
///   the directory; `InvalidArgumentError` for `input` with a `stdin` other than `.pipe`;
///   `CancellationError`.
/// - SeeAlso: AnyIO `anyio.run_process()`, Trio `trio.run_process()`.
public func runProcess(
    _ arguments: [String],
    input: [UInt8]? = nil,
    stdin: ProcessIO? = nil,
    stdout: ProcessIO = .pipe,
    stderr: ProcessIO = .pipe,
    check: Bool = true,
    workingDirectory: String? = nil,
    environment: [String: String]? = nil,
    startNewSession: Bool = false
) async throws -> CompletedProcess {
    try await runProcess(
        arguments, input: input, stdin: stdin, stdout: stdout, stderr: stderr, check: check,
        workingDirectory: workingDirectory, environment: environment, startNewSession: startNewSession,
        terminationGracePeriod: .seconds(5))
}

/// ``runProcess(_:input:stdin:stdout:stderr:check:workingDirectory:environment:startNewSession:)``
/// with the grace period between `SIGTERM` and `SIGKILL` on cancellation.
///
/// - Parameters:
///   - arguments: The program and its arguments.
///   - input: Bytes to feed to standard input.
///   - stdin: Where standard input comes from when there is no `input`.
///   - stdout: `.pipe` to capture, or elsewhere.
///   - stderr: `.pipe` to capture, or elsewhere.
///   - check: Whether a return code other than 0 throws ``ProcessFailedError``.
///   - workingDirectory: The child's working directory.
///   - environment: The child's whole environment.
///   - startNewSession: Whether the child gets a session and process group of its own.
///   - terminationGracePeriod: How long a cancelled run waits after `SIGTERM` before `SIGKILL`;
///     `.zero` kills at once (AnyIO's behaviour).
/// - Returns: The arguments, the return code and the captured output.
/// - Throws: As the overload without the grace period.
public func runProcess(
    _ arguments: [String],
    input: [UInt8]? = nil,
    stdin: ProcessIO? = nil,
    stdout: ProcessIO = .pipe,
    stderr: ProcessIO = .pipe,
    check: Bool = true,
    workingDirectory: String? = nil,
    environment: [String: String]? = nil,
    startNewSession: Bool = false,
    terminationGracePeriod: Duration
) async throws -> CompletedProcess {
    if input != nil, let stdin, stdin != .pipe {
        throw InvalidArgumentError(
            "runProcess: pass either input or stdin, not both (stdin is \(stdin)); input already feeds the child's standard input")
    }
    let stdinIO: ProcessIO = input != nil ? .pipe : (stdin ?? .inherit)
    let process = try await spawnOnWorkerThread(
        arguments, stdin: stdinIO, stdout: stdout, stderr: stderr, workingDirectory: workingDirectory,
        environment: environment, startNewSession: startNewSession, terminationGracePeriod: terminationGracePeriod)
    let output = CapturedOutput()
    let returnCode: Int32
    do {
        returnCode = try await withNursery { nursery in
            if let send = process.stdin {
                let bytes = input ?? []
                nursery.startSoon(name: "runProcess stdin") {
                    do {
                        if !bytes.isEmpty { try await send.send(bytes) }
                    } catch is BrokenResourceError {
                        // The child exited or closed its input without reading everything.
                    }
                    await send.close()
                }
            }
            if let receive = process.stdout {
                nursery.startSoon(name: "runProcess stdout") { try await output.drain(receive, into: \.stdout) }
            }
            if let receive = process.stderr {
                nursery.startSoon(name: "runProcess stderr") { try await output.drain(receive, into: \.stderr) }
            }
            return try await process.wait()
        }
    } catch {
        // Cancelled, or a pipe failed: the teardown policy, never an orphan.
        await process.terminateThenClose()
        throw error
    }
    await process.close()
    let (stdoutBytes, stderrBytes) = output.bytes.withLock { ($0.stdout, $0.stderr) }
    let result = CompletedProcess(arguments: arguments, returnCode: returnCode, stdout: stdoutBytes, stderr: stderrBytes)
    if check { try result.checkReturnCode() }
    return result
}

/// ``runProcess(_:input:stdin:stdout:stderr:check:workingDirectory:environment:startNewSession:)``
/// of `/bin/sh -c command`.
///
/// ```swift
/// let result = try await runProcess(shell: "ls *.swift | wc -l")
/// ```
///
/// - Parameters:
///   - command: A shell command line.
///   - input: Bytes to feed to standard input.
///   - stdin: Where standard input comes from when there is no `input`.
///   - stdout: `.pipe` to capture, or elsewhere.
///   - stderr: `.pipe` to capture, or elsewhere.
///   - check: Whether a return code other than 0 throws ``ProcessFailedError``.
///   - workingDirectory: The shell's working directory.
///   - environment: The shell's whole environment.
///   - startNewSession: Whether the shell gets a session and process group of its own.
/// - Returns: The result; its arguments are `["/bin/sh", "-c", command]`.
/// - Throws: As the argument-list form.
/// - SeeAlso: AnyIO `anyio.run_process()` with a string command.
public func runProcess(
    shell command: String,
    input: [UInt8]? = nil,
    stdin: ProcessIO? = nil,
    stdout: ProcessIO = .pipe,
    stderr: ProcessIO = .pipe,
    check: Bool = true,
    workingDirectory: String? = nil,
    environment: [String: String]? = nil,
    startNewSession: Bool = false
) async throws -> CompletedProcess {
    try await runProcess(
        ["/bin/sh", "-c", command], input: input, stdin: stdin, stdout: stdout, stderr: stderr, check: check,
        workingDirectory: workingDirectory, environment: environment, startNewSession: startNewSession,
        terminationGracePeriod: .seconds(5))
}

/// ``runProcess(shell:input:stdin:stdout:stderr:check:workingDirectory:environment:startNewSession:)``
/// with the grace period between `SIGTERM` and `SIGKILL` on cancellation.
///
/// - Parameters:
///   - command: A shell command line.
///   - input: Bytes to feed to standard input.
///   - stdin: Where standard input comes from when there is no `input`.
///   - stdout: `.pipe` to capture, or elsewhere.
///   - stderr: `.pipe` to capture, or elsewhere.
///   - check: Whether a return code other than 0 throws ``ProcessFailedError``.
///   - workingDirectory: The shell's working directory.
///   - environment: The shell's whole environment.
///   - startNewSession: Whether the shell gets a session and process group of its own.
///   - terminationGracePeriod: How long a cancelled run waits after `SIGTERM` before `SIGKILL`.
/// - Returns: The result; its arguments are `["/bin/sh", "-c", command]`.
/// - Throws: As the argument-list form.
public func runProcess(
    shell command: String,
    input: [UInt8]? = nil,
    stdin: ProcessIO? = nil,
    stdout: ProcessIO = .pipe,
    stderr: ProcessIO = .pipe,
    check: Bool = true,
    workingDirectory: String? = nil,
    environment: [String: String]? = nil,
    startNewSession: Bool = false,
    terminationGracePeriod: Duration
) async throws -> CompletedProcess {
    try await runProcess(
        ["/bin/sh", "-c", command], input: input, stdin: stdin, stdout: stdout, stderr: stderr, check: check,
        workingDirectory: workingDirectory, environment: environment, startNewSession: startNewSession,
        terminationGracePeriod: terminationGracePeriod)
}

/// What `runProcess`'s reader tasks collect.
final class CapturedOutput: Sendable {
    struct Bytes {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
    }

    let bytes = StateLock(Bytes())

    /// Reads `stream` to its end, appending to one of the buffers.
    func drain(_ stream: any ByteReceiveStream, into field: WritableKeyPath<Bytes, [UInt8]> & Sendable) async throws {
        while true {
            let chunk: [UInt8]
            do {
                chunk = try await stream.receive(maxBytes: defaultReceiveSize)
            } catch is EndOfStreamError {
                return
            }
            bytes.withLock { $0[keyPath: field] += chunk }
        }
    }
}
