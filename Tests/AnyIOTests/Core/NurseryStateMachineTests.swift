//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `NurseryStateMachine`: children are a small class, the owner's waiter and
/// the failures plain values.
@Suite("Nursery state machine", .timeLimit(.minutes(1)))
struct NurseryStateMachineTests {
    final class Child: NurseryMember, CustomStringConvertible {
        let name: String
        var previousMember: Child?
        var nextMember: Child?
        var isMember = false
        init(_ name: String) { self.name = name }
        var description: String { name }
    }

    typealias Machine = NurseryStateMachine<Child, Int, String>

    private func check(_ machine: Machine) {
        #if ANYIO_INTERNAL_CHECKS
        machine._checkInvariants()
        #endif
    }

    @Test func members_areListedInJoinOrder_andLeaveFromAnyPosition() {
        var machine = Machine()
        let (a, b, c) = (Child("a"), Child("b"), Child("c"))
        for child in [a, b, c] { #expect(machine.admitMember(child) == .admitted) }
        #expect(machine.members.map(\.name) == ["a", "b", "c"])
        #expect(machine.liveCount == 3 && machine.memberCount == 3)
        #expect(machine.childExited(b) == nil)
        #expect(machine.members.map(\.name) == ["a", "c"])
        #expect(!b.isMember && b.nextMember == nil && b.previousMember == nil)
        _ = machine.childExited(c)
        _ = machine.childExited(a)
        #expect(machine.members.isEmpty && machine.liveCount == 0)
        check(machine)
    }

    @Test func startChild_isPendingUntilAdopted_andNotReachedByCancellation() {
        var machine = Machine()
        let starter = Child("starter")
        #expect(machine.admitPending(starter) == .admitted)
        #expect(machine.pending.map(\.name) == ["starter"] && machine.memberCount == 0)
        #expect(machine.cancelChildren().isEmpty, "a pending child is under its caller's scopes")
        #expect(!machine.cancellationReachedChildren)
        #expect(machine.adopt(starter) == .admittedCancelled, "adopted into a cancelled nursery: cancel it now")
        #expect(machine.pending.isEmpty && machine.members.map(\.name) == ["starter"])
        check(machine)
    }

    @Test func startChild_thatEndsBeforeStarted_leavesThePendingList() {
        var machine = Machine()
        let starter = Child("starter")
        _ = machine.admitPending(starter)
        _ = machine.childExited(starter)
        #expect(machine.pending.isEmpty && machine.liveCount == 0)
        check(machine)
    }

    @Test func cancelChildren_returnsTheMembers_andLaterChildrenJoinCancelled() {
        var machine = Machine()
        let first = Child("first")
        _ = machine.admitMember(first)
        #expect(machine.cancelChildren().map(\.name) == ["first"])
        #expect(machine.isCancelled && machine.cancellationReachedChildren)
        #expect(machine.admitMember(Child("late")) == .admittedCancelled)
    }

    @Test func closed_refusesNewChildren() {
        var machine = Machine()
        _ = machine.close()
        #expect(machine.admitMember(Child("x")) == .closed)
        #expect(machine.admitPending(Child("y")) == .closed)
        #expect(machine.liveCount == 0)
    }

    @Test func owner_withNoChildren_doesNotWait() {
        let machine = Machine()
        #expect(!machine.mustWaitForChildren())
    }

    @Test func owner_parked_isWokenByTheLastChildOnly() {
        var machine = Machine()
        let (a, b) = (Child("a"), Child("b"))
        _ = machine.admitMember(a)
        _ = machine.admitPending(b)
        #expect(machine.mustWaitForChildren())
        #expect(machine.parkOwner(42) == nil)
        #expect(machine.ownerIsWaiting)
        #expect(machine.childExited(a) == nil)
        #expect(machine.childExited(b) == 42)
        #expect(!machine.ownerIsWaiting)
    }

    @Test func owner_parkingAfterTheLastChildExited_resumesAtOnce() {
        var machine = Machine()
        let a = Child("a")
        _ = machine.admitMember(a)
        #expect(machine.mustWaitForChildren())
        _ = machine.childExited(a)  // between the check and the parking
        #expect(machine.parkOwner(7) == 7)
        #expect(!machine.ownerIsWaiting)
    }

    @Test func failures_areKeptInOrder_andOnlyTheFirstCancels() {
        var machine = Machine()
        let first = machine.recordFailure("one")
        let second = machine.recordFailure("two")
        #expect(first && !second)
        #expect(machine.close() == ["one", "two"])
    }
}
