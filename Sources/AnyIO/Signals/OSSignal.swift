//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#else
#error("OSSignal: unsupported platform (needs Darwin or Glibc)")
#endif

/// An operating system signal, such as `SIGHUP` or `SIGUSR1`, identified by its platform number.
///
/// The constants name the signals programs usually handle; any other signal number can be
/// wrapped with ``init(rawValue:)``. Creating a value never fails and never touches the signal's
/// disposition: ``withSignalReceiver(for:isolation:_:)`` checks that the signal can be caught.
///
/// ```swift
/// try await withSignalReceiver(for: [.hangup, .user1]) { signals in
///     for await signal in signals {
///         print("received \(signal)")      // "received SIGHUP"
///     }
/// }
/// ```
///
/// - SeeAlso: Python's `signal.Signals`, which AnyIO's `open_signal_receiver` yields.
public struct OSSignal: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The platform's signal number (`SIGHUP`, `SIGUSR1`, …).
    public let rawValue: Int32

    /// Wraps a platform signal number.
    ///
    /// Any number is accepted here; ``withSignalReceiver(for:isolation:_:)`` rejects numbers that
    /// are not signals and signals that cannot be caught.
    ///
    /// - Parameter rawValue: The signal number, for example `SIGHUP` from `Glibc` or `Darwin`.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// `SIGINT`: the terminal's interrupt key (Ctrl+C).
    ///
    /// `Runner.run` handles it too; a receiver for it gets it as well (see
    /// ``withSignalReceiver(for:isolation:_:)``).
    public static let interrupt = OSSignal(rawValue: SIGINT)

    /// `SIGTERM`: the polite request to terminate (`kill`, service managers).
    ///
    /// `Runner.run` handles it too; a receiver for it gets it as well.
    public static let terminate = OSSignal(rawValue: SIGTERM)

    /// `SIGHUP`: the controlling terminal hung up; by convention daemons reload their
    /// configuration on it.
    public static let hangup = OSSignal(rawValue: SIGHUP)

    /// `SIGQUIT`: the terminal's quit key (Ctrl+\\).
    public static let quit = OSSignal(rawValue: SIGQUIT)

    /// `SIGUSR1`: the first signal left for the application to define.
    public static let user1 = OSSignal(rawValue: SIGUSR1)

    /// `SIGUSR2`: the second signal left for the application to define.
    public static let user2 = OSSignal(rawValue: SIGUSR2)

    /// `SIGCHLD`: a child process stopped or exited.
    public static let childExited = OSSignal(rawValue: SIGCHLD)

    /// `SIGWINCH`: the terminal window changed size.
    public static let windowChanged = OSSignal(rawValue: SIGWINCH)

    /// The signal's conventional name, such as `"SIGHUP"`, or `"signal 40"` for a number without
    /// one (real-time signals, or numbers that are not signals).
    public var description: String {
        signalName(rawValue)
    }
}

/// A signal number's conventional name (`"SIGHUP"`), or `"signal N"` when it has none.
func signalName(_ signalNumber: Int32) -> String {
    switch signalNumber {
    case SIGHUP: return "SIGHUP"
    case SIGINT: return "SIGINT"
    case SIGQUIT: return "SIGQUIT"
    case SIGILL: return "SIGILL"
    case SIGTRAP: return "SIGTRAP"
    case SIGABRT: return "SIGABRT"
    case SIGBUS: return "SIGBUS"
    case SIGFPE: return "SIGFPE"
    case SIGKILL: return "SIGKILL"
    case SIGUSR1: return "SIGUSR1"
    case SIGSEGV: return "SIGSEGV"
    case SIGUSR2: return "SIGUSR2"
    case SIGPIPE: return "SIGPIPE"
    case SIGALRM: return "SIGALRM"
    case SIGTERM: return "SIGTERM"
    case SIGCHLD: return "SIGCHLD"
    case SIGCONT: return "SIGCONT"
    case SIGSTOP: return "SIGSTOP"
    case SIGTSTP: return "SIGTSTP"
    case SIGTTIN: return "SIGTTIN"
    case SIGTTOU: return "SIGTTOU"
    case SIGURG: return "SIGURG"
    case SIGXCPU: return "SIGXCPU"
    case SIGXFSZ: return "SIGXFSZ"
    case SIGVTALRM: return "SIGVTALRM"
    case SIGPROF: return "SIGPROF"
    case SIGWINCH: return "SIGWINCH"
    case SIGIO: return "SIGIO"
    case SIGSYS: return "SIGSYS"
    default: return "signal \(signalNumber)"
    }
}
