//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization

/// The lock, gates and cancellation handling of a ``Sequencer``.
///
/// Every wait is on an AnyIO `Event` (one per position, the state machine's gate), so waiting
/// is a checkpoint and cancel-safe by the event's own rules. The lock is held for one
/// state-machine event at a time and never across an `await`, a gate's `set()` or the body.
final class SequencerStorage: Sendable {
    /// The sequencer's state. Changes on every claim, break and finish.
    private let state = StateLock(SequencerStateMachine<Event>())

    init() {}

    /// Runs one step; see ``Sequencer/step(_:isolation:_:)`` for the contract.
    func step<T>(
        _ position: Int,
        isolation: isolated (any Actor)?,
        _ body: () async throws -> T
    ) async throws -> T {
        checkPrecondition(position >= 0, "Sequencer position \(position) is negative; positions start at 0")
        switch state.withLock({ $0.claim(position, makeGate: Event.init) }) {
        case .failReused:
            throw SequencerError(code: .positionReused, position: position)
        case .failBroken:
            throw SequencerError(code: .broken, position: position)
        case .runAfterCheckpoint:
            // Position 0 waits for nobody, but is still a checkpoint (cancel point, then schedule
            // point). A cancellation here would leave position 1 waiting forever, so it breaks
            // the sequencer like a cancelled wait does.
            do {
                try await LowLevel.checkpointIfCancelled()
            } catch {
                breakSequence()
                throw SequencerError(code: .cancelled, position: position)
            }
            await LowLevel.cancelShieldedCheckpoint()
        case .wait(let gate):
            do {
                // A checkpoint also when the gate is already open. An open gate wins over a
                // cancellation that arrives after it (Event's rule), so a step whose turn came
                // is never reported as cancelled.
                try await gate.wait()
            } catch {
                // Trio turns the cancellation into its "sequence broken" error rather than
                // letting a cancel scope absorb it: the ordering the test relies on is gone.
                breakSequence()
                throw SequencerError(code: .cancelled, position: position)
            }
            if case .failBroken = state.withLock({ $0.resumed() }) {
                throw SequencerError(code: .broken, position: position)
            }
        }
        // The next position goes however the body ends, as with Trio's `finally`.
        defer { finish(position) }
        return try await body()
    }

    /// Breaks the sequencer and opens every gate, outside the lock.
    private func breakSequence() {
        if case .openAll(let gates) = state.withLock({ $0.breakSequence() }) {
            for gate in gates { gate.set() }
        }
    }

    /// Lets the position after `position` go, outside the lock.
    private func finish(_ position: Int) {
        if case .open(let gate) = state.withLock({ $0.finish(position, makeGate: Event.init) }) {
            gate.set()
        }
    }

    /// Whether the sequencer is broken (a snapshot).
    var isBroken: Bool { state.withLock { $0.isBroken } }

    /// How many steps are suspended waiting for their turn (a snapshot, for tests).
    var tasksWaiting: Int {
        let gates = state.withLock { $0.allGates }
        return gates.reduce(0) { $0 + $1.statistics().tasksWaiting }
    }
}
