//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `ConditionStateMachine`. A waiter is reserved (queued without a
/// continuation), suspended (queued with one), notified early, cancelled early, or gone.
/// Events: reserve, suspend, cancel, notify.
@Suite("Condition state machine", .timeLimit(.minutes(1)))
struct ConditionStateMachineTests {
    typealias Machine = ConditionStateMachine<String>

    func id(_ raw: UInt64) -> WaiterID { WaiterID(rawValue: raw) }

    @Test func reserve_thenSuspend_waits() {
        var machine = Machine()
        machine.reserve(id(1))
        #expect(machine.waitingCount == 1)
        guard case .suspend = machine.suspend(id(1), "a") else { Issue.record("not stored"); return }
        #expect(machine.waitingCount == 1)
    }

    @Test func notify_suspendedWaiters_inFIFOOrder() {
        var machine = Machine()
        for raw: UInt64 in 1...3 {
            machine.reserve(id(raw))
            _ = machine.suspend(id(raw), "w\(raw)")
        }
        #expect(machine.notify(2) == ["w1", "w2"])
        #expect(machine.waitingCount == 1)
        #expect(machine.notify(.max) == ["w3"])
        #expect(machine.waitingCount == 0)
        #expect(machine.notify(1).isEmpty)
    }

    @Test func notify_zero_wakesNobody() {
        var machine = Machine()
        machine.reserve(id(1))
        _ = machine.suspend(id(1), "a")
        #expect(machine.notify(0).isEmpty)
        #expect(machine.waitingCount == 1)
    }

    @Test func notify_reservedWaiter_resumesItOnSuspend() {
        var machine = Machine()
        machine.reserve(id(1))
        #expect(machine.notify(1).isEmpty)  // not suspended yet: nothing to resume now
        #expect(machine.waitingCount == 0)
        guard case .resume("a") = machine.suspend(id(1), "a") else { Issue.record("notification lost"); return }
        // The late cancellation of a notified waiter is stale.
        guard case .none = machine.cancel(id(1)) else { Issue.record("cancel acted"); return }
    }

    @Test func notify_countsReservedWaitersInOrder() {
        var machine = Machine()
        machine.reserve(id(1))  // reserved only
        machine.reserve(id(2))
        _ = machine.suspend(id(2), "b")
        // One notification goes to the longest waiter, even though it has not suspended yet.
        #expect(machine.notify(1).isEmpty)
        #expect(machine.waitingCount == 1)
        guard case .resume = machine.suspend(id(1), "a") else { Issue.record("not notified"); return }
    }

    @Test func cancel_suspendedWaiter_removesIt() {
        var machine = Machine()
        machine.reserve(id(1))
        _ = machine.suspend(id(1), "a")
        machine.reserve(id(2))
        _ = machine.suspend(id(2), "b")
        guard case .cancel("a") = machine.cancel(id(1)) else { Issue.record("not cancelled"); return }
        #expect(machine.notify(1) == ["b"])
    }

    @Test func cancel_reservedWaiter_cancelsItOnSuspend() {
        var machine = Machine()
        machine.reserve(id(1))
        guard case .none = machine.cancel(id(1)) else { Issue.record("acted"); return }
        #expect(machine.waitingCount == 0)
        #expect(machine.notify(1).isEmpty)  // the cancelled waiter does not take a notification
        guard case .cancel("a") = machine.suspend(id(1), "a") else { Issue.record("not cancelled"); return }
    }

    @Test func cancel_afterNotify_isStale() {
        var machine = Machine()
        machine.reserve(id(1))
        _ = machine.suspend(id(1), "a")
        #expect(machine.notify(1) == ["a"])
        guard case .none = machine.cancel(id(1)) else { Issue.record("cancel acted"); return }
    }
}
