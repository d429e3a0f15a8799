//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The entry point of a program: runs its top-level task in a root cancel scope with graceful
/// Ctrl+C handling.
///
/// A command-line program or a service calls ``run(gracePeriod:isolation:_:)`` once, from its
/// `main`, and does all its work inside the closure. The runner turns the usual Unix termination
/// signals into structured cancellation:
///
/// 1. The first `SIGINT` (Ctrl+C) or `SIGTERM` cancels the root scope with the reason
///    `"SIGINT received"` or `"SIGTERM received"`. Every checkpoint in the program then throws
///    `CancellationError`; shielded cleanup scopes (`moveOnAfter(_:shield:_:)` with
///    `shield: true`) still run, each under its own deadline.
/// 2. The same signal arms a grace deadline, `gracePeriod` from the signal. If `run` has not
///    returned when it passes, the process exits at once.
/// 3. A second `SIGINT` or `SIGTERM` while the shutdown is in progress exits the process at once.
///
/// A forced exit writes one line to standard error and calls `_exit(128 + signo)`: status 130
/// for `SIGINT`, 143 for `SIGTERM`, the status a shell reports for a process killed by that
/// signal. No cleanup runs, no buffered output is flushed.
///
/// Under the hood, an async-signal-safe handler writes the signal number to a self-pipe and a
/// dedicated thread reads it and cancels the root scope, so no Swift concurrency code and no
/// allocation ever runs inside a signal handler. The pipe and the thread are the library's one
/// process-wide signal mechanism, shared with ``withSignalReceiver(for:isolation:_:)``: a
/// receiver of `SIGINT` or `SIGTERM` gets the signal too, and the runner still acts on it.
///
/// - SeeAlso: AnyIO `anyio.run()`, Trio `trio.run()` (which turns Ctrl+C into
///   `KeyboardInterrupt`).
public enum Runner {
    /// Runs `body` in a root cancel scope that the first `SIGINT` or `SIGTERM` cancels.
    ///
    /// For the duration of the call the runner catches `SIGINT` and `SIGTERM` (with `sigaction`,
    /// through the library's shared signal mechanism and its helper thread). When a signal
    /// arrives:
    ///
    /// - the first one cancels the root scope, with the reason `"SIGINT received"` or
    ///   `"SIGTERM received"` (see ``CancelScope/cancelReason``), and arms a grace deadline
    ///   `gracePeriod` from now;
    /// - a second one, or the grace deadline passing before `run` returns, ends the process at
    ///   once with `_exit(128 + signo)` (130 for `SIGINT`, 143 for `SIGTERM`; after the grace
    ///   period, the number of the first signal), after writing one line to standard error.
    ///
    /// When `run` returns or throws, every signal that arrived before has been handled, no forced
    /// exit can happen any more, and the signal handlers that were installed before the call are
    /// restored, so a signal that arrives afterwards gets the program's previous behaviour (by
    /// default, termination). If a ``withSignalReceiver(for:isolation:_:)`` scope that outlives
    /// `run` still receives `SIGINT` or `SIGTERM`, that signal stays caught until the scope ends.
    ///
    /// Signals are meant for the whole process (Ctrl+C, `kill`, a service manager). To send one
    /// from inside the program, use `kill(getpid(), SIGINT)` rather than `raise(SIGINT)`: on
    /// Linux the threads of Swift's cooperative pool block signals, so a signal raised on one of
    /// them stays pending. The library's helper thread unblocks the signals it catches, so a
    /// process-directed signal always finds a thread to handle it.
    ///
    /// The body runs in the calling task, isolated to the caller's actor (`isolation`), so `run`
    /// can be called from top-level code or from `@MainActor` and the body can touch that
    /// actor's state.
    ///
    /// ### Cancellation
    ///
    /// A signal cancels the root scope: every checkpoint inside `body` that is not in a shielded
    /// scope throws `CancellationError` (level-triggered). When that cancellation leaves `body`,
    /// the root scope catches it and `run` returns `nil`. A program that catches the
    /// cancellation itself and returns a value gets that value. Cancellation of the task that
    /// calls `run` (for instance `Task.cancel()`) also cancels `body`; it propagates out of `run`
    /// as `CancellationError`, like any enclosing cancellation.
    ///
    /// Graceful cleanup belongs in shielded, deadline-bounded scopes, which the root scope's
    /// cancellation does not reach. Keep their deadlines shorter than `gracePeriod`.
    ///
    /// ### Checkpoints
    ///
    /// `run` is not a checkpoint: like entering any scope, it runs `body` even when the caller
    /// is already cancelled (the first checkpoint inside then throws).
    ///
    /// ```swift
    /// import AnyIO
    ///
    /// let outcome: Void? = try await Runner.run(gracePeriod: .seconds(3)) { root in
    ///     try await withNursery { nursery -> Void in
    ///         nursery.startSoon(name: "server") {
    ///             do {
    ///                 try await serveForever()
    ///             } catch is CancellationError {
    ///                 // Ctrl+C: flush state, bounded by its own deadline.
    ///                 try await moveOnAfter(.milliseconds(500), shield: true) { _ in
    ///                     try await flushState()
    ///                 }
    ///                 throw CancellationError()
    ///             }
    ///         }
    ///     }
    /// }
    /// if outcome == nil { print("interrupted, shut down cleanly") }
    /// ```
    ///
    /// - Parameters:
    ///   - gracePeriod: How long the program may take to shut down after the first signal
    ///     before the process is ended forcibly. Must not be negative. Default: five seconds.
    ///   - isolation: The actor `body` runs on. Leave the default, `#isolation`, to run it on the
    ///     caller's actor.
    ///   - body: The program. It receives the root cancel scope, which it may also cancel itself
    ///     (for example when a `--duration` has elapsed) or give a deadline.
    /// - Returns: The value `body` returned, or `nil` if the root scope caught a cancellation
    ///   (a signal, or the program's own `root.cancel()`) that ended `body`.
    /// - Throws: Whatever `body` throws other than the root scope's own cancellation (for
    ///   example an ``ErrorGroup`` from a nursery), and `CancellationError` when the calling
    ///   task was cancelled from outside.
    /// - Important: Only one `Runner.run` may be active in a process at a time, because signal
    ///   dispositions are process-wide. Calling it while another call is running, nested or
    ///   from another task, traps with a message saying so. Calls one after the other are fine.
    ///   While `run` is active, do not change the `SIGINT` and `SIGTERM` dispositions yourself.
    ///   A negative `gracePeriod` also traps.
    /// - SeeAlso: AnyIO `anyio.run()`; Trio `trio.run()` and its `KeyboardInterrupt` handling.
    @discardableResult
    public static func run<T>(
        gracePeriod: Duration = .seconds(5),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (CancelScope) async throws -> T
    ) async throws -> T? {
        checkPrecondition(gracePeriod >= .zero, "Runner.run: gracePeriod must not be negative, got \(gracePeriod)")
        let rootScope = CancelScope()
        // Installs the handlers and starts the watcher thread; traps if another run is active.
        let watcher = SignalWatcher.install(cancelling: rootScope, gracePeriod: gracePeriod)
        // Restores the previous handlers and joins the watcher thread on every exit path,
        // before `run` returns: a grace deadline can only end the process while `run` is
        // still active.
        defer { watcher.uninstall() }
        return try await withCancelScope(rootScope, isolation: isolation) { scope in
            try await body(scope)
        }
    }
}
