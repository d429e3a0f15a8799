//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//
//
// The signal plumbing behind `Runner.run` (read together with Runner.swift).
//
// A signal handler may only do async-signal-safe work: no allocation, no locks, no Swift
// concurrency. So the handler does one thing, `write(2)` the signal number into a self-pipe,
// and everything else happens on a dedicated pthread (the *watcher*) that blocks in `poll(2)`
// on the pipe's read end:
//
//   handler ──byte──▶ pipe ──▶ watcher thread ──▶ rootScope.cancel(reason:) / _exit(128 + signo)
//
// The pipe's write end lives in the global atomic `signalPipeWriteEnd`, stored *before* the
// handlers are installed and reset to -1 *after* they are restored, so the handler never sees a
// descriptor that is not (yet, or any more) the pipe's.

import Synchronization

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#else
#error("Runner: unsupported platform (needs Darwin or Glibc)")
#endif

/// The write end of the active runner's self-pipe, or -1 when no runner is active.
///
/// Read by `runnerSignalHandler` inside signal handlers, so it must be a lock-free atomic.
/// Changes: set by `SignalWatcher.install` before the handlers are installed; reset to -1 by
/// `SignalWatcher.uninstall` after the previous handlers are restored.
private let signalPipeWriteEnd = Atomic<Int32>(-1)

/// Whether a `Runner.run` is active in this process.
///
/// Changes: set by `SignalWatcher.install` (a compare-and-exchange, so exactly one caller wins)
/// and cleared by `SignalWatcher.uninstall`, after the watcher thread has been joined.
private let runnerIsActive = Atomic<Bool>(false)

/// The signals a runner handles.
private let runnerSignals: [Int32] = [SIGINT, SIGTERM]

/// The message sent through the pipe by `uninstall` to stop the watcher thread.
///
/// No signal has number 0, so it cannot be confused with a forwarded signal.
private let stopMessage: UInt8 = 0

/// The `sigaction` handler installed for `SIGINT` and `SIGTERM` while a runner is active.
///
/// Async-signal-safe by construction: one atomic load and one `write(2)` of a stack byte to a
/// non-blocking pipe; `errno` is saved and restored. If the pipe is full (thousands of
/// unprocessed signals) the byte is dropped, which changes nothing: the watcher only needs to see
/// one or two of them.
private func runnerSignalHandler(_ signalNumber: Int32) {
    let savedErrno = errno
    let fd = signalPipeWriteEnd.load(ordering: .acquiring)
    if fd >= 0 {
        var byte = UInt8(truncatingIfNeeded: signalNumber)
        _ = write(fd, &byte, 1)
    }
    errno = savedErrno
}

/// The signal plumbing of one `Runner.run` call: the handlers it installed, the self-pipe and
/// the watcher thread.
///
/// Created by ``install(cancelling:gracePeriod:)`` and torn down by ``uninstall()``, both called
/// by `Runner.run` on the task that runs it. Not `Sendable`: it stays in that task; the watcher
/// thread only sees the `Sendable` ``SignalWatcherThread``.
final class SignalWatcher {
    /// The dispositions of `runnerSignals` before `install`, in the same order; restored by
    /// `uninstall`. Never changes after `install`.
    private var previousActions: [sigaction]

    /// The self-pipe's write end (non-blocking, close-on-exec). The handler writes signal
    /// numbers to it; `uninstall` writes `stopMessage` and closes it.
    private let writeEnd: Int32

    /// The self-pipe's read end (blocking, close-on-exec), read by the watcher thread and closed
    /// by `uninstall` after the thread has been joined.
    private let readEnd: Int32

    /// The watcher thread, joined by `uninstall`.
    #if canImport(Darwin)
    private var thread: pthread_t?
    #else
    private var thread: pthread_t
    #endif

    /// Whether `uninstall` has run; guards against running it twice.
    private var isUninstalled = false

    private init(previousActions: [sigaction], writeEnd: Int32, readEnd: Int32) {
        self.previousActions = previousActions
        self.writeEnd = writeEnd
        self.readEnd = readEnd
        #if canImport(Darwin)
        self.thread = nil
        #else
        self.thread = pthread_t()
        #endif
    }

    /// Claims the process-wide runner slot, creates the self-pipe, starts the watcher thread
    /// and installs the `SIGINT` and `SIGTERM` handlers, in that order.
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

        let (readEnd, writeEnd) = makeSelfPipe()
        let watcher = SignalWatcher(previousActions: [], writeEnd: writeEnd, readEnd: readEnd)

        // The thread owns one retain of its context, released when its entry function returns.
        let context = SignalWatcherThread(readEnd: readEnd, scope: scope, gracePeriod: gracePeriod)
        let unmanagedContext = Unmanaged.passRetained(context)
        let createResult = pthread_create(
            &watcher.thread,
            nil,
            { argument in
                SignalWatcherThread.main(argument)
                return nil
            },
            unmanagedContext.toOpaque()
        )
        guard createResult == 0 else {
            unmanagedContext.release()
            fatalError("Runner.run: cannot start the signal watcher thread (pthread_create returned \(createResult))")
        }

        // Publish the pipe before any handler can run.
        signalPipeWriteEnd.store(writeEnd, ordering: .releasing)

        var action = sigaction()
        #if canImport(Darwin)
        action.__sigaction_u.__sa_handler = runnerSignalHandler
        #else
        action.__sigaction_handler.sa_handler = runnerSignalHandler
        #endif
        // SA_RESTART: other threads' slow system calls are restarted rather than failing with EINTR.
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        for signalNumber in runnerSignals {
            var previous = sigaction()
            guard sigaction(signalNumber, &action, &previous) == 0 else {
                fatalError("Runner.run: cannot install a handler for \(signalName(signalNumber)) (errno \(errno))")
            }
            watcher.previousActions.append(previous)
        }
        return watcher
    }

    /// Restores the previous signal handlers, stops and joins the watcher thread, closes the
    /// pipe and releases the process-wide runner slot, in that order.
    ///
    /// Joining the thread before returning is what makes "the grace period elapsing before
    /// `run` returns" exact: once `uninstall` returns, no forced exit can happen any more.
    /// A signal that was already written to the pipe before the stop message is still handled
    /// (a second one still exits the process).
    func uninstall() {
        guard !isUninstalled else { return }
        isUninstalled = true

        for (signalNumber, previous) in zip(runnerSignals, previousActions) {
            var previous = previous
            _ = sigaction(signalNumber, &previous, nil)
        }
        // Ordering hazard: a handler that started on another thread before the restore may
        // still be between its load of the descriptor and its write. Keeping the write end
        // open until after the join (below) means that such a late byte lands in this pipe, not
        // in an unrelated file that reused the descriptor number.
        signalPipeWriteEnd.store(-1, ordering: .releasing)

        var message = stopMessage
        var written: Int
        repeat {
            written = write(writeEnd, &message, 1)
        } while written < 0 && errno == EINTR
        var writeEndClosed = false
        if written != 1 {
            // The pipe is full (or broken): closing the write end still wakes the thread (EOF).
            _ = close(writeEnd)
            writeEndClosed = true
        }

        #if canImport(Darwin)
        if let thread {
            _ = pthread_join(thread, nil)
        }
        #else
        _ = pthread_join(thread, nil)
        #endif

        if !writeEndClosed {
            _ = close(writeEnd)
        }
        _ = close(readEnd)
        runnerIsActive.store(false, ordering: .releasing)
    }

    deinit {
        // Safety net only: `Runner.run` always calls `uninstall` in a `defer`.
        uninstall()
    }

    /// Creates the self-pipe: both ends close-on-exec, the write end non-blocking so that the
    /// signal handler can never block.
    private static func makeSelfPipe() -> (readEnd: Int32, writeEnd: Int32) {
        var descriptors: [Int32] = [-1, -1]
        // `pipe2(O_CLOEXEC)` would be atomic, but Glibc only declares it under _GNU_SOURCE, which
        // the Swift module does not set. A `fork` + `exec` on another thread between `pipe` and
        // `fcntl` could leak the descriptors into that child; it cannot affect this process.
        guard pipe(&descriptors) == 0 else {
            fatalError("Runner.run: cannot create the signal self-pipe (errno \(errno))")
        }
        let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        let flags = fcntl(writeEnd, F_GETFL)
        _ = fcntl(writeEnd, F_SETFL, flags | O_NONBLOCK)
        return (readEnd, writeEnd)
    }
}

/// What the watcher thread needs: the pipe to read, the scope to cancel and the grace period.
///
/// All stored properties are immutable and `Sendable`, so the class is checked `Sendable`.
final class SignalWatcherThread: Sendable {
    /// The self-pipe's read end; owned (and closed) by `SignalWatcher`.
    let readEnd: Int32

    /// The runner's root scope, cancelled on the first signal.
    let scope: CancelScope

    /// How long after the first signal the process may still run.
    let gracePeriod: Duration

    init(readEnd: Int32, scope: CancelScope, gracePeriod: Duration) {
        self.readEnd = readEnd
        self.scope = scope
        self.gracePeriod = gracePeriod
    }

    /// The thread's entry point: takes back the retained context and runs the loop.
    static func main(_ argument: UnsafeMutableRawPointer?) {
        guard let argument else { return }
        let context = Unmanaged<SignalWatcherThread>.fromOpaque(argument).takeRetainedValue()
        context.unblockRunnerSignals()
        context.watch()
    }

    /// Makes sure this thread can receive `SIGINT` and `SIGTERM` even if the thread that
    /// started it had them blocked, so a process-directed signal always finds a thread to run
    /// the handler on.
    private func unblockRunnerSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for signalNumber in runnerSignals {
            sigaddset(&set, signalNumber)
        }
        _ = pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Reads signal numbers from the pipe until the stop message or end of file.
    ///
    /// The first signal cancels the root scope and sets the grace deadline; the loop then polls
    /// with a timeout, and exits the process when the deadline passes or when a second signal
    /// arrives.
    private func watch() {
        // The first signal received, and when the grace period it started ends; `nil` before.
        var firstSignal: (number: Int32, graceDeadline: ContinuousClock.Instant)?
        while true {
            var timeout: Int32 = -1
            if let firstSignal {
                let remaining = firstSignal.graceDeadline - ContinuousClock.now
                if remaining <= .zero {
                    exitNow(
                        status: 128 + firstSignal.number,
                        message: "graceful shutdown after \(signalName(firstSignal.number)) did not finish within "
                            + "\(gracePeriod)"
                    )
                }
                timeout = Self.milliseconds(roundingUp: remaining)
            }

            var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                fatalError("Runner.run: poll on the signal pipe failed (errno \(errno))")
            }
            if ready == 0 { continue }  // Timed out: the check at the top exits.

            var byte: UInt8 = 0
            let count = read(readEnd, &byte, 1)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if count <= 0 || byte == stopMessage { return }  // EOF, error or stop: `run` is returning.

            let signalNumber = Int32(byte)
            if firstSignal == nil {
                firstSignal = (signalNumber, ContinuousClock.now + gracePeriod)
                scope.cancel(reason: "\(signalName(signalNumber)) received")
            } else {
                exitNow(
                    status: 128 + signalNumber,
                    message: "\(signalName(signalNumber)) received again during graceful shutdown"
                )
            }
        }
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

    /// `duration` in whole milliseconds, rounded up (so a poll never wakes before the
    /// deadline), clamped to `Int32.max`.
    private static func milliseconds(roundingUp duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let (wholeMilliseconds, remainder) = attoseconds.quotientAndRemainder(dividingBy: attosecondsPerMillisecond)
        let (fromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return Int32.max }
        let total = fromSeconds + wholeMilliseconds + (remainder > 0 ? 1 : 0)
        return Int32(clamping: max(total, 0))
    }
}

/// A signal's conventional name, for reasons and messages: `"SIGINT"`, `"SIGTERM"`, or
/// `"signal N"`.
private func signalName(_ signalNumber: Int32) -> String {
    switch signalNumber {
    case SIGINT: "SIGINT"
    case SIGTERM: "SIGTERM"
    default: "signal \(signalNumber)"
    }
}
