//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The lock and the waits of a ``SignalReceiver``, and its subscription to the ``SignalHub``.
///
/// The hub's watcher thread calls ``receive(_:)``; the receiver's iterators call ``next()``.
final class SignalReceiverStorage: SignalSubscriber {
    typealias Waiter = ParkedContinuation<Void, any Error>

    let state = StateLock(SignalReceiverStateMachine<Waiter>())

    init() {}

    /// One arrival of a subscribed signal (on the hub's watcher thread): keeps it, wakes a waiter.
    func receive(_ signalNumber: Int32) -> ContinuousClock.Instant? {
        let waiter = state.withLock { $0.deliver(OSSignal(rawValue: signalNumber)) }
        // Outside the lock: resuming a continuation may run the waiter's task right away.
        waiter?.resume()
        return nil
    }

    /// The `withSignalReceiver` body has ended (its subscription is over already).
    func close() {
        let waiters = state.withLock { $0.close() }
        for waiter in waiters { waiter.resume() }
    }

    /// The oldest pending signal, waiting for one if there is none; `nil` if the wait was
    /// cancelled (or the caller was cancelled on entry), or the receiver closed while it waited.
    ///
    /// A checkpoint: checks for cancellation first, and yields once before returning a signal
    /// that was already pending. A cancelled call takes nothing: pending signals stay for the
    /// next call.
    nonisolated(nonsending) func next() async -> OSSignal? {
        do {
            try throwIfCancelled()
        } catch {
            return nil
        }
        var hasWaited = false
        while true {
            switch state.withLock({ $0.receive() }) {
            case .signal(let signal):
                if !hasWaited { await budgetedSchedulePoint() }
                return signal
            case .closed:
                // Woken by `close()`: the scope ended while this iteration waited.
                guard hasWaited else {
                    fatalError(
                        "SignalReceiver iterated after its withSignalReceiver body returned; iterate it only "
                            + "inside the body"
                    )
                }
                return nil
            case .park(let ticket):
                do {
                    try await park(on: .signal) { waiter in
                        state.withLock { $0.park(ticket, waiter) }
                    } cancel: {
                        state.withLock { $0.cancel(ticket) }
                    }
                } catch {
                    // Cancelled while waiting: the iteration ends; nothing was taken.
                    return nil
                }
                // Woken by a delivery (or by `close()`): look again.
                hasWaited = true
            }
        }
    }
}
