//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Where one of a child process's standard streams goes.
///
/// - SeeAlso: AnyIO's `stdin` / `stdout` / `stderr` arguments (`subprocess.PIPE`,
///   `subprocess.DEVNULL`, `None`, a file object).
public enum ProcessIO: Sendable, Hashable {
    /// A pipe to the caller: ``ChildProcess/stdin`` (a `ByteSendStream`) or
    /// ``ChildProcess/stdout`` / ``ChildProcess/stderr`` (a `ByteReceiveStream`).
    case pipe
    /// The caller's own descriptor (0, 1 or 2), shared with the child.
    case inherit
    /// `/dev/null`.
    case discard
    /// An open descriptor of the caller, which the child gets as its 0, 1 or 2. The caller keeps
    /// its descriptor and closes it when it likes (the child has its own copy).
    case fileDescriptor(Int32)
}
