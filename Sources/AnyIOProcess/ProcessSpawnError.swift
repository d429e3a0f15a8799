//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A child process could not be started; names the program (or the working directory) and why.
///
/// - SeeAlso: Python's `FileNotFoundError` / `PermissionError` from `subprocess.Popen`.
public struct ProcessSpawnError: Error, Hashable, CustomStringConvertible {
    /// Why a spawn failed. Struct-wrapped so that cases can be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum _Code: Sendable, Hashable { case programNotFound, permissionDenied, workingDirectoryUnusable, other }
        private let code: _Code

        /// The program was not found (on `PATH`, or at the path given).
        public static let programNotFound = Code(code: .programNotFound)
        /// The program is not executable, or a directory on its path is not searchable.
        public static let permissionDenied = Code(code: .permissionDenied)
        /// The working directory does not exist or cannot be entered.
        public static let workingDirectoryUnusable = Code(code: .workingDirectoryUnusable)
        /// Another failure; see ``ProcessSpawnError/errorNumber``.
        public static let other = Code(code: .other)

        /// The code's name.
        public var description: String {
            switch code {
            case .programNotFound: return "programNotFound"
            case .permissionDenied: return "permissionDenied"
            case .workingDirectoryUnusable: return "workingDirectoryUnusable"
            case .other: return "other"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// The program as the caller named it (`arguments[0]`).
    public var program: String
    /// The working directory that was asked for, if any.
    public var workingDirectory: String?
    /// The `errno` value of the failure (`ENOENT`, `EACCES`, …).
    public var errorNumber: Int32

    /// Creates the error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - program: The program as named by the caller.
    ///   - workingDirectory: The working directory asked for.
    ///   - errorNumber: The `errno` value.
    public init(code: Code, program: String, workingDirectory: String? = nil, errorNumber: Int32) {
        self.code = code
        self.program = program
        self.workingDirectory = workingDirectory
        self.errorNumber = errorNumber
    }

    /// One sentence naming the program (or directory) and the cause.
    public var description: String {
        switch code {
        case .programNotFound:
            return program.contains("/")
                ? "ProcessSpawnError: cannot run '\(program)': no such file"
                : "ProcessSpawnError: cannot run '\(program)': not found on PATH"
        case .permissionDenied:
            return "ProcessSpawnError: cannot run '\(program)': permission denied (not executable?)"
        case .workingDirectoryUnusable:
            return "ProcessSpawnError: cannot run '\(program)' in working directory '\(workingDirectory ?? "")': "
                + "\(errorString(errorNumber))"
        default:
            return "ProcessSpawnError: cannot run '\(program)': \(errorString(errorNumber))"
        }
    }
}
