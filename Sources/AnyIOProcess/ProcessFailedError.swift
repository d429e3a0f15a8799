//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A process run with `check: true` exited with a status other than 0 (or was killed by a
/// signal).
///
/// - SeeAlso: Python `subprocess.CalledProcessError`, which AnyIO's `run_process` raises.
public struct ProcessFailedError: Error, Hashable, CustomStringConvertible {
    /// The program and its arguments.
    public var arguments: [String]
    /// The exit status (negative: killed by that signal).
    public var returnCode: Int32
    /// The captured standard output (empty if it was not piped).
    public var stdout: [UInt8]
    /// The captured standard error (empty if it was not piped).
    public var stderr: [UInt8]

    /// Creates the error.
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

    /// Names the command and how it ended, and quotes the end of its standard error.
    public var description: String {
        var text = "ProcessFailedError: \(describeCommand(arguments)) "
        if returnCode < 0 {
            text += "was killed by \(describeSignal(-returnCode))"
        } else {
            text += "exited with status \(returnCode)"
        }
        if !stderr.isEmpty {
            let tail = stderr.suffix(500)
            text += "; stderr: \(String(decoding: tail, as: UTF8.self).trimmingTrailingNewlines())"
        }
        return text
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var result = self
        while let last = result.last, last.isNewline { result.removeLast() }
        return result
    }
}
