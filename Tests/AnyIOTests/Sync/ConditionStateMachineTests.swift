//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `ConditionStateMachine`; owners are small integers, waiters strings.
///
/// A waiter is registered (queued without a continuation), parked (queued with one), notified
/// early, cancelled early, or gone. Events: register, park, cancel, notify. A notified waiter is
/// then reparked onto the lock (`LockStateMachine.repark`), which the last tests go through.
@Suite("Condition state machine", .timeLimit(.minutes(1)))
struct ConditionStateMachineTests {
    typealias Machine = ConditionStateMachine<Int, String>

    /// Registers `owner` and parks `waiter` for it, expecting it to stay parked.
    @discardableResult
    private func registerAndPark(
        _ machine: inout Machine, _ owner: Int, _ waiter: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> QueueTicket {
        let ticket = machine.register(owner)
        guard case .parked = machine.park(ticket, waiter) else {
            Issue.record("waiter \(waiter) was not stored", sourceLocation: sourceLocation)
            return ticket
        }
        return ticket
    }

    /// The waiters `notify` handed back, with the owners they will take the lock back for.
    private func notified(_ woken: [(owner: Int, waiter: String)]) -> [String] {
        woken.map { "\($0.waiter)@\($0.owner)" }
    }

    @Test func register_thenPark_waits() {
        var machine = Machine()
        let ticket = machine.register(1)
        #expect(machine.waitingCount == 1)
        guard case .parked = machine.park(ticket, "a") else { Issue.record("not stored"); return }
        #expect(machine.waitingCount == 1)
    }

    @Test func notify_parkedWaiters_inFIFOOrder() {
        var machine = Machine()
        for owner in 1...3 { registerAndPark(&machine, owner, "w\(owner)") }
        #expect(notified(machine.notify(2)) == ["w1@1", "w2@2"])
        #expect(machine.waitingCount == 1)
        #expect(notified(machine.notify(.max)) == ["w3@3"])
        #expect(machine.waitingCount == 0)
        #expect(machine.notify(1).isEmpty)
    }

    @Test func notify_zero_wakesNobody() {
        var machine = Machine()
        registerAndPark(&machine, 1, "a")
        #expect(machine.notify(0).isEmpty)
        #expect(machine.waitingCount == 1)
    }

    @Test func notify_moreThanWaiting_wakesEveryone() {
        var machine = Machine()
        registerAndPark(&machine, 1, "a")
        registerAndPark(&machine, 2, "b")
        #expect(notified(machine.notify(5)) == ["a@1", "b@2"])
        #expect(machine.waitingCount == 0)
    }

    @Test func notify_registeredWaiter_resumesItOnPark() {
        var machine = Machine()
        let ticket = machine.register(1)
        #expect(machine.notify(1).isEmpty)  // not parked yet: nothing to move now
        #expect(machine.waitingCount == 0)
        // `.resume`: the storage then reparks it onto the lock.
        guard case .resume("a") = machine.park(ticket, "a") else { Issue.record("notification lost"); return }
        // The late cancellation of a notified waiter is stale.
        #expect(machine.cancel(ticket) == nil)
    }

    @Test func notify_countsRegisteredWaitersInOrder() {
        var machine = Machine()
        let first = machine.register(1)  // registered only
        registerAndPark(&machine, 2, "b")
        // One notification goes to the longest waiter, even though it has not parked yet.
        #expect(machine.notify(1).isEmpty)
        #expect(machine.waitingCount == 1)
        guard case .resume("a") = machine.park(first, "a") else { Issue.record("not notified"); return }
        #expect(notified(machine.notify(1)) == ["b@2"])
    }

    @Test func notifyAll_handsBackParkedOnes_registeredOnesResumeOnPark() {
        var machine = Machine()
        registerAndPark(&machine, 1, "a")
        let registered = machine.register(2)
        registerAndPark(&machine, 3, "c")
        #expect(notified(machine.notify(.max)) == ["a@1", "c@3"])
        #expect(machine.waitingCount == 0)
        guard case .resume("b") = machine.park(registered, "b") else { Issue.record("not notified"); return }
    }

    @Test func cancel_parkedWaiter_removesIt() {
        var machine = Machine()
        let first = registerAndPark(&machine, 1, "a")
        registerAndPark(&machine, 2, "b")
        #expect(machine.cancel(first) == "a")
        #expect(machine.waitingCount == 1)
        #expect(notified(machine.notify(1)) == ["b@2"])
    }

    @Test func cancel_registeredWaiter_failsItOnPark() {
        var machine = Machine()
        let ticket = machine.register(1)
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.waitingCount == 0)
        #expect(machine.notify(1).isEmpty)  // the cancelled waiter does not take a notification
        guard case .fail("a", let error) = machine.park(ticket, "a") else { Issue.record("not cancelled"); return }
        #expect(error is CancellationError)
    }

    @Test func cancel_registeredWaiter_notificationGoesToTheNext() {
        var machine = Machine()
        let cancelled = machine.register(1)
        registerAndPark(&machine, 2, "b")
        _ = machine.cancel(cancelled)
        #expect(notified(machine.notify(1)) == ["b@2"])
        guard case .fail("a", let error) = machine.park(cancelled, "a") else { Issue.record("not cancelled"); return }
        #expect(error is CancellationError)
    }

    @Test func cancel_afterNotify_isStale() {
        var machine = Machine()
        let ticket = registerAndPark(&machine, 1, "a")
        #expect(notified(machine.notify(1)) == ["a@1"])
        #expect(machine.cancel(ticket) == nil)
    }

    // MARK: repark onto the lock

    @Test func notified_waitersTakeTheLockBack_inNotificationOrder() {
        // Tasks 1 and 2 wait; task 3 holds the lock and notifies both. They get the lock back
        // through its queue, in order, behind a task (4) already waiting for it.
        var condition = Machine()
        var lock = LockStateMachine<Int, String>()
        registerAndPark(&condition, 1, "w1")
        registerAndPark(&condition, 2, "w2")
        #expect(lock.acquire(3) == .acquired)
        guard case .park(let ticket) = lock.acquire(4) else { Issue.record("not registered"); return }
        guard case .parked = lock.park(ticket, "w4") else { Issue.record("not stored"); return }
        for (owner, waiter) in condition.notify(.max) {
            guard case .parked = lock.repark(owner, waiter) else { Issue.record("\(waiter) not queued"); return }
        }
        #expect(lock.waitingOwners == [4, 1, 2])
        guard case .resume("w4") = lock.release(3) else { Issue.record("order broken"); return }
        guard case .resume("w1") = lock.release(4) else { Issue.record("order broken"); return }
        #expect(lock.owner == 1)
        guard case .resume("w2") = lock.release(1) else { Issue.record("order broken"); return }
        #expect(lock.owner == 2)
        #expect(lock.release(2) == .none)
        #expect(!lock.isLocked)
    }

    @Test func notifiedBeforePark_reparksOntoTheLockWhenItParks() {
        var condition = Machine()
        var lock = LockStateMachine<Int, String>()
        let ticket = condition.register(1)
        #expect(lock.acquire(2) == .acquired)
        #expect(condition.notify(1).isEmpty)
        guard case .resume(let waiter) = condition.park(ticket, "w1") else { Issue.record("not notified"); return }
        guard case .parked = lock.repark(1, waiter) else { Issue.record("not queued"); return }
        guard case .resume("w1") = lock.release(2) else { Issue.record("not handed over"); return }
        #expect(lock.owner == 1)
    }
}
