//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//
//
// The one process-wide signal mechanism of the library (read together with SignalHubState.swift).
// `Runner.run` (SIGINT, SIGTERM) and every `withSignalReceiver` are subscribers of it.
//
// A signal handler may only do async-signal-safe work: no allocation, no locks, no Swift
// concurrency. So the one handler does one thing, `write(2)` the signal number into a self-pipe,
// and everything else happens on one dedicated pthread (the *watcher*) that blocks in `poll(2)`
// on the pipe's read end and calls the signal's subscribers:
//
//   handler ──byte──▶ pipe ──▶ watcher thread ──▶ subscriber.receive(signo), for each subscriber
//
// The hub, its pipe and its thread are created on the first subscription and live until the
// process ends, so the handler can never see a descriptor that is not (yet, or any more) the
// pipe's. What comes and goes is the handler of each signal: installed when its first subscriber
// arrives, and the saved disposition restored when its last one leaves.
//
// Bytes in the pipe: a signal number (1…254), `flushMarker` (0) or `maskUpdate` (255).

import Synchronization

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#else
#error("SignalHub: unsupported platform (needs Darwin or Glibc)")
#endif

/// Something the ``SignalHub`` calls when a signal it subscribed to arrives.
///
/// Both methods run on the hub's watcher thread, one call at a time, outside the hub's lock. They
/// must return promptly (every other subscriber waits meanwhile) and must not subscribe or
/// unsubscribe with `waitingForDeliveries: true` (that would wait for the watcher itself).
protocol SignalSubscriber: AnyObject, Sendable {
    /// One arrival of `signalNumber`.
    ///
    /// - Returns: An instant at which the hub should call ``deadlinePassed()``, replacing any
    ///   earlier one; `nil` to leave the deadline as it is.
    func receive(_ signalNumber: Int32) -> ContinuousClock.Instant?

    /// The deadline returned by ``receive(_:)`` has passed while this subscriber was still
    /// subscribed.
    func deadlinePassed()
}

extension SignalSubscriber {
    func deadlinePassed() {}
}

/// The write end of the hub's self-pipe, or -1 before the hub exists.
///
/// Read by `hubSignalHandler` inside signal handlers, so it must be a lock-free atomic.
/// Changes: set once, by `SignalHub.init`, before any handler is installed; never reset (the pipe
/// lives as long as the process).
private let hubPipeWriteEnd = Atomic<Int32>(-1)

/// The byte `unsubscribe(_:waitingForDeliveries:)` writes to learn when the watcher has read
/// everything written before it. No signal has number 0.
private let flushMarker: UInt8 = 0

/// The byte that tells the watcher to recompute its signal mask (the set of caught signals
/// changed). Signal numbers are far below 255 on every supported platform.
private let maskUpdate: UInt8 = 255

/// The `sigaction` handler the hub installs for every signal it catches.
///
/// Async-signal-safe by construction: one atomic load and one `write(2)` of a stack byte to a
/// non-blocking pipe; `errno` is saved and restored. If the pipe is full (thousands of unprocessed
/// signals) the byte is dropped: the kernel coalesces pending signals too, so no subscriber may
/// count on seeing every single arrival of a burst.
private func hubSignalHandler(_ signalNumber: Int32) {
    let savedErrno = errno
    let fd = hubPipeWriteEnd.load(ordering: .acquiring)
    if fd >= 0 {
        var byte = UInt8(truncatingIfNeeded: signalNumber)
        _ = write(fd, &byte, 1)
    }
    errno = savedErrno
}

/// The process-wide signal mechanism: one handler, one self-pipe, one watcher thread, and the
/// subscribers of each signal.
///
/// ``subscribe(_:_:)`` installs the handler for each listed signal that has no subscriber yet
/// (saving its disposition); ``unsubscribe(_:waitingForDeliveries:)`` restores the saved
/// disposition of each signal whose last subscriber leaves. Several subscribers of one signal all
/// receive every arrival, in the order they subscribed. Dispositions are installed and restored
/// under the hub's lock, together with the state change, so concurrent subscriptions can never
/// leave a stale handler or lose a saved disposition, whatever order they end in.
///
/// Nobody else may change the disposition of a signal while the hub catches it (the `Runner`
/// documents that for `SIGINT` and `SIGTERM`, `withSignalReceiver` for its signals).
final class SignalHub: Sendable {
    /// The hub of the process, created (with its pipe and thread) on first use.
    static let shared = SignalHub()

    /// The hub's bookkeeping; see ``SignalHubState`` for its invariants.
    private let state = StateLock(SignalHubState())

    /// The self-pipe's read end (blocking, close-on-exec), read by the watcher thread only.
    /// Never closed.
    private let readEnd: Int32

    /// The self-pipe's write end (non-blocking, close-on-exec), written by the handler and by the
    /// hub's control messages. Never closed.
    private let writeEnd: Int32

    private init() {
        (readEnd, writeEnd) = Self.makeSelfPipe()
        // Publish the pipe before any handler can be installed (that needs `shared`, which this
        // initializer is still creating).
        hubPipeWriteEnd.store(writeEnd, ordering: .releasing)
        startWatcherThread()
    }

    // MARK: - Subscriptions

    /// Why `signalNumber` cannot be caught, or `nil` if it can.
    ///
    /// Rejected: numbers that are not signals here (the kernel refuses even to report their
    /// disposition), `SIGKILL` and `SIGSTOP` (they cannot be caught), and the synchronous fault
    /// signals (a handler that returns would make the faulting instruction run, and fault, again).
    static func whyNotCatchable(_ signalNumber: Int32) -> String? {
        if signalNumber == SIGKILL || signalNumber == SIGSTOP {
            return "the operating system does not let a process catch or ignore it"
        }
        if [SIGSEGV, SIGBUS, SIGFPE, SIGILL].contains(signalNumber) {
            return "it reports a fault of the running thread, and a handler that returns would fault again"
        }
        var current = sigaction()
        guard signalNumber > 0, signalNumber < Int32(maskUpdate), sigaction(signalNumber, nil, &current) == 0 else {
            return "it is not a signal number on this platform"
        }
        return nil
    }

    /// Subscribes `subscriber` to `signalNumbers` (distinct, each catchable: see
    /// ``whyNotCatchable(_:)``), installing the hub's handler for those that had no subscriber.
    ///
    /// A signal that arrives after this returns reaches `subscriber` (and any other subscriber of
    /// it). An empty list makes a subscription that receives nothing.
    ///
    /// - Returns: The subscription, for ``unsubscribe(_:waitingForDeliveries:)``.
    /// - Important: Traps if the operating system refuses to install a handler for a signal that
    ///   passed ``whyNotCatchable(_:)``.
    func subscribe(_ signalNumbers: [Int32], _ subscriber: any SignalSubscriber) -> SignalHubState.SubscriptionID {
        var action = sigaction()
        #if canImport(Darwin)
        action.__sigaction_u.__sa_handler = hubSignalHandler
        #else
        action.__sigaction_handler.sa_handler = hubSignalHandler
        #endif
        // SA_RESTART: other threads' slow system calls are restarted rather than failing with EINTR.
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)

        let (id, installed) = state.withLock { state -> (SignalHubState.SubscriptionID, Bool) in
            let id = state.makeID()
            var installed = false
            for signalNumber in signalNumbers {
                if !state.isCaught(signalNumber) {
                    // First subscriber: install the handler and save what it replaces, in the
                    // same critical section, so the state matches the disposition.
                    var previous = sigaction()
                    guard sigaction(signalNumber, &action, &previous) == 0 else {
                        fatalError("AnyIO: cannot install a handler for \(signalName(signalNumber)) (errno \(errno))")
                    }
                    state.startCatching(signalNumber, previous: previous)
                    installed = true
                }
                state.subscribe(.init(id: id, subscriber: subscriber), to: signalNumber)
            }
            #if ANYIO_INTERNAL_CHECKS
            Self._checkDispositions(state)
            #endif
            return (id, installed)
        }
        // The watcher unblocks the new signals. Until it does, a signal that every thread blocks
        // stays pending in the kernel, and is delivered to the watcher when it unblocks it.
        if installed { writeControl(maskUpdate) }
        return id
    }

    /// Ends subscription `id`: its subscriber gets no further signals, and every signal that
    /// loses its last subscriber gets back the disposition it had before the hub caught it.
    ///
    /// With `waitingForDeliveries`, also blocks the calling thread until the watcher has handled
    /// every signal that arrived before the dispositions were restored, so that once this returns
    /// no call to the subscriber (not even ``SignalSubscriber/deadlinePassed()``) is running or
    /// will start. The runner needs that: its subscriber may end the process. Never pass it on the
    /// watcher thread (from a subscriber), which would wait for itself.
    func unsubscribe(_ id: SignalHubState.SubscriptionID, waitingForDeliveries: Bool = false) {
        let flushed = waitingForDeliveries ? ThreadSemaphore() : nil
        let restored = state.withLock { state -> Bool in
            let toRestore = state.unsubscribe(id)
            for (signalNumber, previous) in toRestore {
                var previous = previous
                _ = sigaction(signalNumber, &previous, nil)
            }
            if let flushed { state.addFlushWaiter(flushed) }
            #if ANYIO_INTERNAL_CHECKS
            Self._checkDispositions(state)
            #endif
            return !toRestore.isEmpty
        }
        // Ordering hazard: a handler that started on another thread before the restore may still
        // be between its load of the descriptor and its write. Its byte lands in the pipe (which is
        // never closed) and the watcher drops it, or hands it to other subscribers of that signal.
        if restored { writeControl(maskUpdate) }
        if let flushed {
            writeControl(flushMarker)
            flushed.wait()
        }
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks that the hub's handler is the disposition of every signal `state` says it
    /// catches (`SignalHubState`'s first invariant). Call with the lock held.
    private static func _checkDispositions(_ state: borrowing SignalHubState) {
        let handler: @convention(c) (Int32) -> Void = hubSignalHandler
        for signalNumber in state.caughtSignals {
            var current = sigaction()
            _ = sigaction(signalNumber, nil, &current)
            #if canImport(Darwin)
            let installed = current.__sigaction_u.__sa_handler
            #else
            let installed = current.__sigaction_handler.sa_handler
            #endif
            precondition(
                unsafeBitCast(installed, to: UInt.self) == unsafeBitCast(handler, to: UInt.self),
                "the signal hub catches \(signalName(signalNumber)), but its handler is not installed"
            )
        }
    }
    #endif

    /// Writes a control byte to the pipe, retrying while it is full (the watcher is draining it).
    private func writeControl(_ byte: UInt8) {
        var message = byte
        while true {
            let written = write(writeEnd, &message, 1)
            if written == 1 { return }
            if written < 0 && errno == EINTR { continue }
            if written < 0 && errno == EAGAIN {
                // Thousands of unread bytes: let the watcher catch up. Never happens in practice.
                usleep(1_000)
                continue
            }
            fatalError("AnyIO: cannot write to the signal pipe (errno \(errno))")
        }
    }

    // MARK: - The watcher thread

    /// Starts the watcher thread (detached: it runs until the process ends).
    ///
    /// - Important: Traps if the operating system refuses a thread.
    private func startWatcherThread() {
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        // Unretained: the hub is `shared`, which lives until the process ends.
        let context = Unmanaged.passUnretained(self).toOpaque()
        let createResult = pthread_create(
            &thread,
            nil,
            { argument in
                guard let argument else { return nil }
                Unmanaged<SignalHub>.fromOpaque(argument).takeUnretainedValue().watch()
                return nil
            },
            context
        )
        guard createResult == 0 else {
            fatalError("AnyIO: cannot start the signal watcher thread (pthread_create returned \(createResult))")
        }
        #if canImport(Darwin)
        if let thread { pthread_detach(thread) }
        #else
        pthread_detach(thread)
        #endif
    }

    /// Lets this thread receive exactly the caught signals.
    ///
    /// The caught ones are unblocked, so a process-directed signal always finds a thread to run
    /// the handler on, even when every other thread blocks it (on Linux the threads of Swift's
    /// cooperative pool block signals, and the thread that started this one may have been one).
    /// All others are blocked, so this thread never takes a signal that someone else waits for
    /// with `sigwait`.
    private func updateSignalMask() {
        let caught = state.withLock { $0.caughtSignals }
        var mask = sigset_t()
        sigfillset(&mask)
        for signalNumber in caught {
            sigdelset(&mask, signalNumber)
        }
        _ = pthread_sigmask(SIG_SETMASK, &mask, nil)
    }

    /// The watcher's loop: calls subscribers' deadlines when due, and reads the pipe.
    private func watch() {
        updateSignalMask()
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let (expired, next) = state.withLock { $0.takeExpiredDeadlines(now: ContinuousClock.now) }
            if !expired.isEmpty {
                for subscriber in expired { subscriber.deadlinePassed() }
                continue
            }
            var timeout: Int32 = -1
            if let next {
                timeout = Self.milliseconds(roundingUp: next - ContinuousClock.now)
            }

            var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                fatalError("AnyIO: poll on the signal pipe failed (errno \(errno))")
            }
            if ready == 0 { continue }  // Timed out: the deadline check at the top runs.

            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                fatalError("AnyIO: read from the signal pipe failed (errno \(errno))")
            }
            if count == 0 {
                fatalError("AnyIO: internal error: the signal pipe was closed")
            }
            for byte in buffer[0..<count] {
                handle(byte)
            }
        }
    }

    /// Acts on one byte read from the pipe.
    private func handle(_ byte: UInt8) {
        switch byte {
        case flushMarker:
            // Everything written before this marker has been handled: wake one flush waiter.
            state.withLock { $0.takeFlushWaiter() }?.signal()
        case maskUpdate:
            updateSignalMask()
        default:
            let signalNumber = Int32(byte)
            let subscriptions = state.withLock { $0.subscribers(of: signalNumber) }
            // Outside the lock: a subscriber resumes tasks and may cancel scopes.
            for subscription in subscriptions {
                if let deadline = subscription.subscriber.receive(signalNumber) {
                    state.withLock { $0.setDeadline(deadline, for: subscription.id, subscriber: subscription.subscriber) }
                }
            }
        }
    }

    /// Creates the self-pipe: both ends close-on-exec, the write end non-blocking so that the
    /// signal handler can never block.
    ///
    /// - Important: Traps if the operating system refuses a pipe.
    private static func makeSelfPipe() -> (readEnd: Int32, writeEnd: Int32) {
        var descriptors: [Int32] = [-1, -1]
        // `pipe2(O_CLOEXEC)` would be atomic, but Glibc only declares it under _GNU_SOURCE, which
        // the Swift module does not set. A `fork` + `exec` on another thread between `pipe` and
        // `fcntl` could leak the descriptors into that child; it cannot affect this process.
        guard pipe(&descriptors) == 0 else {
            fatalError("AnyIO: cannot create the signal self-pipe (errno \(errno))")
        }
        let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        let flags = fcntl(writeEnd, F_GETFL)
        _ = fcntl(writeEnd, F_SETFL, flags | O_NONBLOCK)
        return (readEnd, writeEnd)
    }

    /// `duration` in whole milliseconds, rounded up (so a poll never wakes before the deadline),
    /// clamped to `0...Int32.max`.
    static func milliseconds(roundingUp duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let (wholeMilliseconds, remainder) = attoseconds.quotientAndRemainder(dividingBy: attosecondsPerMillisecond)
        let (fromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? 0 : Int32.max }
        let total = fromSeconds + wholeMilliseconds + (remainder > 0 ? 1 : 0)
        return Int32(clamping: max(total, 0))
    }
}
