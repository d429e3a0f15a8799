//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `SemaphoreStateMachine`; waiters are plain integers here.
///
/// An acquirer takes a permit, or is registered, parked, granted a permit before it parked,
/// cancelled early, or gone. Events: tryAcquire, acquire, park, cancel, release.
@Suite("Semaphore state machine", .timeLimit(.minutes(1)))
struct SemaphoreStateMachineTests {
    typealias Machine = SemaphoreStateMachine<Int>

    /// A ticket the machines in these tests never hand out.
    private let unknownTicket = QueueTicket(index: 42, serial: 4242)

    private func check(_ machine: Machine) {
        #if ANYIO_INTERNAL_CHECKS
        machine._checkInvariants()
        #endif
    }

    /// Registers an `acquire()`, expecting no permit to be free.
    private func register(_ machine: inout Machine, sourceLocation: SourceLocation = #_sourceLocation) -> QueueTicket? {
        guard case .park(let ticket) = machine.acquire() else {
            Issue.record("acquire did not register", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    /// Registers an `acquire()` and parks `waiter` for it, expecting it to stay parked.
    @discardableResult
    private func park(
        _ machine: inout Machine, _ waiter: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) -> QueueTicket? {
        guard let ticket = register(&machine, sourceLocation: sourceLocation) else { return nil }
        guard case .parked = machine.park(ticket, waiter) else {
            Issue.record("waiter \(waiter) was not stored", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    @Test func acquire_whenPermitFree_takesIt() {
        var machine = Machine(initialValue: 2, maxValue: nil)
        #expect(machine.acquire() == .acquired)
        #expect(machine.value == 1)
        #expect(machine.waitingCount == 0)
        check(machine)
    }

    @Test func acquire_whenNoPermit_registers() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        guard register(&machine) != nil else { return }
        #expect(machine.value == 0)
        #expect(machine.waitingCount == 1)
        check(machine)
    }

    @Test func tryAcquire_takesFreePermitsOnly() {
        var machine = Machine(initialValue: 1, maxValue: nil)
        let first = machine.tryAcquire()
        #expect(first)
        #expect(machine.value == 0)
        let second = machine.tryAcquire()
        #expect(!second)
        #expect(machine.value == 0)
        #expect(machine.waitingCount == 0)
        check(machine)
    }

    @Test func park_whenRegistered_staysParked() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        park(&machine, 10)
        #expect(machine.waitingCount == 1)
        check(machine)
    }

    @Test func release_whenNobodyWaits_raisesValue() {
        var machine = Machine(initialValue: 0, maxValue: 2)
        guard case .none = machine.release() else { Issue.record("release acted"); return }
        #expect(machine.value == 1)
        check(machine)
    }

    @Test func release_whenAtMaxValue_reportsTheMaximum() {
        var machine = Machine(initialValue: 2, maxValue: 2)
        guard case .exceedsMaxValue(let maximum) = machine.release() else { Issue.record("release past max accepted"); return }
        #expect(maximum == 2)
        #expect(machine.value == 2)
        check(machine)
    }

    @Test func release_whenParkedWaiters_handsPermitToFirst_inFIFOOrder() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        park(&machine, 10)
        park(&machine, 20)
        park(&machine, 30)
        var woken: [Int] = []
        for _ in 0..<3 {
            guard case .resume(let waiter) = machine.release() else { Issue.record("release did not wake"); return }
            woken.append(waiter)
            #expect(machine.value == 0)  // handed over, never free
            check(machine)
        }
        #expect(woken == [10, 20, 30])
        #expect(machine.waitingCount == 0)
    }

    @Test func release_whenWaiterQueued_atMaxValueZero_stillHandsOver() {
        // value == maxValue == 0, but a waiter takes the permit: nothing exceeds the maximum.
        var machine = Machine(initialValue: 0, maxValue: 0)
        park(&machine, 10)
        guard case .resume(10) = machine.release() else { Issue.record("not handed over"); return }
        guard case .exceedsMaxValue(0) = machine.release() else { Issue.record("past max accepted"); return }
        check(machine)
    }

    @Test func release_whenRegisteredWaiterNotParked_atMaxValue_stillHandsOver() {
        var machine = Machine(initialValue: 0, maxValue: 0)
        guard let ticket = register(&machine) else { return }
        guard case .none = machine.release() else { Issue.record("not handed over"); return }
        guard case .resume(10) = machine.park(ticket, 10) else { Issue.record("granted waiter not resumed"); return }
        check(machine)
    }

    @Test func tryAcquire_afterReleaseToWaiter_cannotBarge() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        park(&machine, 10)
        _ = machine.release()
        let barged = machine.tryAcquire()
        #expect(!barged)
        guard register(&machine) != nil else { return }
        check(machine)
    }

    @Test func tryAcquire_afterReleaseToRegisteredWaiter_cannotBarge() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        guard let ticket = register(&machine) else { return }
        _ = machine.release()  // the permit belongs to the registered waiter now
        let barged = machine.tryAcquire()
        #expect(!barged)
        #expect(machine.value == 0)
        guard case .resume(10) = machine.park(ticket, 10) else { Issue.record("granted waiter not resumed"); return }
        check(machine)
    }

    @Test func release_beforeWaiterParks_grantsItEarly() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        guard let ticket = register(&machine) else { return }
        guard case .none = machine.release() else { Issue.record("release acted"); return }
        #expect(machine.value == 0)
        #expect(machine.waitingCount == 0)
        check(machine)
        guard case .resume(10) = machine.park(ticket, 10) else { Issue.record("granted waiter not resumed"); return }
        // A cancellation arriving now finds nothing to cancel: the permit won.
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.value == 0)
        check(machine)
    }

    @Test func release_handsPermitsInRegistrationOrder_notParkingOrder() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        guard let first = register(&machine) else { return }
        park(&machine, 20)
        guard case .none = machine.release() else { Issue.record("permit skipped the first"); return }
        guard case .resume(20) = machine.release() else { Issue.record("order broken"); return }
        guard case .resume(10) = machine.park(first, 10) else { Issue.record("granted waiter not resumed"); return }
        #expect(machine.value == 0)
        check(machine)
    }

    @Test func cancel_whenParked_cancelsThatWaiterOnly() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        park(&machine, 10)
        guard let second = park(&machine, 20) else { return }
        park(&machine, 30)
        #expect(machine.cancel(second) == 20)
        #expect(machine.waitingCount == 2)
        check(machine)
        guard case .resume(10) = machine.release() else { Issue.record("order broken"); return }
        guard case .resume(30) = machine.release() else { Issue.record("order broken"); return }
        guard case .none = machine.release() else { Issue.record("release acted"); return }
        #expect(machine.value == 1)
        check(machine)
    }

    @Test func cancel_beforePark_failsOnPark() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        guard let ticket = register(&machine) else { return }
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.waitingCount == 0)
        check(machine)
        guard case .fail(10, let error) = machine.park(ticket, 10) else { Issue.record("early-cancelled waiter stored"); return }
        #expect(error is CancellationError)
        // The permit it did not take stays free for the next release.
        guard case .none = machine.release() else { Issue.record("release woke a cancelled waiter"); return }
        #expect(machine.value == 1)
        check(machine)
    }

    @Test func cancel_afterRelease_doesNothing_releaseWins() {
        var machine = Machine(initialValue: 0, maxValue: 1)
        guard let ticket = park(&machine, 10) else { return }
        guard case .resume(10) = machine.release() else { Issue.record("not woken"); return }
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.value == 0)
        #expect(machine.waitingCount == 0)
        check(machine)
    }

    @Test func cancel_unknownTicket_doesNothing() {
        var machine = Machine(initialValue: 1, maxValue: nil)
        #expect(machine.cancel(unknownTicket) == nil)
        #expect(machine.value == 1)
        check(machine)
    }

    @Test func queue_survivesManyOutOfOrderRemovals() {
        // Exercises the waiter queue's slot reuse through the machine.
        var machine = Machine(initialValue: 0, maxValue: nil)
        let count = 200
        var tickets: [QueueTicket] = []
        for waiter in 1...count {
            guard let ticket = park(&machine, waiter) else { return }
            tickets.append(ticket)
        }
        for waiter in stride(from: 2, through: count, by: 2) {
            #expect(machine.cancel(tickets[waiter - 1]) == waiter)
        }
        check(machine)
        var woken: [Int] = []
        while case .resume(let waiter) = machine.release() { woken.append(waiter) }
        #expect(woken == Array(stride(from: 1, through: count, by: 2)))
        #expect(machine.value == 1)
        check(machine)
    }
}
