//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `StartHandshakeStateMachine`; the caller's waiter is a plain integer here.
@Suite("Start handshake state machine", .timeLimit(.minutes(1)))
struct StartHandshakeStateMachineTests {
    typealias Machine = StartHandshakeStateMachine<String, Int>

    struct Boom: Error {}

    private func parked(_ machine: inout Machine, _ waiter: Int = 1) {
        guard case .parked = machine.park(waiter) else { Issue.record("the caller did not park"); return }
    }

    @Test func started_whenParked_countsOnce_andDeliverWakesTheCaller() throws {
        var machine = Machine()
        parked(&machine)
        let r1 = machine.started()
        #expect(r1)
        let r2 = machine.started()
        #expect(!r2, "a second started() must not count")
        #expect(machine.phase == .started)
        let r3 = machine.deliver(.success("port 80"))
        #expect(r3 == 1)
        #expect(try machine.outcome?.get() == "port 80")
    }

    @Test func started_beforeTheCallerParked_resumesItWhenItParks() throws {
        var machine = Machine()
        let r4 = machine.started()
        #expect(r4)
        let r5 = machine.deliver(.success("early"))
        #expect(r5 == nil)
        guard case .resume(let waiter) = machine.park(7) else { Issue.record("not resumed at once"); return }
        #expect(waiter == 7)
        #expect(try machine.outcome?.get() == "early")
    }

    @Test func childFinished_whileStarting_withoutError_givesStartError() {
        var machine = Machine()
        parked(&machine)
        guard case .resume(1) = machine.childFinished(error: nil) else { Issue.record("caller not woken"); return }
        #expect(machine.phase == .done)
        #expect(throws: StartError.self) { try machine.outcome?.get() }
    }

    @Test func childFinished_whileStarting_withError_givesThatError() {
        var machine = Machine()
        parked(&machine)
        guard case .resume = machine.childFinished(error: Boom()) else { Issue.record("caller not woken"); return }
        #expect(throws: Boom.self) { try machine.outcome?.get() }
    }

    @Test func childFinished_beforeTheCallerParked_failsItWhenItParks() {
        var machine = Machine()
        guard case .none = machine.childFinished(error: Boom()) else { Issue.record("woke a caller that had not parked"); return }
        guard case .resume(3) = machine.park(3) else { Issue.record("not resumed at once"); return }
        #expect(throws: Boom.self) { try machine.outcome?.get() }
    }

    @Test func callerCancelled_whileStarting_cancelsTheChild_andRefusesStarted() {
        var machine = Machine()
        parked(&machine)
        let r6 = machine.callerCancelled()
        #expect(r6)
        let r7 = machine.callerCancelled()
        #expect(!r7, "the child is cancelled once")
        let r8 = machine.started()
        #expect(!r8, "started() after a cancelled start is refused (and harmless)")
        #expect(machine.outcome == nil, "the caller waits for the child to finish")
    }

    @Test func callerCancelled_thenChildEndsCancelled_givesCancellationError() {
        var machine = Machine()
        parked(&machine)
        _ = machine.callerCancelled()
        guard case .resume = machine.childFinished(error: CancellationError()) else { Issue.record("caller not woken"); return }
        #expect(throws: CancellationError.self) { try machine.outcome?.get() }
    }

    @Test func callerCancelled_thenChildReturns_givesCancellationError() {
        var machine = Machine()
        parked(&machine)
        _ = machine.callerCancelled()
        guard case .resume = machine.childFinished(error: nil) else { Issue.record("caller not woken"); return }
        #expect(throws: CancellationError.self) { try machine.outcome?.get() }
    }

    @Test func callerCancelled_thenChildFails_givesTheFailure() {
        var machine = Machine()
        parked(&machine)
        _ = machine.callerCancelled()
        guard case .resume = machine.childFinished(error: Boom()) else { Issue.record("caller not woken"); return }
        #expect(throws: Boom.self) { try machine.outcome?.get() }
    }

    @Test func callerCancelled_afterStarted_doesNothing() {
        var machine = Machine()
        parked(&machine)
        let r9 = machine.started()
        #expect(r9)
        let r10 = machine.callerCancelled()
        #expect(!r10, "after started() the child is the nursery's")
        #expect(machine.phase == .started)
    }

    @Test func childFinished_afterStarted_failureGoesToTheNursery() {
        var machine = Machine()
        parked(&machine)
        _ = machine.started()
        _ = machine.deliver(.success("ok"))
        guard case .fail(let error) = machine.childFinished(error: Boom()) else { Issue.record("failure not reported"); return }
        #expect(error is Boom)
        #expect(machine.phase == .done)
    }

    @Test func childFinished_afterStarted_cancellationOrReturnIsQuiet() {
        for error: (any Error)? in [nil, CancellationError()] {
            var machine = Machine()
            parked(&machine)
            _ = machine.started()
            _ = machine.deliver(.success("ok"))
            guard case .none = machine.childFinished(error: error) else { Issue.record("acted on \(String(describing: error))"); return }
        }
    }
}
