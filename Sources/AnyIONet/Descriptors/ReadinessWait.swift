//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization
import Dispatch

/// One wait for a descriptor to become readable or writable, on a Dispatch source made for it.
///
/// The waiter is resumed only from the source's cancellation handler, that is once Dispatch has
/// stopped watching the descriptor. So a caller may close the descriptor as soon as its wait
/// returned (Dispatch's rule: a watched descriptor stays open until the cancellation handler
/// ran), and a descriptor number reused by a later `open` is never confused with this one.
///
/// Life of a wait: `init` registers the waiter (a ticket in its queue); `start()` makes the source
/// and resumes it; the first of readiness (the event handler), ``finish(_:)`` with `.closing`
/// (`notifyClosing`, a socket's `close()`) or `.cancelled` (the waiter's cancellation handler)
/// records the outcome and cancels the source; the cancellation handler resumes the waiter.
///
/// Invariant: a source is made only in `start()`, which resumes it at once (Dispatch traps when
/// an inactive source is released), and `start()` runs at most once.
/// Invariant: the outcome is set once; the waiter is resumed once, by the cancellation handler
/// (or by `park` itself, if the handler ran before the continuation was handed in).
final class ReadinessWait: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    /// What the wait waits for.
    enum Direction: Sendable {
        case read, write
    }

    /// How the wait ended.
    enum Outcome: Sendable {
        /// The descriptor became ready.
        case ready
        /// The descriptor is being closed: the waiter throws `ClosedResourceError`.
        case closing
        /// The waiter was cancelled: it throws `CancellationError`.
        case cancelled
    }

    private struct State {
        /// The one waiter (a queue, for the cancel-before-park and wake-before-park records).
        var waiters = WaitQueue<Waiter, Void>()
        /// The waiter's ticket, taken in `init`.
        let ticket: WaitQueue<Waiter, Void>.Ticket
        /// How the wait ended; set once, by the first of the three causes.
        var outcome: Outcome?
        /// The Dispatch source, from `start()` until its cancellation handler ran.
        var source: SourceBox?
    }

    /// The serial queue every readiness source's handlers run on: they only record an outcome
    /// and resume a continuation.
    private static let queue = DispatchQueue(label: "AnyIONet.readiness")

    let fd: Int32
    let direction: Direction
    private let state: StateLock<State>
    /// Entered in `start()`, left by the source's cancellation handler.
    private let unregistered = DispatchGroup()

    init(fd: Int32, direction: Direction) {
        self.fd = fd
        self.direction = direction
        var waiters = WaitQueue<Waiter, Void>()
        let ticket = waiters.register()
        state = StateLock(State(waiters: waiters, ticket: ticket))
    }

    /// Makes the Dispatch source and starts watching. Call once.
    func start() {
        // Balanced by the cancellation handler (a group released while entered traps).
        unregistered.enter()
        let source: any DispatchSourceProtocol
        switch direction {
        case .read: source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: Self.queue)
        case .write: source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: Self.queue)
        }
        source.setEventHandler { [self] in finish(.ready) }
        source.setCancelHandler { [self] in sourceCancelled() }
        let finishedEarly = state.withLock { state -> Bool in
            state.source = SourceBox(source)
            return state.outcome != nil
        }
        source.resume()
        // `finish` ran before the source existed: cancel it now (its handler resumes the waiter).
        if finishedEarly { source.cancel() }
    }

    /// Ends the wait with `outcome`, unless it ended already. Any thread; idempotent.
    func finish(_ outcome: Outcome) {
        let source = state.withLock { state -> SourceBox? in
            if state.outcome == nil { state.outcome = outcome }
            return state.source
        }
        // Without a source yet, `start()` sees the outcome and cancels the source it makes.
        source?.source.cancel()
    }

    /// The source's cancellation handler: Dispatch no longer watches the descriptor.
    private func sourceCancelled() {
        let (waiters, error): ([Waiter], (any Error)?) = state.withLock { state in
            let error: (any Error)?
            switch state.outcome {
            // Ready (the only way a source is cancelled without an outcome is none).
            case .ready?, nil: error = nil
            // Closing: the waiter learns that the descriptor is going away.
            case .closing?: error = ClosedResourceError()
            // Cancelled: the waiter's cancellation handler asked for this.
            case .cancelled?: error = CancellationError()
            }
            // Dispatch no longer needs the source: drop our reference, which breaks the cycle
            // source → handlers → self → source whatever Dispatch does with the handlers.
            state.source = nil
            return (state.waiters.unparkAll(failing: error), error)
        }
        for waiter in waiters {
            if let error { waiter.resume(throwing: error) } else { waiter.resume() }
        }
        unregistered.leave()
    }

    /// Parks the calling task until the wait ends.
    ///
    /// - Throws: `ClosedResourceError` if the descriptor is being closed, `CancellationError` if
    ///   the caller was cancelled.
    func wait(kind: WaitKind) async throws {
        try await park(on: kind) { waiter in
            state.withLock { $0.waiters.park($0.ticket, waiter) }
        } cancel: {
            // The cancellation handler of the source resumes the waiter, once Dispatch let go.
            finish(.cancelled)
            return nil
        }
    }

    /// Blocks the calling thread until Dispatch no longer watches the descriptor. Call after
    /// `start()` and ``finish(_:)``; the wait is short (the source's handlers do almost nothing).
    func waitUntilUnregistered() {
        unregistered.wait()
    }
}

/// A Dispatch source, to keep in locked state.
// @unchecked Sendable: Dispatch sources are thread-safe objects (`cancel()` may be called from
// any thread, any number of times); the box only carries the reference across threads.
struct SourceBox: @unchecked Sendable {
    let source: any DispatchSourceProtocol

    init(_ source: any DispatchSourceProtocol) {
        self.source = source
    }
}
