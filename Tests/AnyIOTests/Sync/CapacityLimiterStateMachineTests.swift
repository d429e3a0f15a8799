//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `CapacityLimiterStateMachine`; borrowers are strings and waiters integers.
@Suite("CapacityLimiter state machine", .timeLimit(.minutes(1)))
struct CapacityLimiterStateMachineTests {
    typealias Machine = CapacityLimiterStateMachine<String, Int>

    private func id(_ raw: UInt64) -> WaiterID { WaiterID(rawValue: raw) }

    /// Queues `borrower` as waiter `raw` with continuation `waiter`, expecting it to stay suspended.
    private func park(
        _ machine: inout Machine, _ raw: UInt64, _ borrower: String, _ waiter: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(machine.acquire(id(raw), borrower: borrower) == .enqueued, sourceLocation: sourceLocation)
        guard case .suspend = machine.suspended(id(raw), waiter) else {
            Issue.record("waiter \(waiter) was not stored", sourceLocation: sourceLocation)
            return
        }
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
    }

    @Test func tryAcquire_whenFull_wouldBlock() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        #expect(machine.tryAcquire("b") == .wouldBlock)
        #expect(machine.borrowers == ["a"])
    }

    @Test func tryAcquire_whenBorrowerHolds_isRefused() {
        var machine = Machine(totalTokens: 5)
        #expect(machine.tryAcquire("a") == .acquired)
        #expect(machine.tryAcquire("a") == .alreadyBorrowing)
        #expect(machine.acquire(id(1), borrower: "a") == .alreadyBorrowing)
        #expect(machine.borrowedTokens == 1)
        #expect(machine.waitingCount == 0)
    }

    @Test func acquire_whenBorrowerWaits_isRefused() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        park(&machine, 1, "b", 10)
        #expect(machine.acquire(id(2), borrower: "b") == .alreadyBorrowing)
        #expect(machine.tryAcquire("b") == .alreadyBorrowing)
        #expect(machine.waitingCount == 1)
    }

    @Test func acquire_whenFull_enqueues() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.acquire(id(1), borrower: "a") == .acquired)
        #expect(machine.acquire(id(2), borrower: "b") == .enqueued)
        #expect(machine.waitingCount == 1)
        #expect(machine.borrowers == ["a"])
    }

    @Test func release_whenNotHolding_isReported() {
        var machine = Machine(totalTokens: 1)
        guard case .notHolding = machine.release("a") else { Issue.record("bad release accepted"); return }
        #expect(machine.borrowedTokens == 0)
        #expect(machine.tryAcquire("a") == .acquired)
    }

    @Test func release_ofWaitingBorrower_isReported() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        park(&machine, 1, "b", 10)
        guard case .notHolding = machine.release("b") else { Issue.record("release by a waiter accepted"); return }
        #expect(machine.waitingCount == 1)
    }

    @Test func release_withWaiters_handsTokenToFirst_noBarging() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        park(&machine, 1, "b", 10)
        park(&machine, 2, "c", 20)
        #expect(resumed(machine.release("a")) == [10])
        #expect(machine.borrowers == ["b"])
        #expect(machine.tryAcquire("x") == .wouldBlock)
        #expect(resumed(machine.release("b")) == [20])
        #expect(resumed(machine.release("c")) == [])
        #expect(machine.borrowedTokens == 0)
        #expect(machine.tryAcquire("x") == .acquired)
    }

    @Test func setTotalTokens_raised_wakesAsManyAsFit_inOrder() {
        var machine = Machine(totalTokens: 2)
        #expect(machine.tryAcquire("0") == .acquired)
        #expect(machine.tryAcquire("1") == .acquired)
        park(&machine, 2, "2", 2)
        park(&machine, 3, "3", 3)
        park(&machine, 4, "4", 4)
        #expect(resumed(machine.setTotalTokens(4)) == [2, 3])
        #expect(machine.borrowers == ["0", "1", "2", "3"])
        #expect(machine.waitingCount == 1)
        #expect(resumed(machine.setTotalTokens(.max)) == [4])
        #expect(machine.waitingCount == 0)
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter_change_total_tokens

    @Test func setTotalTokens_lowered_takesNothingBack() {
        var machine = Machine(totalTokens: 3)
        for borrower in ["a", "b", "c"] { #expect(machine.tryAcquire(borrower) == .acquired) }
        park(&machine, 1, "d", 10)
        #expect(resumed(machine.setTotalTokens(1)) == [])
        #expect(machine.borrowedTokens == 3)
        #expect(resumed(machine.release("a")) == [])
        #expect(resumed(machine.release("b")) == [])
        #expect(machine.tryAcquire("x") == .wouldBlock)
        #expect(resumed(machine.release("c")) == [10])
        #expect(machine.borrowers == ["d"])
    }

    @Test func zeroTokens_everyoneWaits_untilRaised() {
        var machine = Machine(totalTokens: 0)
        #expect(machine.tryAcquire("a") == .wouldBlock)
        park(&machine, 1, "a", 10)
        #expect(resumed(machine.setTotalTokens(0)) == [])
        #expect(resumed(machine.setTotalTokens(1)) == [10])
        #expect(machine.borrowers == ["a"])
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter_zero_limit_tokens

    @Test func setTotalTokens_beforeWaiterSuspends_grantsItEarly() {
        var machine = Machine(totalTokens: 0)
        #expect(machine.acquire(id(1), borrower: "a") == .enqueued)
        #expect(resumed(machine.setTotalTokens(1)) == [])
        #expect(machine.borrowers == ["a"])
        guard case .resume(10) = machine.suspended(id(1), 10) else { Issue.record("granted waiter not resumed"); return }
        guard case .none = machine.cancel(id(1)) else { Issue.record("cancel after grant acted"); return }
        #expect(machine.borrowers == ["a"])
    }

    @Test func cancel_whenSuspended_leavesNoTrace() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        park(&machine, 1, "b", 10)
        park(&machine, 2, "c", 20)
        guard case .cancel(10) = machine.cancel(id(1)) else { Issue.record("not cancelled"); return }
        #expect(machine.waitingCount == 1)
        // The cancelled borrower may queue again; the token goes to "c" first.
        park(&machine, 3, "b", 11)
        #expect(resumed(machine.release("a")) == [20])
        #expect(resumed(machine.release("c")) == [11])
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter_memleak_548

    @Test func cancel_beforeSuspend_cancelsOnSuspend() {
        var machine = Machine(totalTokens: 0)
        #expect(machine.acquire(id(1), borrower: "a") == .enqueued)
        guard case .none = machine.cancel(id(1)) else { Issue.record("early cancel acted"); return }
        #expect(machine.waitingCount == 0)
        guard case .cancel(10) = machine.suspended(id(1), 10) else { Issue.record("early-cancelled waiter stored"); return }
        #expect(resumed(machine.setTotalTokens(1)) == [])
        #expect(machine.borrowedTokens == 0)
    }

    @Test func cancel_afterGrant_doesNothing_tokenWins() {
        var machine = Machine(totalTokens: 1)
        #expect(machine.tryAcquire("a") == .acquired)
        park(&machine, 1, "b", 10)
        #expect(resumed(machine.release("a")) == [10])
        guard case .none = machine.cancel(id(1)) else { Issue.record("cancel after grant acted"); return }
        #expect(machine.borrowers == ["b"])
    }
}
