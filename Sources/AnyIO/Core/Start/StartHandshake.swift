//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The state shared by `Nursery.start`'s caller and its child, until the child is started or
/// finished: the lock around `StartHandshakeStateMachine`, and the effects of its events.
///
/// Read together: `Nursery.start` (the caller: makes the child and this handshake, parks),
/// `TaskStatus.started` (the child: calls `started` here), and `NurseryStorage.admitPending` /
/// `adopt` (the nursery counts the child from the start, and lists it as a member from `started`).
///
/// Not generic: the value travels as `any Sendable` and `start<T>` casts it back, which keeps
/// generic metadata look-ups off this hot path.
final class StartHandshake: Sendable {
    typealias Value = any Sendable
    typealias Waiter = ParkedContinuation<Void, any Error>

    let child: ChildTask
    let nursery: NurseryStorage
    let state = StateLock(StartHandshakeStateMachine<Value, Waiter>())

    init(child: ChildTask, nursery: NurseryStorage) {
        self.child = child
        self.nursery = nursery
    }

    /// The caller parks; `launch` starts the child first (once the caller is about to suspend, as
    /// a plain continuation hand-off would, so the child's `started` usually finds it parked).
    /// Returns the value of `started`, or throws the child's error, `StartError` or
    /// `CancellationError`.
    nonisolated(nonsending) func callerWaits(launching launch: () -> Void) async throws -> Value {
        try await park(on: .start) { waiter in
            launch()
            return state.withLock { $0.park(waiter) }
        } cancel: {
            // The caller's cancellation cancels the child; the caller is woken when it finishes.
            callerCancelled()
            return nil
        }
        guard let outcome = state.withLock({ $0.outcome }) else {
            fatalError("AnyIO: internal error: start caller woken without an outcome")
        }
        return try outcome.get()
    }

    /// `TaskStatus.started(value)`.
    func started(_ value: Value) -> Bool {
        guard state.withLock({ $0.started() }) else { return false }
        // Move first, so that the nursery can cancel the child as soon as `start` returns.
        nursery.adopt(child)
        state.withLock { $0.deliver(.success(value)) }?.resume()
        return true
    }

    /// The caller of `start` was cancelled while the child was starting.
    func callerCancelled() {
        if state.withLock({ $0.callerCancelled() }) { child.cancel() }
    }

    /// The child's body returned (`error == nil`) or threw.
    func childFinished(error: (any Error)?) {
        switch state.withLock({ $0.childFinished(error: error) }) {
        case .none: break
        case .resume(let waiter): waiter.resume()
        case .fail(let error): nursery.recordFailure(taskName: child.name, error: error)
        }
    }
}
