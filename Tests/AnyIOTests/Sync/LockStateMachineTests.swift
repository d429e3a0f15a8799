//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `LockStateMachine`; owners are small integers, waiters strings.
///
/// States: unlocked, locked without waiters, locked with waiters, locked after a hand-off
/// (granted), broken. Events: acquire, suspend, cancel, release, ownerEnded.
@Suite("Lock state machine", .timeLimit(.minutes(1)))
struct LockStateMachineTests {
    typealias Machine = LockStateMachine<Int, String>
    let a = 1, b = 2, c = 3

    func id(_ raw: UInt64) -> WaiterID { WaiterID(rawValue: raw) }

    /// Locked by `a`, with `b` (id 1) and `c` (id 2) queued.
    func lockedWithWaiters() -> Machine {
        var machine = Machine()
        _ = machine.acquire(a)
        _ = machine.suspend(id(1), b, "b")
        _ = machine.suspend(id(2), c, "c")
        return machine
    }

    // MARK: unlocked

    @Test func acquire_whenUnlocked_acquires() {
        var machine = Machine()
        #expect(machine.acquire(a) == .acquired)
        #expect(machine.isLocked)
        #expect(machine.owner == a)
    }

    @Test func suspend_whenUnlocked_takesTheLock() {
        var machine = Machine()
        guard case .resume("w") = machine.suspend(id(1), b, "w") else { Issue.record("not resumed"); return }
        #expect(machine.owner == b)
        #expect(machine.waitingCount == 0)
        // A cancellation arriving after that is stale: the acquisition stands.
        guard case .none = machine.cancel(id(1)) else { Issue.record("cancelled a granted waiter"); return }
        #expect(machine.owner == b)
        #expect(machine.release(b) == .none)
        #expect(!machine.isLocked)
    }

    @Test func cancel_whenUnlocked_isRememberedForSuspend() {
        var machine = Machine()
        guard case .none = machine.cancel(id(1)) else { Issue.record("acted"); return }
        guard case .cancel("w") = machine.suspend(id(1), b, "w") else { Issue.record("not cancelled early"); return }
        #expect(!machine.isLocked)
        // The early record was consumed: the same id suspends normally later.
        guard case .resume = machine.suspend(id(1), b, "w") else { Issue.record("stale early cancel"); return }
    }

    @Test func release_whenUnlocked_isNotOwner() {
        var machine = Machine()
        guard case .notOwner(holder: nil) = machine.release(a) else { Issue.record("released"); return }
    }

    @Test func ownerEnded_whenUnlocked_doesNothing() {
        var machine = Machine()
        guard case .none = machine.ownerEnded(a) else { Issue.record("broke"); return }
        #expect(!machine.isLocked && !machine.isBroken)
    }

    // MARK: locked, no waiters

    @Test func acquire_whenLockedByOther_mustWait() {
        var machine = Machine()
        _ = machine.acquire(a)
        #expect(machine.acquire(b) == .mustWait)
        #expect(machine.owner == a)
    }

    @Test func acquire_whenLockedBySelf_isAlreadyHeld() {
        var machine = Machine()
        _ = machine.acquire(a)
        #expect(machine.acquire(a) == .alreadyHeld)
        guard case .alreadyHeld("w") = machine.suspend(id(1), a, "w") else { Issue.record("queued"); return }
        #expect(machine.waitingCount == 0)
    }

    @Test func suspend_whenLockedByOther_queues() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard case .suspend = machine.suspend(id(1), b, "b") else { Issue.record("not queued"); return }
        #expect(machine.waitingCount == 1)
    }

    @Test func release_byOwnerWithoutWaiters_unlocks() {
        var machine = Machine()
        _ = machine.acquire(a)
        #expect(machine.release(a) == .none)
        #expect(!machine.isLocked)
        #expect(machine.acquire(b) == .acquired)
    }

    @Test func release_byOther_isNotOwner() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard case .notOwner(holder: a) = machine.release(b) else { Issue.record("released"); return }
        #expect(machine.owner == a)
    }

    @Test func cancel_whenLockedNotQueued_isRememberedForSuspend() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard case .none = machine.cancel(id(1)) else { Issue.record("acted"); return }
        guard case .cancel("b") = machine.suspend(id(1), b, "b") else { Issue.record("queued"); return }
        #expect(machine.waitingCount == 0)
    }

    @Test func ownerEnded_byOwner_breaks() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard case .failAll(let waiters) = machine.ownerEnded(a) else { Issue.record("not broken"); return }
        #expect(waiters.isEmpty)
        #expect(machine.isBroken && machine.isLocked)
    }

    @Test func ownerEnded_byOther_doesNothing() {
        var machine = Machine()
        _ = machine.acquire(a)
        guard case .none = machine.ownerEnded(b) else { Issue.record("broke"); return }
        #expect(machine.owner == a)
    }

    // MARK: locked with waiters

    @Test func release_withWaiters_handsOffInFIFOOrder() {
        var machine = lockedWithWaiters()
        guard case .resume("b") = machine.release(a) else { Issue.record("no hand-off to b"); return }
        #expect(machine.owner == b)
        #expect(machine.waitingCount == 1)
        // A newcomer cannot barge in after the hand-off.
        #expect(machine.acquire(a) == .mustWait)
        guard case .resume("c") = machine.release(b) else { Issue.record("no hand-off to c"); return }
        #expect(machine.owner == c)
        #expect(machine.release(c) == .none)
        #expect(!machine.isLocked)
    }

    @Test func cancel_queuedWaiter_removesIt() {
        var machine = lockedWithWaiters()
        guard case .cancel("b") = machine.cancel(id(1)) else { Issue.record("not cancelled"); return }
        #expect(machine.waitingCount == 1)
        guard case .resume("c") = machine.release(a) else { Issue.record("cancelled waiter got the lock"); return }
    }

    @Test func cancel_afterHandOff_isStale() {
        var machine = lockedWithWaiters()
        _ = machine.release(a)
        guard case .none = machine.cancel(id(1)) else { Issue.record("cancelled the new owner"); return }
        #expect(machine.owner == b)
        #expect(machine.waitingCount == 1)
    }

    @Test func ownerEnded_withWaiters_failsThemAll() {
        var machine = lockedWithWaiters()
        guard case .failAll(let waiters) = machine.ownerEnded(a) else { Issue.record("not broken"); return }
        #expect(waiters == ["b", "c"])
        #expect(machine.waitingCount == 0)
    }

    @Test func release_byWaiter_isNotOwner() {
        var machine = lockedWithWaiters()
        guard case .notOwner(holder: a) = machine.release(b) else { Issue.record("released"); return }
        #expect(machine.waitingCount == 2)
    }

    // MARK: broken

    @Test func everyEvent_whenBroken_fails() {
        var machine = Machine()
        _ = machine.acquire(a)
        _ = machine.ownerEnded(a)
        #expect(machine.acquire(b) == .broken)
        guard case .broken("w") = machine.suspend(id(1), b, "w") else { Issue.record("not broken"); return }
        guard case .none = machine.cancel(id(2)) else { Issue.record("cancel acted"); return }
        // A cancellation is not recorded once broken: the suspension still reports broken.
        guard case .broken = machine.suspend(id(2), b, "w") else { Issue.record("not broken"); return }
        guard case .broken = machine.release(a) else { Issue.record("released"); return }
        guard case .none = machine.ownerEnded(a) else { Issue.record("broke twice"); return }
        #expect(machine.isBroken && machine.isLocked)
        #expect(machine.owner == nil)
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
