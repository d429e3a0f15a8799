//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `LockStateMachine`; owners are small integers, waiters strings.
///
/// States: unlocked, locked without waiters, locked with waiters (registered, parked or
/// reparked), locked after a hand-off, broken. Events: tryAcquire, acquire, park, cancel,
/// repark, release, ownerEnded.
@Suite("Lock state machine", .timeLimit(.minutes(1)))
struct LockStateMachineTests {
    typealias Machine = LockStateMachine<Int, String>
    let a = 1, b = 2, c = 3

    /// A ticket the machines in these tests never hand out.
    private let unknownTicket = QueueTicket(index: 42, serial: 4242)

    private func check(_ machine: Machine) {
        #if ANYIO_INTERNAL_CHECKS
        machine._checkInvariants()
        #endif
    }

    /// Registers an `acquire()` by `caller`, expecting the lock to be held by another task.
    private func register(
        _ machine: inout Machine, _ caller: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) -> QueueTicket? {
        let action = machine.acquire(caller)
        guard case .park(let ticket) = action else {
            Issue.record("acquire by \(caller) did not register: \(action)", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    /// Registers an `acquire()` by `caller` and parks `waiter` for it, expecting it to stay parked.
    @discardableResult
    private func park(
        _ machine: inout Machine, _ caller: Int, _ waiter: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> QueueTicket? {
        guard let ticket = register(&machine, caller, sourceLocation: sourceLocation) else { return nil }
        guard case .parked = machine.park(ticket, waiter) else {
            Issue.record("waiter \(waiter) was not stored", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    /// Expects `.fail(waiter, expected)`.
    private func expectFailed(
        _ outcome: ParkOutcome<String>, _ waiter: String, _ expected: TestError,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard case .fail(let failed, let error) = outcome else {
            Issue.record("expected .fail(\(waiter), \(expected)), got \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(failed == waiter, sourceLocation: sourceLocation)
        #expect(error as? TestError == expected, "got \(error)", sourceLocation: sourceLocation)
    }

    /// Expects `.fail(waiter, CancellationError())`.
    private func expectCancelled(
        _ outcome: ParkOutcome<String>, _ waiter: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard case .fail(let failed, let error) = outcome else {
            Issue.record("expected .fail(\(waiter), CancellationError), got \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(failed == waiter, sourceLocation: sourceLocation)
        #expect(error is CancellationError, "got \(error)", sourceLocation: sourceLocation)
    }

    /// Locks `machine` by `a`, then parks `b` ("b") and `c` ("c"), in that order; returns `b`'s
    /// ticket.
    @discardableResult
    private func lockWithWaiters(_ machine: inout Machine, sourceLocation: SourceLocation = #_sourceLocation) -> QueueTicket? {
        #expect(machine.acquire(a) == .acquired, sourceLocation: sourceLocation)
        let ticketB = park(&machine, b, "b", sourceLocation: sourceLocation)
        park(&machine, c, "c", sourceLocation: sourceLocation)
        return ticketB
    }

    /// Locked by `a`, then broken by its end with `error`.
    private func broken(_ error: TestError = TestError("broken")) -> Machine {
        var machine = Machine()
        _ = machine.acquire(a)
        _ = machine.ownerEnded(a, error: error)
        return machine
    }

    // MARK: unlocked

    @Test func acquire_whenUnlocked_acquires() {
        var machine = Machine()
        #expect(!machine.isLocked && !machine.isBroken)
        #expect(machine.owner == nil)
        #expect(machine.acquire(a) == .acquired)
        #expect(machine.isLocked)
        #expect(machine.owner == a)
        #expect(machine.waitingCount == 0)
        check(machine)
    }

    @Test func tryAcquire_whenUnlocked_acquires() {
        var machine = Machine()
        #expect(machine.tryAcquire(a) == .acquired)
        #expect(machine.owner == a)
        check(machine)
    }

    @Test func release_whenUnlocked_isNotOwner() {
        var machine = Machine()
        guard case .notOwner(holder: nil) = machine.release(a) else { Issue.record("released"); return }
        check(machine)
    }

    @Test func ownerEnded_whenUnlocked_doesNothing() {
        var machine = Machine()
        #expect(machine.ownerEnded(a, error: TestError("broken")).isEmpty)
        #expect(!machine.isLocked && !machine.isBroken)
        check(machine)
    }

    @Test func cancel_unknownTicket_doesNothing() {
        var machine = Machine()
        #expect(machine.cancel(unknownTicket) == nil)
        #expect(!machine.isLocked)
        check(machine)
    }

    // MARK: locked, no waiters

    @Test func tryAcquire_whenLockedByOther_mustWait() {
        var machine = Machine()
        _ = machine.acquire(a)
        #expect(machine.tryAcquire(b) == .mustWait)
        #expect(machine.owner == a)
        #expect(machine.waitingCount == 0)  // tryAcquire never queues
        check(machine)
    }

    @Test func acquire_whenLockedByOther_registers() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard register(&machine, b) != nil else { return }
        #expect(machine.owner == a)
        #expect(machine.waitingCount == 1)
        #expect(machine.waitingOwners == [b])
        check(machine)
    }

    @Test func acquire_whenLockedBySelf_isAlreadyHeld() {
        var machine = Machine()
        _ = machine.acquire(a)
        #expect(machine.acquire(a) == .alreadyHeld)
        #expect(machine.tryAcquire(a) == .alreadyHeld)
        #expect(machine.waitingCount == 0)
        check(machine)
    }

    @Test func park_whenLockedByOther_staysParked() {
        var machine = Machine()
        _ = machine.acquire(a)
        park(&machine, b, "b")
        #expect(machine.waitingCount == 1)
        #expect(machine.owner == a)
        check(machine)
    }

    @Test func release_byOwnerWithoutWaiters_unlocks() {
        var machine = Machine()
        _ = machine.acquire(a)
        #expect(machine.release(a) == .none)
        #expect(!machine.isLocked)
        #expect(machine.owner == nil)
        #expect(machine.acquire(b) == .acquired)
        check(machine)
    }

    @Test func release_byOther_isNotOwner() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard case .notOwner(holder: a) = machine.release(b) else { Issue.record("released"); return }
        #expect(machine.owner == a)
        check(machine)
    }

    @Test func cancel_beforePark_failsOnPark_andNeverGetsTheLock() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard let ticket = register(&machine, b) else { return }
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.waitingCount == 0)
        check(machine)
        expectCancelled(machine.park(ticket, "b"), "b")
        #expect(machine.waitingCount == 0)
        // The release finds nobody to hand the lock to.
        #expect(machine.release(a) == .none)
        #expect(!machine.isLocked)
        // The same task acquires normally later, with a new ticket.
        #expect(machine.acquire(b) == .acquired)
        check(machine)
    }

    @Test func ownerEnded_byOwner_breaks() {
        var machine = Machine()
        _ = machine.acquire(a)
        #expect(machine.ownerEnded(a, error: TestError("broken")).isEmpty)
        #expect(machine.isBroken && machine.isLocked)
        #expect(machine.owner == nil)
        check(machine)
    }

    @Test func ownerEnded_byOther_doesNothing() {
        var machine = Machine()
        _ = machine.acquire(a)
        #expect(machine.ownerEnded(b, error: TestError("broken")).isEmpty)
        #expect(machine.owner == a)
        #expect(!machine.isBroken)
        check(machine)
    }

    // MARK: locked with waiters

    @Test func release_withWaiters_handsOffInFIFOOrder() {
        var machine = Machine()
        lockWithWaiters(&machine)
        #expect(machine.waitingOwners == [b, c])
        guard case .resume("b") = machine.release(a) else { Issue.record("no hand-off to b"); return }
        #expect(machine.owner == b)
        #expect(machine.waitingCount == 1)
        #expect(machine.waitingOwners == [c])
        check(machine)
        // A newcomer cannot barge in after the hand-off.
        #expect(machine.tryAcquire(a) == .mustWait)
        guard case .resume("c") = machine.release(b) else { Issue.record("no hand-off to c"); return }
        #expect(machine.owner == c)
        #expect(machine.release(c) == .none)
        #expect(!machine.isLocked)
        check(machine)
    }

    @Test func release_handsTheLockToARegisteredWaiter_whoseParkResumes() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard let ticket = register(&machine, b) else { return }
        #expect(machine.release(a) == .none)  // handed over, but nothing to resume yet
        #expect(machine.owner == b)
        #expect(machine.waitingCount == 0)
        // Nobody barges in before the new owner parks.
        #expect(machine.tryAcquire(c) == .mustWait)
        check(machine)
        guard case .resume("b") = machine.park(ticket, "b") else { Issue.record("not resumed on park"); return }
        // A cancellation arriving after that is stale: the acquisition stands.
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.owner == b)
        #expect(machine.release(b) == .none)
        #expect(!machine.isLocked)
        check(machine)
    }

    @Test func release_handsOffInRegistrationOrder_notParkingOrder() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard let first = register(&machine, b) else { return }
        park(&machine, c, "c")
        #expect(machine.release(a) == .none)
        #expect(machine.owner == b)
        guard case .resume("b") = machine.park(first, "b") else { Issue.record("not resumed on park"); return }
        guard case .resume("c") = machine.release(b) else { Issue.record("no hand-off to c"); return }
        #expect(machine.owner == c)
        check(machine)
    }

    @Test func cancel_queuedWaiter_removesIt() {
        var machine = Machine()
        guard let ticketB = lockWithWaiters(&machine) else { return }
        #expect(machine.cancel(ticketB) == "b")
        #expect(machine.waitingCount == 1)
        #expect(machine.waitingOwners == [c])
        check(machine)
        guard case .resume("c") = machine.release(a) else { Issue.record("cancelled waiter got the lock"); return }
        check(machine)
    }

    @Test func cancel_afterHandOff_isStale() {
        var machine = Machine()
        guard let ticketB = lockWithWaiters(&machine) else { return }
        _ = machine.release(a)
        #expect(machine.cancel(ticketB) == nil)
        #expect(machine.owner == b)
        #expect(machine.waitingCount == 1)
        check(machine)
    }

    @Test func ownerEnded_withWaiters_failsThemAll() {
        var machine = Machine()
        lockWithWaiters(&machine)
        #expect(machine.ownerEnded(a, error: TestError("broken")) == ["b", "c"])
        #expect(machine.waitingCount == 0)
        #expect(machine.isBroken)
        check(machine)
    }

    @Test func ownerEnded_failsRegisteredWaitersThroughPark() {
        var machine = Machine()
        _ = machine.acquire(a)
        park(&machine, b, "b")
        guard let registered = register(&machine, c) else { return }
        #expect(machine.ownerEnded(a, error: TestError("broken")) == ["b"])  // the parked one only
        #expect(machine.waitingCount == 0)
        check(machine)
        // The failure won: a late cancellation is stale, and the park fails with the given error.
        #expect(machine.cancel(registered) == nil)
        expectFailed(machine.park(registered, "c"), "c", TestError("broken"))
        check(machine)
    }

    @Test func ownerEnded_afterHandOffToRegisteredWaiter_byOldOwner_doesNothing() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard let ticket = register(&machine, b) else { return }
        _ = machine.release(a)
        #expect(machine.ownerEnded(a, error: TestError("broken")).isEmpty)
        #expect(!machine.isBroken)
        guard case .resume("b") = machine.park(ticket, "b") else { Issue.record("not resumed on park"); return }
        #expect(machine.owner == b)
        check(machine)
    }

    @Test func release_byWaiter_isNotOwner() {
        var machine = Machine()
        lockWithWaiters(&machine)
        guard case .notOwner(holder: a) = machine.release(b) else { Issue.record("released"); return }
        #expect(machine.waitingCount == 2)
        check(machine)
    }

    // MARK: repark (a Condition's notified waiters)

    @Test func repark_ontoFreeLock_resumesAtOnce() {
        var machine = Machine()
        guard case .resume("b") = machine.repark(b, "b") else { Issue.record("not resumed"); return }
        #expect(machine.owner == b)
        #expect(machine.waitingCount == 0)
        check(machine)
    }

    @Test func repark_ontoHeldLock_queues_andIsHandedTheLockInOrder() {
        var machine = Machine()
        _ = machine.acquire(a)
        park(&machine, b, "b")
        guard case .parked = machine.repark(c, "c") else { Issue.record("not queued"); return }
        #expect(machine.waitingCount == 2)
        #expect(machine.waitingOwners == [b, c])
        check(machine)
        guard case .resume("b") = machine.release(a) else { Issue.record("order broken"); return }
        guard case .resume("c") = machine.release(b) else { Issue.record("reparked waiter not handed over"); return }
        #expect(machine.owner == c)
        #expect(machine.release(c) == .none)
        check(machine)
    }

    @Test func repark_ontoBrokenLock_fails() {
        var machine = broken(TestError("broken"))
        expectFailed(machine.repark(b, "b"), "b", TestError("broken"))
        #expect(machine.waitingCount == 0)
        check(machine)
    }

    @Test func ownerEnded_failsReparkedWaitersToo() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard case .parked = machine.repark(b, "b") else { Issue.record("not queued"); return }
        park(&machine, c, "c")
        #expect(machine.ownerEnded(a, error: TestError("broken")) == ["b", "c"])
        #expect(machine.waitingCount == 0)
        check(machine)
    }

    // MARK: broken

    @Test func everyEvent_whenBroken_fails() {
        var machine = broken(TestError("broken"))
        #expect(machine.acquire(b) == .broken)
        #expect(machine.tryAcquire(b) == .broken)
        #expect(machine.waitingCount == 0)  // nothing registered
        #expect(machine.cancel(unknownTicket) == nil)
        expectFailed(machine.repark(b, "w"), "w", TestError("broken"))
        guard case .broken = machine.release(a) else { Issue.record("released"); return }
        #expect(machine.ownerEnded(a, error: TestError("again")).isEmpty)
        #expect(machine.isBroken && machine.isLocked)
        #expect(machine.owner == nil)
        // The first error stays.
        expectFailed(machine.repark(c, "w"), "w", TestError("broken"))
        check(machine)
    }
}

extension LockStateMachine.ReleaseAction: Equatable where Waiter: Equatable {
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none), (.broken, .broken): return true
        case (.resume(let l), .resume(let r)): return l == r
        case (.notOwner(let l), .notOwner(let r)): return l == r
        default: return false
        }
    }
}
