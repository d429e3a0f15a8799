//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A process that ``runProcess(_:input:stdin:stdout:stderr:check:workingDirectory:environment:startNewSession:)``
/// ran to completion: its arguments, exit status and captured output.
///
/// - SeeAlso: Python `subprocess.CompletedProcess`, which AnyIO's `run_process` returns.
public struct CompletedProcess: Sendable, Hashable {
    /// The program and its arguments, as spawned (`["/bin/sh", "-c", command]` for the `shell:`
    /// form).
    public var arguments: [String]
    /// The exit status: 0–255 for a process that exited, minus the signal number for one that a
    /// signal killed (`-9` for `SIGKILL`).
    public var returnCode: Int32
    /// Everything the process wrote to its standard output, if it was `.pipe`; empty otherwise.
    public var stdout: [UInt8]
    /// Everything the process wrote to its standard error, if it was `.pipe`; empty otherwise.
    public var stderr: [UInt8]

    /// Creates a record of a completed process.
    ///
    /// - Parameters:
    ///   - arguments: The program and its arguments.
    ///   - returnCode: The exit status (negative: killed by that signal).
    ///   - stdout: The captured standard output.
    ///   - stderr: The captured standard error.
    public init(arguments: [String], returnCode: Int32, stdout: [UInt8] = [], stderr: [UInt8] = []) {
        self.arguments = arguments
        self.returnCode = returnCode
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Throws ``ProcessFailedError`` if the return code is not 0.
    ///
    /// - Throws: ``ProcessFailedError`` with the status and the output.
    /// - SeeAlso: Python `CompletedProcess.check_returncode()`.
    public func checkReturnCode() throws {
        guard returnCode == 0 else {
            throw ProcessFailedError(arguments: arguments, returnCode: returnCode, stdout: stdout, stderr: stderr)
        }
    }
}
