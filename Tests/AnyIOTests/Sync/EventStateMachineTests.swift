//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `EventStateMachine`; waiters are plain integers here.
///
/// States: pending, set. A `wait()` is registered, parked, cancelled early, or gone. Events:
/// wait, park, cancel, set.
@Suite("Event state machine", .timeLimit(.minutes(1)))
struct EventStateMachineTests {
    typealias Machine = EventStateMachine<Int>

    /// Registers a `wait()`, expecting the event to be pending.
    private func register(_ machine: inout Machine, sourceLocation: SourceLocation = #_sourceLocation) -> QueueTicket? {
        guard case .park(let ticket) = machine.wait() else {
            Issue.record("wait did not register", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    /// Registers a `wait()` and parks `waiter` for it, expecting it to stay parked.
    @discardableResult
    private func registerAndPark(
        _ machine: inout Machine, _ waiter: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) -> QueueTicket? {
        guard let ticket = register(&machine, sourceLocation: sourceLocation) else { return nil }
        guard case .parked = machine.park(ticket, waiter) else {
            Issue.record("waiter \(waiter) was not stored", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    @Test func set_whenPending_resumesAllWaiters() {
        var machine = Machine()
        registerAndPark(&machine, 10)
        registerAndPark(&machine, 20)
        #expect(machine.waitingCount == 2)
        #expect(machine.set() == [10, 20])
        #expect(machine.isSet)
        #expect(machine.waitingCount == 0)
    }

    @Test func set_whenSet_doesNothing() {
        var machine = Machine()
        _ = machine.set()
        #expect(machine.set().isEmpty)
        #expect(machine.isSet)
    }

    @Test func wait_whenSet_isReady() {
        var machine = Machine()
        _ = machine.set()
        guard case .ready = machine.wait() else { Issue.record("not ready"); return }
        #expect(machine.waitingCount == 0)
    }

    @Test func wait_whenPending_registers() {
        var machine = Machine()
        #expect(!machine.isSet)
        guard register(&machine) != nil else { return }
        #expect(machine.waitingCount == 1)
    }

    @Test func set_beforePark_resumesOnPark() {
        var machine = Machine()
        registerAndPark(&machine, 10)
        guard let registered = register(&machine) else { return }
        #expect(machine.set() == [10])  // only the parked one; the other resumes when it parks
        #expect(machine.waitingCount == 0)
        guard case .resume(20) = machine.park(registered, 20) else { Issue.record("not resumed on park"); return }
    }

    @Test func cancel_whenParked_cancelsThatWaiterOnly() {
        var machine = Machine()
        guard let first = registerAndPark(&machine, 10) else { return }
        registerAndPark(&machine, 20)
        #expect(machine.cancel(first) == 10)
        #expect(machine.waitingCount == 1)
        #expect(machine.set() == [20])
    }

    @Test func cancel_beforePark_failsOnPark() {
        var machine = Machine()
        guard let ticket = register(&machine) else { return }
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.waitingCount == 0)
        guard case .fail(30, let error) = machine.park(ticket, 30) else {
            Issue.record("early-cancelled waiter was stored"); return
        }
        #expect(error is CancellationError)
        #expect(machine.waitingCount == 0)
    }

    @Test func cancel_whenSet_doesNothing() {
        var machine = Machine()
        guard let ticket = registerAndPark(&machine, 10) else { return }
        #expect(machine.set() == [10])
        #expect(machine.cancel(ticket) == nil)
    }

    @Test func cancel_afterSetBeforePark_isStale_parkResumes() {
        var machine = Machine()
        guard let ticket = register(&machine) else { return }
        _ = machine.set()
        #expect(machine.cancel(ticket) == nil)  // the set won
        guard case .resume(40) = machine.park(ticket, 40) else { Issue.record("set event did not resume"); return }
    }

    @Test func cancelBeforePark_thenSet_stillFailsOnPark() {
        // The cancellation came first: setting the event afterwards does not revive the waiter.
        var machine = Machine()
        guard let ticket = register(&machine) else { return }
        _ = machine.cancel(ticket)
        #expect(machine.set().isEmpty)
        guard case .fail(40, let error) = machine.park(ticket, 40) else { Issue.record("not cancelled on park"); return }
        #expect(error is CancellationError)
    }
}
