//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `CancelScopeStateMachine`: the body task and the nursery are plain strings,
/// timer entries a small class, and "now" a fixed instant.
@Suite("Cancel scope state machine", .timeLimit(.minutes(1)))
struct CancelScopeStateMachineTests {
    final class Timer {}
    typealias Machine = CancelScopeStateMachine<String, Timer, String>

    let now = ContinuousClock.now

    private func entered(deadline: ContinuousClock.Instant? = nil, shield: Bool = false) -> Machine {
        var machine = Machine(deadline: deadline, shield: shield)
        _ = machine.enter(bodyTask: "body", now: now)
        return machine
    }

    @Test func cancel_beforeEntry_isRecorded_andWalksOnEntry() throws {
        var machine = Machine(deadline: nil, shield: false)
        let r1 = machine.cancel(reason: "early")
        #expect(r1 == nil, "an idle scope has no task to cancel")
        #expect(machine.cancelCalled && !machine.effective)
        let r2 = machine.enter(bodyTask: "body", now: now)
        let (_, walk) = try #require(r2)
        #expect(walk?.bodyTask == "body")
        #expect(machine.effective)
        #expect(machine.reason == "early")
    }

    @Test func enter_twice_isRefused() {
        var machine = entered()
        let r3 = machine.enter(bodyTask: "again", now: now)
        #expect(r3 == nil)
        #expect(machine.bodyTask == "body")
    }

    @Test func cancel_whenEntered_walksOnce_andKeepsTheFirstReason() {
        var machine = entered()
        machine.setNursery("nursery")
        let walk = machine.cancel(reason: "first")
        #expect(walk?.bodyTask == "body" && walk?.nursery == "nursery")
        let r4 = machine.cancel(reason: "second")
        #expect(r4 == nil, "a second cancel returns at once")
        #expect(machine.reason == "first")
    }

    @Test func outsideCancellation_walks_unlessShielded() {
        var open = entered()
        let r5 = open.cancelFromOutside()
        #expect(r5 != nil)
        var shielded = entered(shield: true)
        let r6 = shielded.cancelFromOutside()
        #expect(r6 == nil)
        #expect(!shielded.effective && shielded.outerCancelled)
        // Dropping the shield while an outside cancellation is pending cancels at once.
        let r7 = shielded.setShield(false)
        #expect(r7 != nil)
        #expect(shielded.effective)
    }

    @Test func deadline_inTheFuture_isArmedOnEntry_andFiresWithReasonDeadline() throws {
        var machine = Machine(deadline: now + .seconds(5), shield: false)
        let r8 = machine.enter(bodyTask: "body", now: now)
        let (change, walk) = try #require(r8)
        #expect(change.arm == now + .seconds(5) && change.disarm == nil && walk == nil)
        let timer = Timer()
        machine.timerArmed(timer)
        let r9 = machine.deadlineFired(timer)
        #expect(r9 != nil)
        #expect(machine.cancelCalled && machine.reason == "deadline" && machine.timer == nil)
    }

    @Test func deadline_passed_cancelsOnEntry_withoutArming() throws {
        var machine = Machine(deadline: now - .seconds(1), shield: false)
        let r10 = machine.enter(bodyTask: "body", now: now)
        let (change, walk) = try #require(r10)
        #expect(change.arm == nil)
        #expect(walk != nil && machine.reason == "deadline")
    }

    @Test func deadline_firing_keepsAReasonGivenFirst() {
        var machine = entered(deadline: now + .seconds(1))
        let timer = Timer()
        machine.timerArmed(timer)
        _ = machine.cancel(reason: "user")
        let r11 = machine.deadlineFired(timer)
        #expect(r11 == nil, "already effective")
        #expect(machine.reason == "user")
    }

    @Test func staleTimer_doesNothing() {
        var machine = entered(deadline: now + .seconds(1))
        let old = Timer()
        machine.timerArmed(old)
        let (change, _) = machine.setDeadline(now + .seconds(9), now: now)
        #expect(change.disarm === old && change.arm == now + .seconds(9))
        machine.timerArmed(Timer())
        let r12 = machine.deadlineFired(old)
        #expect(r12 == nil)
        #expect(!machine.cancelCalled)
    }

    @Test func setDeadline_toThePast_whenEntered_cancelsNow() {
        var machine = entered()
        let (change, walk) = machine.setDeadline(now - .milliseconds(1), now: now)
        #expect(change.arm == nil && walk != nil && machine.reason == "deadline")
    }

    @Test func setDeadline_beforeEntry_onlyRecords() {
        var machine = Machine(deadline: nil, shield: false)
        let (change, walk) = machine.setDeadline(now - .seconds(1), now: now)
        #expect(change.arm == nil && change.disarm == nil && walk == nil)
        #expect(!machine.cancelCalled)
    }

    @Test func exit_catches_onlyItsOwnCancellation_whenNothingOutsideIsVisible() {
        var own = entered()
        _ = own.cancel(reason: nil)
        let r13 = own.exit(bodyThrewCancellation: true, enclosingCancelled: false)
        #expect(r13.caught)
        #expect(own.cancelledCaught && own.phase == .exited)

        var outside = entered()
        _ = outside.cancel(reason: nil)
        #expect(!outside.exit(bodyThrewCancellation: true, enclosingCancelled: true).caught)

        var nativelyCancelled = entered()
        _ = nativelyCancelled.cancel(reason: nil)
        _ = nativelyCancelled.cancelFromOutside()
        #expect(!nativelyCancelled.exit(bodyThrewCancellation: true, enclosingCancelled: false).caught)

        var shielded = entered(shield: true)
        _ = shielded.cancel(reason: nil)
        _ = shielded.cancelFromOutside()
        let r14 = shielded.exit(bodyThrewCancellation: true, enclosingCancelled: true)
        #expect(r14.caught)

        var notCancelled = entered()
        #expect(!notCancelled.exit(bodyThrewCancellation: true, enclosingCancelled: false).caught)

        var bodyReturned = entered()
        _ = bodyReturned.cancel(reason: nil)
        #expect(!bodyReturned.exit(bodyThrewCancellation: false, enclosingCancelled: false).caught)
    }

    @Test func exit_disarmsTheTimer_dropsTheNursery_andStopsLaterWalks() {
        var machine = entered(deadline: now + .seconds(1))
        let timer = Timer()
        machine.timerArmed(timer)
        machine.setNursery("nursery")
        let (_, disarm) = machine.exit(bodyThrewCancellation: false, enclosingCancelled: false)
        #expect(disarm === timer)
        #expect(machine.nursery == nil && machine.timer == nil)
        #expect(machine.bodyTask == "body", "kept, so the task's identity is not reused while the scope lives")
        let r15 = machine.cancel(reason: "late")
        #expect(r15 == nil)
        #expect(machine.cancelCalled && !machine.effective)
        let r16 = machine.deadlineFired(timer)
        #expect(r16 == nil)
    }

    @Test func outsideCancellationVisible_followsTheShield() {
        var machine = entered(shield: true)
        _ = machine.cancelFromOutside()
        #expect(!machine.outsideCancellationVisible(enclosingCancelled: true))
        _ = machine.setShield(false)
        #expect(machine.outsideCancellationVisible(enclosingCancelled: false))
    }
}
