//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Receives operating system signals while `body` runs, as an asynchronous sequence.
///
/// For the duration of the call, each listed signal is caught: instead of its usual effect (for
/// `SIGHUP` and `SIGUSR1`, by default, ending the process), every arrival is kept and delivered,
/// in order of arrival, by the ``SignalReceiver`` that `body` receives:
///
/// ```swift
/// try await withSignalReceiver(for: [.hangup]) { signals in
///     for await _ in signals {
///         try await reloadConfiguration()
///     }
/// }
/// ```
///
/// A signal that arrives while `body` is not iterating (it is busy handling the previous one,
/// say) is kept and delivered by the next call of `next()`, so none is lost while the scope is
/// open. (The operating system itself may merge several arrivals of one signal that happen before
/// any thread has run the handler; that is the nature of Unix signals.)
///
/// When `body` returns or throws, the disposition each signal had before the call (the default
/// action, `SIG_IGN`, or another handler) is restored, unless another receiver or `Runner.run`
/// still catches that signal; it is then restored when the last of them ends. Signals that arrive
/// afterwards get that previous behaviour again. Signals received but not yet taken are dropped.
///
/// Several receivers can be active at once, and alongside `Runner.run`:
///
/// - Receivers of different signals do not interact.
/// - Two receivers of the same signal **both** receive every arrival of it (broadcast).
/// - A receiver of `.interrupt` or `.terminate` inside `Runner.run` receives the signal, and the
///   runner still cancels its root scope as usual.
///
/// All of them share one process-wide mechanism: an async-signal-safe handler that writes the
/// signal's number to a pipe, and one helper thread that reads it and hands it to every receiver
/// of that signal. No Swift code runs inside a signal handler.
///
/// ### Cancellation
///
/// Iterating is cancellable: when the task iterating is cancelled (by a cancel scope, a deadline
/// or `Task.cancel()`) while it waits, or is already cancelled when it calls `next()`, the
/// iteration ends (`next()` returns `nil`, so a `for await` loop simply ends). No signal is lost:
/// one that arrives afterwards is kept, and a new iteration (a new `for await` loop, or a new
/// iterator) receives it once the task is no longer cancelled.
///
/// ### Checkpoints
///
/// `withSignalReceiver` itself is not a checkpoint (like entering a scope, it runs `body` even if
/// the caller is cancelled). Each `next()` is one: it checks for cancellation first, and yields
/// once before returning a signal that was already waiting.
///
/// - Parameters:
///   - signals: The signals to receive. Duplicates are ignored. An empty list is allowed: the
///     receiver then never yields a signal (its iteration ends only by cancellation).
///   - isolation: The actor `body` runs on. Leave the default, `#isolation`, to run it on the
///     caller's actor.
///   - body: The code that receives the signals. It receives the ``SignalReceiver``, which it must
///     iterate itself (the receiver is not `Sendable`).
/// - Returns: The value `body` returned.
/// - Throws: ``InvalidArgumentError``, before `body` runs and without touching any disposition,
///   if a signal cannot be received: `SIGKILL` and `SIGSTOP` (they cannot be caught), the fault
///   signals `SIGSEGV`, `SIGBUS`, `SIGFPE` and `SIGILL`, and numbers that are not signals on this
///   platform. Otherwise whatever `body` throws, such as `CancellationError`.
/// - Important: While the receiver is active, do not change the disposition of its signals
///   yourself (with `signal` or `sigaction`): the library restores the saved one when the scope
///   ends. Iterating a ``SignalReceiver`` after its `withSignalReceiver` call has returned traps.
/// - SeeAlso: AnyIO `open_signal_receiver(*signals)`; Trio `trio.open_signal_receiver`.
public func withSignalReceiver<T>(
    for signals: [OSSignal],
    isolation: isolated (any Actor)? = #isolation,
    _ body: (SignalReceiver) async throws -> T
) async throws -> T {
    var signalNumbers: [Int32] = []
    for signal in signals where !signalNumbers.contains(signal.rawValue) {
        if let reason = SignalHub.whyNotCatchable(signal.rawValue) {
            throw InvalidArgumentError("withSignalReceiver: cannot receive \(signal): \(reason)")
        }
        signalNumbers.append(signal.rawValue)
    }
    let storage = SignalReceiverStorage()
    let subscription = SignalHub.shared.subscribe(signalNumbers, storage)
    defer {
        // First stop the deliveries and restore the dispositions, then end the waits.
        SignalHub.shared.unsubscribe(subscription)
        storage.close()
    }
    return try await body(SignalReceiver(storage: storage))
}

/// The signals received by a ``withSignalReceiver(for:isolation:_:)`` scope, as an asynchronous
/// sequence that never throws.
///
/// Iterate it inside the scope's body, with `for await` or an iterator's `next()`. Each element
/// is the next signal that arrived, oldest first; signals that arrive while nobody iterates are
/// kept for the next call. An iteration ends (`next()` returns `nil`) only when the waiting task
/// is cancelled; after that, a new iteration receives later signals again:
///
/// ```swift
/// try await withSignalReceiver(for: [.user1, .user2]) { signals in
///     try await moveOnAfter(.seconds(10)) { _ in
///         for await signal in signals { print("got \(signal)") }
///     }
///     // The loop above ended with its deadline; signals that arrived since are still here.
///     for await signal in signals { print("and then \(signal)") }
/// }
/// ```
///
/// Not `Sendable`: the receiver belongs to the task that runs the scope's body.
///
/// - SeeAlso: AnyIO `open_signal_receiver` (the iterator it yields); Trio's `SignalReceiver`.
public struct SignalReceiver: AsyncSequence {
    /// A received signal.
    public typealias Element = OSSignal

    /// Iterating never throws: cancellation ends the iteration instead.
    public typealias Failure = Never

    /// The receiver's storage, shared with the hub's subscription.
    let storage: SignalReceiverStorage

    init(storage: SignalReceiverStorage) {
        self.storage = storage
    }

    /// Makes an iterator over the received signals. Several iterators of one receiver take from
    /// the same signals: each signal goes to one of them.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(storage: storage)
    }

    /// The iterator of a ``SignalReceiver``.
    ///
    /// Once `next()` has returned `nil` (its wait was cancelled) it keeps returning `nil`, as
    /// `AsyncIteratorProtocol` requires; make a new iterator (a new `for await` loop) to receive
    /// again.
    ///
    /// Not `Sendable`: it belongs to the task that iterates.
    public struct AsyncIterator: AsyncIteratorProtocol {
        /// The receiver's storage.
        let storage: SignalReceiverStorage

        /// Whether `next()` has returned `nil`.
        var isFinished = false

        init(storage: SignalReceiverStorage) {
            self.storage = storage
        }

        /// The next signal, waiting until one arrives; `nil` if the calling task is cancelled.
        ///
        /// A checkpoint: checks for cancellation first (then returns `nil` and takes nothing),
        /// and yields once before returning a signal that was already waiting. While it waits,
        /// the task tree shows the task as waiting in
        /// `withSignalReceiver (waiting for a signal)`, and `waitAllTasksBlocked()` counts it as
        /// blocked.
        ///
        /// - Returns: The oldest signal not yet taken, or `nil` when the wait was cancelled or
        ///   this iterator has returned `nil` before.
        /// - Important: Traps if called after the `withSignalReceiver` call has returned.
        public mutating func next(isolation actor: isolated (any Actor)?) async -> OSSignal? {
            guard !isFinished else { return nil }
            guard let signal = await storage.next() else {
                isFinished = true
                return nil
            }
            return signal
        }

        /// The next signal, waiting until one arrives; `nil` if the calling task is cancelled.
        ///
        /// The same as ``next(isolation:)``, on the caller's actor.
        public mutating func next() async -> OSSignal? {
            await next(isolation: #isolation)
        }
    }
}

/// Not `Sendable`: a receiver is iterated by the task that runs the scope's body.
@available(*, unavailable)
extension SignalReceiver: Sendable {}

/// Not `Sendable`: an iterator belongs to the task that iterates.
@available(*, unavailable)
extension SignalReceiver.AsyncIterator: Sendable {}
