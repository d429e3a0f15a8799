//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import NIOCore
import Synchronization

/// Waits for a connecting channel, cancellably: a cancelled wait returns at once and the
/// channel, should it connect later, is closed.
enum PendingConnect {
    typealias Waiter = ParkedContinuation<Void, any Error>

    /// Invariant: `result` is set once, by the future's callback; once `abandoned`, a channel
    /// that arrives is closed by whoever sees both.
    struct State {
        var waiters = WaitQueue<Waiter, Void>()
        var result: Result<any Channel, any Error>?
        var abandoned = false
    }

    final class Storage: Sendable {
        let state = StateLock(State())
    }

    static func wait(for future: EventLoopFuture<any Channel>) async throws -> any Channel {
        let storage = Storage()
        let ticket = storage.state.withLock { $0.waiters.register() }
        future.whenComplete { result in
            let (wake, orphan): ([Waiter], (any Channel)?) = storage.state.withLock { state in
                if state.abandoned {
                    if case .success(let channel) = result { return ([], channel) }
                    return ([], nil)
                }
                state.result = result
                return (state.waiters.unparkAll(), nil)
            }
            for waiter in wake { waiter.resume() }
            orphan?.close(promise: nil)
        }
        do {
            // Resolution and connecting run in SwiftNIO, in real time: on a virtual clock they
            // hold it, so an autojump cannot fire a timeout around a connect in flight.
            try await RunClock.withClockHeld {
                try await park(on: .socketConnect) { waiter in
                    storage.state.withLock { $0.waiters.park(ticket, waiter) }
                } cancel: {
                    storage.state.withLock { $0.waiters.cancel(ticket) }
                }
            }
        } catch {
            let orphan: (any Channel)? = storage.state.withLock { state in
                state.abandoned = true
                if case .success(let channel) = state.result { return channel }
                return nil
            }
            orphan?.close(promise: nil)
            throw error
        }
        // Invariant: woken only by the callback, after it set `result`.
        return try storage.state.withLock { $0.result! }.get()
    }
}
