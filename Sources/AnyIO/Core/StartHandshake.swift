//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The state shared by `Nursery.start`'s caller and its child, until the child is started or
/// finished.
///
/// Not generic: the value travels as `any Sendable` and `start<T>` casts it back, which keeps
/// generic metadata look-ups off this hot path.
final class StartHandshake: Sendable {
    typealias Value = any Sendable
    enum Phase {
        /// The child runs under its caller's scopes; the caller waits.
        case starting
        /// The caller was cancelled first: `started` now returns false, and the caller will be
        /// resumed when the child finishes.
        case callerCancelled
        /// `started` succeeded: the child belongs to the nursery.
        case started
        /// The outcome was delivered; terminal.
        case done
    }

    struct State {
        var phase = Phase.starting
        /// The caller, once it suspended.
        var waiter: ParkedContinuation<Value, any Error>?
        /// The caller's outcome, when decided before the caller suspended.
        var outcome: Result<Value, any Error>?
    }

    let child: ChildTask
    let nursery: NurseryStorage
    let state = StateLock(State())

    init(child: ChildTask, nursery: NurseryStorage) {
        self.child = child
        self.nursery = nursery
    }

    /// Hands `outcome` to the caller now, or keeps it until the caller suspends (lock held).
    private static func deliver(
        _ outcome: Result<Value, any Error>, _ state: inout State
    ) -> (ParkedContinuation<Value, any Error>, Result<Value, any Error>)? {
        if let waiter = state.waiter {
            state.waiter = nil
            return (waiter, outcome)
        }
        state.outcome = outcome
        return nil
    }

    /// The caller suspends.
    func wait(_ continuation: ParkedContinuation<Value, any Error>) {
        let outcome = state.withLock { state -> Result<Value, any Error>? in
            if let outcome = state.outcome { return outcome }
            state.waiter = continuation
            return nil
        }
        // Single resumption: the continuation is either resumed here or stored for exactly one
        // `deliver`.
        if let outcome { continuation.resume(with: outcome) }
    }

    /// `TaskStatus.started(value)`.
    func started(_ value: Value) -> Bool {
        let proceed = state.withLock { state -> Bool in
            // Only the first call while starting counts; after cancellation it is a no-op.
            guard state.phase == .starting else { return false }
            state.phase = .started
            return true
        }
        guard proceed else { return false }
        // Move first, so that the nursery can cancel the child as soon as `start` returns.
        nursery.adopt(child)
        let resume = state.withLock { Self.deliver(.success(value), &$0) }
        if let (waiter, outcome) = resume { waiter.resume(with: outcome) }
        return true
    }

    /// The caller of `start` was cancelled while the child was starting.
    func callerCancelled() {
        let cancel = state.withLock { state -> Bool in
            // After `started` the child is the nursery's: the caller's cancellation no longer applies.
            guard state.phase == .starting else { return false }
            state.phase = .callerCancelled
            return true
        }
        if cancel { child.cancel() }
    }

    /// The child's body returned (`error == nil`) or threw.
    func childFinished(error: (any Error)?) {
        let after = state.withLock { state -> StartAfterFinish in
            switch state.phase {
            case .starting:
                // Before `started`: the caller gets the error unwrapped, or StartError.
                state.phase = .done
                return Self.deliver(.failure(error ?? StartError()), &state).map { .resume($0.0, $0.1) } ?? .none
            case .callerCancelled:
                // The caller was cancelled: it sees plain cancellation, unless the child failed.
                state.phase = .done
                let outcome: any Error = error.flatMap { $0 is CancellationError ? nil : $0 } ?? CancellationError()
                return Self.deliver(.failure(outcome), &state).map { .resume($0.0, $0.1) } ?? .none
            case .started:
                // A nursery member now: its failure is the nursery's.
                state.phase = .done
                if let error, !(error is CancellationError) { return .fail(error) }
                return .none
            case .done:
                fatalError("AnyIO: internal error: start child finished twice")
            }
        }
        switch after {
        case .none: break
        case .resume(let waiter, let outcome): waiter.resume(with: outcome)
        case .fail(let error): nursery.recordFailure(taskName: child.name, error: error)
        }
    }
}

/// What `StartHandshake.childFinished` must do after releasing its lock.
enum StartAfterFinish {
    case none
    case resume(ParkedContinuation<any Sendable, any Error>, Result<any Sendable, any Error>)
    case fail(any Error)
}
