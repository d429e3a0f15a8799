//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//
//
// The signal handling behind `Runner.run` (read together with Runner.swift and
// Signals/SignalHub.swift). The runner is one subscriber of the process-wide `SignalHub`, for
// SIGINT and SIGTERM; signal receivers (`withSignalReceiver`) are others.
//
//   hub's watcher thread ──receive(signo)──▶ SignalWatcher ──▶ rootScope.cancel(reason:) / _exit(128 + signo)

import Synchronization

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#else
#error("Runner: unsupported platform (needs Darwin or Glibc)")
#endif

/// Whether a `Runner.run` is active in this process.
///
/// Changes: set by `SignalWatcher.install` (a compare-and-exchange, so exactly one caller wins)
/// and cleared by `SignalWatcher.uninstall`, after the runner's subscription has ended and its
/// last delivery has been handled.
private let runnerIsActive = Atomic<Bool>(false)

/// The signals a runner handles.
private let runnerSignals: [Int32] = [SIGINT, SIGTERM]

/// The signal handling of one `Runner.run` call: its subscription to the ``SignalHub``.
///
/// Created by ``install(cancelling:gracePeriod:)`` and torn down by ``uninstall()``, both called
/// by `Runner.run` on the task that runs it. Not `Sendable`: it stays in that task; the hub's
/// watcher thread only sees the `Sendable` ``RunnerSignalSubscriber``.
final class SignalWatcher {
    /// The runner's subscription to the hub.
    private let subscription: SignalHubState.SubscriptionID

    /// Whether `uninstall` has run; guards against running it twice.
    private var isUninstalled = false

    private init(subscription: SignalHubState.SubscriptionID) {
        self.subscription = subscription
    }

    /// Claims the process-wide runner slot and subscribes to `SIGINT` and `SIGTERM` (the hub
    /// installs its handler for them unless a signal receiver has already).
    ///
    /// - Important: Traps if another runner is active, or if the operating system refuses a
    ///   pipe, a thread or a handler (resources the program cannot run safely without).
    static func install(cancelling scope: CancelScope, gracePeriod: Duration) -> SignalWatcher {
        let (claimed, _) = runnerIsActive.compareExchange(
            expected: false,
            desired: true,
            ordering: .acquiringAndReleasing
        )
        guard claimed else {
            // `fatalError`, not `preconditionFailure`: the message must survive -O builds.
            fatalError(
                "Runner.run called while another Runner.run is active in this process; nesting Runner.run, or "
                    + "running two at once, is not supported because signal handlers are process-wide"
            )
        }
        let subscriber = RunnerSignalSubscriber(scope: scope, gracePeriod: gracePeriod)
        return SignalWatcher(subscription: SignalHub.shared.subscribe(runnerSignals, subscriber))
    }

    /// Ends the runner's subscription (restoring the previous `SIGINT` and `SIGTERM` handlers
    /// unless a signal receiver still catches them), waits until the hub has handled every signal
    /// that arrived before, and releases the process-wide runner slot, in that order.
    ///
    /// Waiting for the hub is what makes "the grace period elapsing before `run` returns" exact:
    /// once `uninstall` returns, no forced exit can happen any more. A signal that arrived before
    /// the handlers were restored is still handled (a second one still exits the process).
    func uninstall() {
        guard !isUninstalled else { return }
        isUninstalled = true
        SignalHub.shared.unsubscribe(subscription, waitingForDeliveries: true)
        runnerIsActive.store(false, ordering: .releasing)
    }

    deinit {
        // Safety net only: `Runner.run` always calls `uninstall` in a `defer`.
        uninstall()
    }
}

/// What the hub calls for the runner: cancels the root scope on the first signal, and ends the
/// process on a second one or when the grace period has passed.
final class RunnerSignalSubscriber: SignalSubscriber {
    /// The runner's root scope, cancelled on the first signal.
    private let scope: CancelScope

    /// How long after the first signal the process may still run.
    private let gracePeriod: Duration

    /// The first signal received; `nil` before. Set once, on the hub's watcher thread.
    private let firstSignal = Mutex<Int32?>(nil)

    init(scope: CancelScope, gracePeriod: Duration) {
        self.scope = scope
        self.gracePeriod = gracePeriod
    }

    /// The first signal cancels the root scope and asks for a call back when the grace period
    /// ends; a second one ends the process.
    func receive(_ signalNumber: Int32) -> ContinuousClock.Instant? {
        let isFirst = firstSignal.withLock { first -> Bool in
            guard first == nil else { return false }
            first = signalNumber
            return true
        }
        guard isFirst else {
            exitNow(
                status: 128 + signalNumber,
                message: "\(signalName(signalNumber)) received again during graceful shutdown"
            )
        }
        let graceDeadline = ContinuousClock.now + gracePeriod
        scope.cancel(reason: "\(signalName(signalNumber)) received")
        return graceDeadline
    }

    /// The grace period has passed and `run` has not returned: ends the process.
    func deadlinePassed() {
        let signalNumber = firstSignal.withLock { $0 } ?? SIGTERM
        exitNow(
            status: 128 + signalNumber,
            message: "graceful shutdown after \(signalName(signalNumber)) did not finish within \(gracePeriod)"
        )
    }

    /// Writes `Runner: <message>; exiting with status <status>` to standard error and ends the
    /// process with `_exit`: no `atexit` handlers, no flushing of stdio buffers, no cleanup.
    private func exitNow(status: Int32, message: String) -> Never {
        var line = "Runner: \(message); exiting with status \(status)\n"
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
        }
        _exit(status)
    }
}
