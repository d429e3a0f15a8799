//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `EventStateMachine`; waiters are plain integers here.
@Suite("Event state machine", .timeLimit(.minutes(1)))
struct EventStateMachineTests {
    typealias Machine = EventStateMachine<Int>

    @Test func set_whenPending_resumesAllWaiters() {
        var machine = Machine()
        guard case .suspend = machine.suspend(WaiterID(rawValue: 1), 10) else { Issue.record("not stored"); return }
        guard case .suspend = machine.suspend(WaiterID(rawValue: 2), 20) else { Issue.record("not stored"); return }
        #expect(machine.waitingCount == 2)
        guard case .resumeAll(let waiters) = machine.set() else { Issue.record("set did not resume"); return }
        #expect(waiters.sorted() == [10, 20])
        #expect(machine.isSet)
        #expect(machine.waitingCount == 0)
    }

    @Test func set_whenSet_doesNothing() {
        var machine = Machine()
        _ = machine.set()
        guard case .none = machine.set() else { Issue.record("second set acted"); return }
        #expect(machine.isSet)
    }

    @Test func suspend_whenSet_resumesAtOnce() {
        var machine = Machine()
        _ = machine.set()
        guard case .resume(let waiter) = machine.suspend(WaiterID(rawValue: 1), 7) else {
            Issue.record("not resumed"); return
        }
        #expect(waiter == 7)
    }

    @Test func cancel_whenSuspended_cancelsThatWaiterOnly() {
        var machine = Machine()
        _ = machine.suspend(WaiterID(rawValue: 1), 10)
        _ = machine.suspend(WaiterID(rawValue: 2), 20)
        guard case .cancel(let waiter) = machine.cancel(WaiterID(rawValue: 1)) else { Issue.record("not cancelled"); return }
        #expect(waiter == 10)
        #expect(machine.waitingCount == 1)
        guard case .resumeAll(let rest) = machine.set() else { Issue.record("set did not resume"); return }
        #expect(rest == [20])
    }

    @Test func cancel_beforeSuspend_cancelsOnSuspend() {
        var machine = Machine()
        guard case .none = machine.cancel(WaiterID(rawValue: 3)) else { Issue.record("early cancel acted"); return }
        guard case .cancel(let waiter) = machine.suspend(WaiterID(rawValue: 3), 30) else {
            Issue.record("early-cancelled waiter was stored"); return
        }
        #expect(waiter == 30)
        #expect(machine.waitingCount == 0)
    }

    @Test func cancel_whenSet_doesNothing() {
        var machine = Machine()
        _ = machine.suspend(WaiterID(rawValue: 1), 10)
        _ = machine.set()
        guard case .none = machine.cancel(WaiterID(rawValue: 1)) else { Issue.record("cancel after set acted"); return }
    }

    @Test func cancelBeforeSuspend_thenSet_resumesNormally() {
        var machine = Machine()
        _ = machine.cancel(WaiterID(rawValue: 4))
        _ = machine.set()
        guard case .resume(let waiter) = machine.suspend(WaiterID(rawValue: 4), 40) else {
            Issue.record("set event did not resume"); return
        }
        #expect(waiter == 40)
    }
}
