//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `CapacityLimiterStateMachine`; borrowers are strings and waiters integers.
///
/// An acquirer borrows a token, or is registered, parked, granted a token before it parked,
/// cancelled early, or gone. Events: tryAcquire, acquire, park, cancel, release, setTotalTokens.
@Suite("CapacityLimiter state machine", .timeLimit(.minutes(1)))
struct CapacityLimiterStateMachineTests {
    typealias Machine = CapacityLimiterStateMachine<String, Int>

    /// A ticket the machines in these tests never hand out.
    private let unknownTicket = QueueTicket(index: 42, serial: 4242)

    private func check(_ machine: Machine) {
        #if ANYIO_INTERNAL_CHECKS
        machine._checkInvariants()
        #endif
    }

    /// Registers an `acquire()` for `borrower`, expecting no token to be free.
    private func register(
        _ machine: inout Machine, _ borrower: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> QueueTicket? {
        let action = machine.acquire(borrower: borrower)
        guard case .park(let ticket) = action else {
            Issue.record("acquire for \(borrower) did not register: \(action)", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    /// Registers `borrower` and parks `waiter` for it, expecting it to stay parked.
    @discardableResult
    private func park(
        _ machine: inout Machine, _ borrower: String, _ waiter: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> QueueTicket? {
        guard let ticket = register(&machine, borrower, sourceLocation: sourceLocation) else { return nil }
        guard case .parked = machine.park(ticket, waiter) else {
            Issue.record("waiter \(waiter) was not stored", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    private func resumed(_ action: Machine.ReleaseAction) -> [Int]? {
        if case .resume(let waiters) = action { return waiters }
        return nil
    }

    private func resumed(_ action: Machine.SetTotalTokensAction) -> [Int] {
        switch action { case .resume(let waiters): return waiters }
    }

    @Test func tryAcquire_whenTokenFree_borrows() {
        var machine = Machine(totalTokens: 2)
        #expect(machine.tryAcquire("a") == .acquired)
        #expect(machine.borrowers == ["a"])
        #expect(machine.borrowedTokens == 1)
        check(machine)
    }

    @Test func tryAcquire_whenFull_wouldBlock() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        #expect(machine.tryAcquire("b") == .wouldBlock)
        #expect(machine.borrowers == ["a"])
        #expect(machine.waitingCount == 0)
        check(machine)
    }

    @Test func tryAcquire_whenBorrowerHolds_isRefused() {
        var machine = Machine(totalTokens: 5)
        #expect(machine.tryAcquire("a") == .acquired)
        #expect(machine.tryAcquire("a") == .alreadyBorrowing)
        #expect(machine.acquire(borrower: "a") == .alreadyBorrowing)
        #expect(machine.borrowedTokens == 1)
        #expect(machine.waitingCount == 0)
        check(machine)
    }

    @Test func acquire_whenBorrowerWaits_isRefused() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        park(&machine, "b", 10)
        #expect(machine.acquire(borrower: "b") == .alreadyBorrowing)
        #expect(machine.tryAcquire("b") == .alreadyBorrowing)
        #expect(machine.waitingCount == 1)
        check(machine)
    }

    @Test func acquire_whenBorrowerRegisteredNotParked_isRefused() {
        var machine = Machine(totalTokens: 0)
        guard register(&machine, "a") != nil else { return }
        #expect(machine.acquire(borrower: "a") == .alreadyBorrowing)
        #expect(machine.tryAcquire("a") == .alreadyBorrowing)
        #expect(machine.waitingCount == 1)
        check(machine)
    }

    @Test func acquire_whenFull_registers() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.acquire(borrower: "a") == .acquired)
        guard register(&machine, "b") != nil else { return }
        #expect(machine.waitingCount == 1)
        #expect(machine.borrowers == ["a"])
        check(machine)
    }

    @Test func release_whenNotHolding_isReported() {
        var machine = Machine(totalTokens: 1)
        guard case .notHolding = machine.release("a") else { Issue.record("bad release accepted"); return }
        #expect(machine.borrowedTokens == 0)
        #expect(machine.tryAcquire("a") == .acquired)
        check(machine)
    }

    @Test func release_ofWaitingBorrower_isReported() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        park(&machine, "b", 10)
        guard case .notHolding = machine.release("b") else { Issue.record("release by a waiter accepted"); return }
        #expect(machine.waitingCount == 1)
        check(machine)
    }

    @Test func release_withWaiters_handsTokenToFirst_noBarging() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        park(&machine, "b", 10)
        park(&machine, "c", 20)
        #expect(resumed(machine.release("a")) == [10])
        #expect(machine.borrowers == ["b"])
        #expect(machine.tryAcquire("x") == .wouldBlock)
        check(machine)
        #expect(resumed(machine.release("b")) == [20])
        #expect(resumed(machine.release("c")) == [])
        #expect(machine.borrowedTokens == 0)
        #expect(machine.tryAcquire("x") == .acquired)
        check(machine)
    }

    @Test func release_beforeWaiterParks_grantsItEarly() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        guard let ticket = register(&machine, "b") else { return }
        #expect(resumed(machine.release("a")) == [])  // not parked yet: it resumes when it parks
        #expect(machine.borrowers == ["b"])
        #expect(machine.waitingCount == 0)
        #expect(machine.tryAcquire("x") == .wouldBlock)
        check(machine)
        guard case .resume(10) = machine.park(ticket, 10) else { Issue.record("granted waiter not resumed"); return }
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.borrowers == ["b"])
        check(machine)
    }

    @Test func setTotalTokens_raised_wakesAsManyAsFit_inOrder() {
        var machine = Machine(totalTokens: 2)
        #expect(machine.tryAcquire("0") == .acquired)
        #expect(machine.tryAcquire("1") == .acquired)
        park(&machine, "2", 2)
        park(&machine, "3", 3)
        park(&machine, "4", 4)
        #expect(resumed(machine.setTotalTokens(4)) == [2, 3])
        #expect(machine.borrowers == ["0", "1", "2", "3"])
        #expect(machine.waitingCount == 1)
        check(machine)
        #expect(resumed(machine.setTotalTokens(.max)) == [4])
        #expect(machine.waitingCount == 0)
        check(machine)
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter_change_total_tokens

    @Test func setTotalTokens_raised_grantsRegisteredWaitersInOrder_resumesOnlyParkedOnes() {
        var machine = Machine(totalTokens: 0)
        guard let first = register(&machine, "a") else { return }
        park(&machine, "b", 20)
        park(&machine, "c", 30)
        #expect(resumed(machine.setTotalTokens(2)) == [20])
        #expect(machine.borrowers == ["a", "b"])
        #expect(machine.waitingCount == 1)
        check(machine)
        guard case .resume(10) = machine.park(first, 10) else { Issue.record("granted waiter not resumed"); return }
        #expect(resumed(machine.release("a")) == [30])
        check(machine)
    }

    @Test func setTotalTokens_lowered_takesNothingBack() {
        var machine = Machine(totalTokens: 3)
        for borrower in ["a", "b", "c"] { #expect(machine.tryAcquire(borrower) == .acquired) }
        park(&machine, "d", 10)
        #expect(resumed(machine.setTotalTokens(1)) == [])
        #expect(machine.totalTokens == 1)
        #expect(machine.borrowedTokens == 3)
        check(machine)
        #expect(resumed(machine.release("a")) == [])
        #expect(resumed(machine.release("b")) == [])
        #expect(machine.tryAcquire("x") == .wouldBlock)
        #expect(resumed(machine.release("c")) == [10])
        #expect(machine.borrowers == ["d"])
        check(machine)
    }

    @Test func zeroTokens_everyoneWaits_untilRaised() {
        var machine = Machine(totalTokens: 0)
        #expect(machine.tryAcquire("a") == .wouldBlock)
        park(&machine, "a", 10)
        #expect(resumed(machine.setTotalTokens(0)) == [])
        #expect(resumed(machine.setTotalTokens(1)) == [10])
        #expect(machine.borrowers == ["a"])
        check(machine)
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter_zero_limit_tokens

    @Test func setTotalTokens_beforeWaiterParks_grantsItEarly() {
        var machine = Machine(totalTokens: 0)
        guard let ticket = register(&machine, "a") else { return }
        #expect(resumed(machine.setTotalTokens(1)) == [])
        #expect(machine.borrowers == ["a"])
        check(machine)
        guard case .resume(10) = machine.park(ticket, 10) else { Issue.record("granted waiter not resumed"); return }
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.borrowers == ["a"])
        check(machine)
    }

    @Test func cancel_whenParked_leavesNoTrace() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        guard let ticket = park(&machine, "b", 10) else { return }
        park(&machine, "c", 20)
        #expect(machine.cancel(ticket) == 10)
        #expect(machine.waitingCount == 1)
        check(machine)
        // The cancelled borrower may queue again; the token goes to "c" first.
        park(&machine, "b", 11)
        #expect(resumed(machine.release("a")) == [20])
        #expect(resumed(machine.release("c")) == [11])
        check(machine)
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter_memleak_548

    @Test func cancel_beforePark_failsOnPark() {
        var machine = Machine(totalTokens: 0)
        guard let ticket = register(&machine, "a") else { return }
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.waitingCount == 0)
        check(machine)
        // The borrower is no longer waiting: it may try again at once.
        #expect(machine.tryAcquire("a") == .wouldBlock)
        guard case .fail(10, let error) = machine.park(ticket, 10) else { Issue.record("early-cancelled waiter stored"); return }
        #expect(error is CancellationError)
        #expect(resumed(machine.setTotalTokens(1)) == [])
        #expect(machine.borrowedTokens == 0)
        check(machine)
    }

    @Test func cancel_afterGrant_doesNothing_tokenWins() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        guard let ticket = park(&machine, "b", 10) else { return }
        #expect(resumed(machine.release("a")) == [10])
        #expect(machine.cancel(ticket) == nil)
        #expect(machine.borrowers == ["b"])
        check(machine)
    }

    @Test func cancel_unknownTicket_doesNothing() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        park(&machine, "b", 10)
        #expect(machine.cancel(unknownTicket) == nil)
        #expect(machine.waitingCount == 1)
        #expect(machine.borrowers == ["a"])
        check(machine)
    }
}
