//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `SemaphoreStateMachine`; waiters are plain integers here.
@Suite("Semaphore state machine", .timeLimit(.minutes(1)))
struct SemaphoreStateMachineTests {
    typealias Machine = SemaphoreStateMachine<Int>

    private func id(_ raw: UInt64) -> WaiterID { WaiterID(rawValue: raw) }

    /// Queues `raw` and hands in continuation `waiter`, expecting it to stay suspended.
    private func park(_ machine: inout Machine, _ raw: UInt64, _ waiter: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(machine.acquire(id(raw)) == .enqueued, sourceLocation: sourceLocation)
        guard case .suspend = machine.suspended(id(raw), waiter) else {
            Issue.record("waiter \(waiter) was not stored", sourceLocation: sourceLocation)
            return
        }
    }

    @Test func acquire_whenPermitFree_takesIt() {
        var machine = Machine(initialValue: 2, maxValue: nil)
        #expect(machine.acquire(id(1)) == .acquired)
        #expect(machine.value == 1)
        #expect(machine.waitingCount == 0)
    }

    @Test func acquire_whenNoPermit_enqueues() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        #expect(machine.acquire(id(1)) == .enqueued)
        #expect(machine.value == 0)
        #expect(machine.waitingCount == 1)
    }

    @Test func tryAcquire_takesFreePermitsOnly() {
        var machine = Machine(initialValue: 1, maxValue: nil)
        let first = machine.tryAcquire()
        #expect(first)
        #expect(machine.value == 0)
        let second = machine.tryAcquire()
        #expect(!second)
        #expect(machine.value == 0)
    }

    @Test func suspended_whenQueued_staysSuspended() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        park(&machine, 1, 10)
        #expect(machine.waitingCount == 1)
    }

    @Test func release_whenNobodyWaits_raisesValue() {
        var machine = Machine(initialValue: 0, maxValue: 2)
        guard case .none = machine.release() else { Issue.record("release acted"); return }
        #expect(machine.value == 1)
    }

    @Test func release_whenAtMaxValue_reportsTheMaximum() {
        var machine = Machine(initialValue: 2, maxValue: 2)
        guard case .exceedsMaxValue(let maximum) = machine.release() else { Issue.record("release past max accepted"); return }
        #expect(maximum == 2)
        #expect(machine.value == 2)
    }

    @Test func release_whenSuspendedWaiters_handsPermitToFirst_inFIFOOrder() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        park(&machine, 1, 10)
        park(&machine, 2, 20)
        park(&machine, 3, 30)
        var woken: [Int] = []
        for _ in 0..<3 {
            guard case .resume(let waiter) = machine.release() else { Issue.record("release did not wake"); return }
            woken.append(waiter)
            #expect(machine.value == 0)  // handed over, never free
        }
        #expect(woken == [10, 20, 30])
        #expect(machine.waitingCount == 0)
    }

    @Test func release_whenWaiterQueued_atMaxValueZero_stillHandsOver() {
        // value == maxValue == 0, but a waiter takes the permit: nothing exceeds the maximum.
        var machine = Machine(initialValue: 0, maxValue: 0)
        park(&machine, 1, 10)
        guard case .resume(10) = machine.release() else { Issue.record("not handed over"); return }
        guard case .exceedsMaxValue(0) = machine.release() else { Issue.record("past max accepted"); return }
    }

    @Test func tryAcquire_afterReleaseToWaiter_cannotBarge() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        park(&machine, 1, 10)
        _ = machine.release()
        let barged = machine.tryAcquire()
        #expect(!barged)
        #expect(machine.acquire(id(2)) == .enqueued)
    }

    @Test func release_beforeWaiterSuspends_grantsItEarly() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        #expect(machine.acquire(id(1)) == .enqueued)
        guard case .none = machine.release() else { Issue.record("release acted"); return }
        #expect(machine.value == 0)
        #expect(machine.waitingCount == 0)
        guard case .resume(10) = machine.suspended(id(1), 10) else { Issue.record("granted waiter not resumed"); return }
        // A cancellation arriving now finds nothing to cancel: the permit won.
        guard case .none = machine.cancel(id(1)) else { Issue.record("cancel after grant acted"); return }
    }

    @Test func cancel_whenSuspended_cancelsThatWaiterOnly() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        park(&machine, 1, 10)
        park(&machine, 2, 20)
        park(&machine, 3, 30)
        guard case .cancel(20) = machine.cancel(id(2)) else { Issue.record("not cancelled"); return }
        #expect(machine.waitingCount == 2)
        guard case .resume(10) = machine.release() else { Issue.record("order broken"); return }
        guard case .resume(30) = machine.release() else { Issue.record("order broken"); return }
        guard case .none = machine.release() else { Issue.record("release acted"); return }
        #expect(machine.value == 1)
    }

    @Test func cancel_beforeSuspend_cancelsOnSuspend() {
        var machine = Machine(initialValue: 0, maxValue: nil)
        #expect(machine.acquire(id(1)) == .enqueued)
        guard case .none = machine.cancel(id(1)) else { Issue.record("early cancel acted"); return }
        #expect(machine.waitingCount == 0)
        guard case .cancel(10) = machine.suspended(id(1), 10) else { Issue.record("early-cancelled waiter stored"); return }
        // The permit it did not take stays free for the next release.
        guard case .none = machine.release() else { Issue.record("release woke a cancelled waiter"); return }
        #expect(machine.value == 1)
    }

    @Test func cancel_afterRelease_doesNothing_releaseWins() {
        var machine = Machine(initialValue: 0, maxValue: 1)
        park(&machine, 1, 10)
        guard case .resume(10) = machine.release() else { Issue.record("not woken"); return }
        guard case .none = machine.cancel(id(1)) else { Issue.record("cancel after release acted"); return }
        #expect(machine.value == 0)
        #expect(machine.waitingCount == 0)
    }

    @Test func cancel_unknownWaiter_doesNothing() {
        var machine = Machine(initialValue: 1, maxValue: nil)
        guard case .none = machine.cancel(id(99)) else { Issue.record("unknown cancel acted"); return }
        #expect(machine.value == 1)
    }

    @Test func queue_survivesManyOutOfOrderRemovals() {
        // Exercises the waiter queue's holes and compaction through the machine.
        var machine = Machine(initialValue: 0, maxValue: nil)
        let count: UInt64 = 200
        for raw in 1...count { park(&machine, raw, Int(raw)) }
        for raw in stride(from: 2, through: count, by: 2) {
            guard case .cancel(let waiter) = machine.cancel(id(raw)) else { Issue.record("not cancelled"); return }
            #expect(waiter == Int(raw))
        }
        var woken: [Int] = []
        while case .resume(let waiter) = machine.release() { woken.append(waiter) }
        #expect(woken == Array(stride(from: 1, through: Int(count), by: 2)))
        #expect(machine.value == 1)
    }
}
