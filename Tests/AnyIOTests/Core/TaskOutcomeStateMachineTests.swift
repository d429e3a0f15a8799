//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `TaskOutcomeStateMachine`; outcomes are strings and waiters integers.
///
/// States: running (no outcome), completed. A `value` call is registered, parked, cancelled
/// early, or gone. Events: wait, park, cancel, complete.
@Suite("TaskOutcome state machine", .timeLimit(.minutes(1)))
struct TaskOutcomeStateMachineTests {
    typealias Machine = TaskOutcomeStateMachine<String, Int>

    /// Registers a `value` call, expecting the task to be still running.
    private func register(_ machine: inout Machine, sourceLocation: SourceLocation = #_sourceLocation) -> QueueTicket? {
        guard case .park(let ticket) = machine.wait() else {
            Issue.record("wait did not register", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    /// Registers a `value` call and parks `waiter` for it, expecting it to stay parked.
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

    @Test func wait_beforeComplete_registers_andParks() {
        var machine = Machine()
        #expect(machine.outcome == nil)
        guard let ticket = register(&machine) else { return }
        #expect(machine.waitingCount == 1)
        guard case .parked = machine.park(ticket, 10) else { Issue.record("not stored"); return }
        #expect(machine.waitingCount == 1)
    }

    @Test func complete_resumesParkedWaiters_inOrder() {
        var machine = Machine()
        registerAndPark(&machine, 10)
        registerAndPark(&machine, 20)
        registerAndPark(&machine, 30)
        #expect(machine.complete("done") == [10, 20, 30])
        #expect(machine.outcome == "done")
        #expect(machine.waitingCount == 0)
    }

    @Test func complete_withoutWaiters_storesTheOutcome() {
        var machine = Machine()
        #expect(machine.complete("done").isEmpty)
        #expect(machine.outcome == "done")
    }

    @Test func wait_afterComplete_isReadyWithTheOutcome() {
        var machine = Machine()
        _ = machine.complete("done")
        guard case .ready("done") = machine.wait() else { Issue.record("not ready"); return }
        #expect(machine.waitingCount == 0)
    }

    @Test func complete_wakesParkedWaitersOnly_registeredOnesResumeOnPark() {
        var machine = Machine()
        registerAndPark(&machine, 10)
        guard let registered = register(&machine) else { return }
        registerAndPark(&machine, 30)
        #expect(machine.waitingCount == 3)
        #expect(machine.complete("done") == [10, 30])
        #expect(machine.waitingCount == 0)
        guard case .resume(20) = machine.park(registered, 20) else { Issue.record("not resumed on park"); return }
        #expect(machine.outcome == "done")
    }

    @Test func cancel_whenParked_cancelsThatWaiterOnly() {
        var machine = Machine()
        guard let first = registerAndPark(&machine, 10) else { return }
        registerAndPark(&machine, 20)
        #expect(machine.cancel(first) == 10)
        #expect(machine.waitingCount == 1)
        #expect(machine.complete("done") == [20])
    }

    @Test func cancel_beforePark_failsOnPark() {
        var machine = Machine()
        guard let ticket = register(&machine) else { return }
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.waitingCount == 0)
        guard case .fail(10, let error) = machine.park(ticket, 10) else { Issue.record("not cancelled on park"); return }
        #expect(error is CancellationError)
        #expect(machine.waitingCount == 0)
    }

    @Test func cancelBeforePark_thenComplete_stillFailsOnPark() {
        // The cancellation arrived first: the outcome does not revive the waiter.
        var machine = Machine()
        guard let ticket = register(&machine) else { return }
        _ = machine.cancel(ticket)
        #expect(machine.complete("done").isEmpty)
        guard case .fail(10, let error) = machine.park(ticket, 10) else { Issue.record("not cancelled on park"); return }
        #expect(error is CancellationError)
    }

    @Test func cancel_afterComplete_isStale() {
        var machine = Machine()
        guard let ticket = registerAndPark(&machine, 10) else { return }
        #expect(machine.complete("done") == [10])
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.outcome == "done")
    }

    @Test func cancel_afterCompleteBeforePark_isStale_parkResumes() {
        var machine = Machine()
        guard let ticket = register(&machine) else { return }
        #expect(machine.complete("done").isEmpty)
        #expect(machine.cancel(ticket) == nil)
        guard case .resume(10) = machine.park(ticket, 10) else { Issue.record("not resumed on park"); return }
    }
}
