//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Testing

@testable import AnyIO

// The semantics of timeouts, on virtual time (a `MockClock` that autojumps): a deadline fires
// exactly when every task waits for it, so the tests are deterministic and take no real time.
// Where a test needs time to pass *without* a checkpoint, it advances the clock by hand.
// `TimeoutRealClockTests` below keeps the real clock's timer covered.
@Suite("Timeouts", .timeLimit(.minutes(1)), .anyIO(clock: .mock(autojump: .zero)))
struct TimeoutTests {
    static let delays: [Duration] = [.zero, .milliseconds(50)]

    // MARK: - failAfter / failAt (C6)

    @Test("failAfter throws TimeoutError when its deadline passes", arguments: delays)
    func failAfterTimesOut(delay: Duration) async throws {
        var scope: CancelScope?
        var bodySawCancellation = false
        let (result, elapsed) = await testTimed {
            try await failAfter(delay) { s in
                scope = s
                do {
                    try await sleep(for: .seconds(30))
                } catch is CancellationError {
                    bodySawCancellation = true
                    throw CancellationError()
                }
            }
        }
        #expect(throws: TimeoutError.self) { try result.get() }
        #expect(bodySawCancellation)
        #expect(scope?.cancelCalled == true)
        #expect(scope?.cancelledCaught == true)
        #expect(scope?.cancelReason == "deadline")
        #expect(elapsed < .seconds(5))
    }
    // anyio: tests/test_taskgroups.py::test_fail_after

    @Test("failAfter returns the body's value when the deadline is not reached")
    func failAfterNoTimeout() async throws {
        var scope: CancelScope?
        let value = try await failAfter(.seconds(30)) { s -> Int in
            scope = s
            try await sleep(for: .milliseconds(10))
            return 3
        }
        #expect(value == 3)
        #expect(scope?.deadline != nil)
        #expect(scope?.cancelCalled == false)
        #expect(scope?.cancelledCaught == false)
    }
    // anyio: tests/test_taskgroups.py::test_fail_after_no_timeout

    @Test("failAfter still works after the task took part in a cancelled nursery")
    func failAfterAfterCancellation() async throws {
        try await withNursery { nursery in
            nursery.cancel()
            try await sleepForever()
        }
        var blockCompleted = false
        await #expect(throws: TimeoutError.self) {
            try await failAfter(.milliseconds(50)) { _ in
                try await sleep(for: .seconds(30))
                blockCompleted = true
            }
        }
        #expect(!blockCompleted)
    }
    // anyio: tests/test_taskgroups.py::test_fail_after_after_cancellation

    @Test("failAfter cancelled explicitly before its deadline: Void returns, a value throws CancellationError")
    func failAfterCancelledBeforeDeadline() async throws {
        var scope: CancelScope?
        try await failAfter(.seconds(30)) { s in
            scope = s
            s.cancel()
            try await LowLevel.checkpoint()
        }
        #expect(scope?.cancelledCaught == true)

        await #expect(throws: CancellationError.self) {
            try await failAfter(.seconds(30)) { s -> Int in
                s.cancel()
                try await LowLevel.checkpoint()
                return 1
            }
        }
    }
    // anyio: tests/test_taskgroups.py::test_fail_after_cancelled_before_deadline
    // spec: C6, C10

    @Test("TimeoutError wins over an explicit cancel once the deadline has passed")
    func failAfterTimeoutWinsOverCancel() async throws {
        await #expect(throws: TimeoutError.self) {
            try await failAfter(.milliseconds(20)) { scope in
                scope.cancel()
                // Let the deadline pass without a checkpoint.
                try #require(MockClock.current).advance(by: .milliseconds(60))
                try await LowLevel.checkpoint()
            }
        }
    }
    // anyio: tests/test_taskgroups.py::test_fail_after_scope_cancelled_before_timeout (xfail in AnyIO; required by SPEC C6)

    @Test("failAt throws TimeoutError when its deadline passes", arguments: delays)
    func failAtTimesOut(delay: Duration) async throws {
        var scope: CancelScope?
        await #expect(throws: TimeoutError.self) {
            try await failAt(currentTime() + delay) { s in
                scope = s
                try await sleep(for: .seconds(30))
            }
        }
        #expect(scope?.cancelCalled == true)
        #expect(scope?.cancelledCaught == true)
    }
    // anyio: tests/test_taskgroups.py::test_fail_at

    @Test("failAt returns the body's value when the deadline is not reached")
    func failAtNoTimeout() async throws {
        let deadline = currentTime() + .seconds(30)
        var scope: CancelScope?
        let value = try await failAt(deadline) { s -> String in
            scope = s
            try await sleep(for: .milliseconds(10))
            return "done"
        }
        #expect(value == "done")
        #expect(scope?.deadline == deadline)
        #expect(scope?.cancelCalled == false)
        #expect(scope?.cancelledCaught == false)
    }
    // anyio: tests/test_taskgroups.py::test_fail_at_no_timeout

    // MARK: - moveOnAfter / moveOnAt (C6)

    @Test("moveOnAfter returns nil when its deadline passes", arguments: delays)
    func moveOnAfterTimesOut(delay: Duration) async throws {
        var scope: CancelScope?
        var reached = false
        let result: Void? = try await moveOnAfter(delay) { s in
            scope = s
            try await sleep(for: .seconds(30))
            reached = true
        }
        #expect(result == nil)
        #expect(!reached)
        #expect(scope?.cancelCalled == true)
        #expect(scope?.cancelledCaught == true)
    }
    // anyio: tests/test_taskgroups.py::test_move_on_after

    @Test("moveOnAfter returns the body's value when the deadline is not reached")
    func moveOnAfterNoTimeout() async throws {
        var scope: CancelScope?
        let result = try await moveOnAfter(.seconds(30)) { s -> Int in
            scope = s
            try await sleep(for: .milliseconds(10))
            return 11
        }
        #expect(result == 11)
        #expect(scope?.cancelCalled == false)
    }
    // anyio: tests/test_taskgroups.py::test_move_on_after_no_timeout

    @Test("moveOnAt returns nil when its deadline passes", arguments: delays)
    func moveOnAtTimesOut(delay: Duration) async throws {
        var scope: CancelScope?
        var reached = false
        let result: Void? = try await moveOnAt(currentTime() + delay) { s in
            scope = s
            try await sleep(for: .seconds(30))
            reached = true
        }
        #expect(result == nil)
        #expect(!reached)
        #expect(scope?.cancelCalled == true)
        #expect(scope?.cancelledCaught == true)
    }
    // anyio: tests/test_taskgroups.py::test_move_on_at

    @Test("moveOnAt returns the body's value when the deadline is not reached")
    func moveOnAtNoTimeout() async throws {
        let result = try await moveOnAt(currentTime() + .seconds(30)) { _ -> Int in
            try await sleep(for: .milliseconds(10))
            return 12
        }
        #expect(result == 12)
    }
    // anyio: tests/test_taskgroups.py::test_move_on_at_no_timeout

    @Test("nested moveOnAfter: the earlier outer deadline is effective and catches")
    func nestedMoveOnAfter() async throws {
        var outerScope: CancelScope?
        var innerScope: CancelScope?
        var effectiveInOuter: ContinuousClock.Instant?
        var effectiveInInner: ContinuousClock.Instant?
        var sleepCompleted = false
        var innerCompleted = false
        try await moveOnAfter(.milliseconds(50)) { outer in
            outerScope = outer
            effectiveInOuter = currentEffectiveDeadline()
            try await moveOnAfter(.seconds(30)) { inner in
                innerScope = inner
                effectiveInInner = currentEffectiveDeadline()
                try await sleep(for: .seconds(30))
                sleepCompleted = true
            }
            innerCompleted = true
        }
        #expect(effectiveInOuter != nil)
        #expect(effectiveInOuter == outerScope?.deadline)
        #expect(effectiveInInner == outerScope?.deadline)
        #expect(!sleepCompleted)
        #expect(!innerCompleted)
        #expect(outerScope?.cancelCalled == true)
        #expect(outerScope?.cancelledCaught == true)
        #expect(innerScope?.cancelCalled == false)
        #expect(innerScope?.cancelledCaught == false)
    }
    // anyio: tests/test_taskgroups.py::test_nested_move_on_after

    @Test("after moveOnAfter caught its timeout, the task is not cancelled any more")
    func cancelScopeCleared() async throws {
        try await moveOnAfter(.milliseconds(10)) { _ in
            try await sleep(for: .seconds(30))
        }
        #expect(!Task.isCancelled)
        try await LowLevel.checkpoint()
    }
    // anyio: tests/test_taskgroups.py::test_cancel_scope_cleared

    @Test("a deadline already reached on entry cancels at the first checkpoint")
    func deadlineReachedOnStart() async throws {
        var reached = false
        let result: Void? = try await moveOnAfter(.zero) { _ in
            try await LowLevel.checkpoint()
            reached = true
        }
        #expect(result == nil)
        #expect(!reached)
    }
    // anyio: tests/test_taskgroups.py::test_deadline_reached_on_start

    @Test("moving the deadline later after entry postpones the timeout")
    func deadlineMoved() async throws {
        var completed = false
        try await failAfter(.milliseconds(50)) { scope in
            scope.deadline = try #require(scope.deadline) + .seconds(5)
            try await sleep(for: .milliseconds(200))
            completed = true
        }
        #expect(completed)
    }
    // anyio: tests/test_taskgroups.py::test_deadline_moved

    @Test("failAfter around a nursery whose body and children are all blocked throws one TimeoutError")
    func timeoutErrorWithMultipleCancellations() async throws {
        await #expect(throws: TimeoutError.self) {
            try await failAfter(.milliseconds(50)) { _ in
                try await withNursery { nursery in
                    nursery.startSoon { try await sleep(for: .seconds(30)) }
                    try await sleep(for: .seconds(30))
                }
            }
        }
    }
    // anyio: tests/test_taskgroups.py::test_timeout_error_with_multiple_cancellations

    @Test("an inner failAfter does not turn an outer explicit cancel into TimeoutError")
    func nestedFailAfter() async throws {
        let failAfterEntered = TestBox(false)
        var scope: CancelScope?
        var reached = [String]()
        try await withNursery { nursery in
            try await withCancelScope { outer in
                scope = outer
                try await withCancelScope { _ in
                    nursery.startSoon {
                        try await testWaitUntil("failAfter is entered") { failAfterEntered.value }
                        outer.cancel()
                    }
                    try await failAfter(.seconds(30)) { _ in
                        failAfterEntered.value = true
                        try await sleep(for: .seconds(30))
                        reached.append("failAfter body")
                    }
                    reached.append("after failAfter")
                }
                reached.append("after middle scope")
            }
        }
        #expect(reached.isEmpty)
        #expect(scope?.cancelCalled == true)
        #expect(scope?.cancelledCaught == true)
    }
    // anyio: tests/test_taskgroups.py::test_nested_fail_after

    @Test("a failAfter inside a shield times out although the outer scope was cancelled")
    func nestedShield() async throws {
        let failAfterEntered = TestBox(false)
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                try await withCancelScope { scope in
                    try await withCancelScope(shield: true) { _ in
                        nursery.startSoon {
                            try await testWaitUntil("failAfter is entered") { failAfterEntered.value }
                            scope.cancel()
                        }
                        try await failAfter(.milliseconds(200)) { _ in
                            failAfterEntered.value = true
                            try await sleep(for: .seconds(30))
                        }
                    }
                }
            }
        }
        #expect(group?.errors.count == 1)
        #expect(group?.errors.first is TimeoutError)
    }
    // anyio: tests/test_taskgroups.py::test_nested_shield

    @Test("a timeout caught inside a later-cancelled scope does not escape it")
    func escapingCancelledErrorFromCancelledTask() async throws {
        let scope = CancelScope()
        var reachedEnd = false
        try await withCancelScope(scope) { scope in
            try await moveOnAfter(.milliseconds(10)) { _ in
                try await sleep(for: .seconds(30))
            }
            scope.cancel()
            reachedEnd = true
        }
        #expect(reachedEnd)
        #expect(scope.cancelCalled)
        #expect(!scope.cancelledCaught)
    }
    // anyio: tests/test_taskgroups.py::test_escaping_cancelled_error_from_cancelled_task

    // MARK: - Deadlines (C3, C5, C7, C11)

    @Test("a deadline fires near its time and sets cancelCalled and the reason \"deadline\"")
    func deadlineFires() async throws {
        let start = currentTime()
        let scope = CancelScope(deadline: start + .milliseconds(50))
        #expect(!scope.cancelCalled)
        let result: Void? = try await withCancelScope(scope) { _ in
            try await sleep(for: .seconds(30))
        }
        #expect(result == nil)
        #expect(scope.cancelCalled)
        #expect(scope.cancelledCaught)
        #expect(scope.cancelReason == "deadline")
        #expect(currentTime() - start == .milliseconds(50))
    }
    // spec: C3, C11

    @Test("setting a past deadline after entry cancels at once")
    func pastDeadlineSetAfterEntry() async throws {
        var cancelCalledBefore: Bool?
        var cancelCalledAfter: Bool?
        var isCancelledAfter: Bool?
        var reached = false
        let scope = CancelScope()
        let result: Void? = try await withCancelScope(scope) { scope in
            cancelCalledBefore = scope.cancelCalled
            scope.deadline = currentTime() - .seconds(1)
            cancelCalledAfter = scope.cancelCalled
            isCancelledAfter = Task.isCancelled
            try await LowLevel.checkpoint()
            reached = true
        }
        #expect(result == nil)
        #expect(cancelCalledBefore == false)
        #expect(cancelCalledAfter == true)
        #expect(isCancelledAfter == true)
        #expect(!reached)
        #expect(scope.cancelReason == "deadline")
    }
    // spec: C3

    @Test("setting a future deadline after entry makes it fire")
    func futureDeadlineSetAfterEntry() async throws {
        let scope = CancelScope()
        let (result, elapsed) = await testTimed {
            try await withCancelScope(scope) { scope in
                scope.deadline = currentTime() + .milliseconds(50)
                try await sleep(for: .seconds(30))
            }
        }
        #expect(throws: Never.self) { try result.get() }
        #expect(scope.cancelCalled)
        #expect(scope.cancelledCaught)
        #expect(elapsed < .seconds(5))
    }
    // spec: C3

    @Test("a deadline that passes after the body's last checkpoint leaves the result intact")
    func deadlineAfterLastCheckpoint() async throws {
        let deadline = currentTime() + .milliseconds(200)
        let scope = CancelScope(deadline: deadline)
        let result: Int? = try await withCancelScope(scope) { _ in
            try await LowLevel.checkpoint()
            // Let the deadline pass without another checkpoint.
            let clock = try #require(MockClock.current)
            clock.advance(by: .milliseconds(230))
            #expect(clock.now > deadline)
            return 7
        }
        #expect(result == 7)
        #expect(!scope.cancelledCaught)
    }
    // spec: C5

    @Test("currentEffectiveDeadline is the earliest enclosing deadline up to the nearest shield")
    func effectiveDeadline() async throws {
        #expect(currentEffectiveDeadline() == nil)
        let near = currentTime() + .seconds(20)
        let far = currentTime() + .seconds(40)
        var inNoDeadline: ContinuousClock.Instant? = .now
        var inFar: ContinuousClock.Instant?
        var inNearInsideFar: ContinuousClock.Instant?
        var inFarInsideNear: ContinuousClock.Instant?
        var inShield: ContinuousClock.Instant? = .now
        var inShieldWithOwn: ContinuousClock.Instant?
        try await withCancelScope { _ in
            inNoDeadline = currentEffectiveDeadline()
        }
        try await withCancelScope(deadline: far) { _ in
            inFar = currentEffectiveDeadline()
            try await withCancelScope(deadline: near) { _ in
                inNearInsideFar = currentEffectiveDeadline()
                try await withCancelScope(deadline: far) { _ in
                    inFarInsideNear = currentEffectiveDeadline()
                }
                try await withCancelScope(shield: true) { _ in
                    inShield = currentEffectiveDeadline()
                    try await withCancelScope(deadline: far) { _ in
                        inShieldWithOwn = currentEffectiveDeadline()
                    }
                }
            }
        }
        #expect(inNoDeadline == nil)
        #expect(inFar == far)
        #expect(inNearInsideFar == near)
        #expect(inFarInsideNear == near)
        #expect(inShield == nil)
        #expect(inShieldWithOwn == far)
    }
    // spec: C7

    @Test("a shield hides the enclosing deadline")
    func shieldedDeadline() async throws {
        var remaining: Duration?
        try await moveOnAfter(.seconds(10)) { _ in
            try await withCancelScope(shield: true) { _ in
                try await moveOnAfter(.seconds(1000)) { _ in
                    remaining = try #require(currentEffectiveDeadline()) - currentTime()
                    try await LowLevel.checkpoint()
                }
            }
        }
        #expect(remaining.map { $0 > .seconds(900) } == true)
    }
    // anyio: tests/test_taskgroups.py::test_shielded_deadline

    @Test("a shielded timeout sleeps its full time when the outer nursery is cancelled")
    func shieldedTimeoutIgnoresOuterCancel() async throws {
        var completed = false
        let start = currentTime()
        let (result, _) = await testTimed {
            try await withNursery { nursery in
                nursery.cancel()
                try await moveOnAfter(.seconds(10), shield: true) { _ in
                    try await sleep(for: .milliseconds(50))
                    completed = true
                }
            }
        }
        #expect(throws: Never.self) { try result.get() }
        #expect(completed)
        #expect(currentTime() - start == .milliseconds(50))
    }
    // anyio: tests/test_taskgroups.py::test_shielded_cancel_sleep_time (shield variant)
}

// The real clock's timer (`DeadlineTimer`) and `Task.sleep`, with generous margins: short
// deadlines (tens of milliseconds) against multi-second upper bounds.
@Suite("Timeouts on the real clock", .timeLimit(.minutes(1)))
struct TimeoutRealClockTests {
    @Test("a deadline fires near its time and sets cancelCalled and the reason \"deadline\"")
    func deadlineFires() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let scope = CancelScope(deadline: start + .milliseconds(50))
        let result: Void? = try await withCancelScope(scope) { _ in
            try await sleep(for: .seconds(30))
        }
        let elapsed = start.duration(to: clock.now)
        #expect(result == nil)
        #expect(scope.cancelCalled)
        #expect(scope.cancelledCaught)
        #expect(scope.cancelReason == "deadline")
        #expect(elapsed >= .milliseconds(40))
        #expect(elapsed < .seconds(5))
    }
    // spec: C3, C11

    @Test("failAfter throws TimeoutError when its deadline passes, and a shielded sleep runs its time")
    func failAfterAndShieldedSleep() async throws {
        let (result, elapsed) = await testTimed {
            try await failAfter(.milliseconds(50)) { _ -> Void in try await sleep(for: .seconds(30)) }
        }
        #expect(throws: TimeoutError.self) { try result.get() }
        #expect(elapsed >= .milliseconds(40))
        #expect(elapsed < .seconds(5))
        let (slept, sleptFor) = await testTimed {
            try await withNursery { nursery in
                nursery.cancel()
                try await moveOnAfter(.seconds(10), shield: true) { _ in try await sleep(for: .milliseconds(50)) }
            }
        }
        #expect(throws: Never.self) { try slept.get() }
        #expect(sleptFor >= .milliseconds(40))
        #expect(sleptFor < .seconds(5))
    }
    // anyio: tests/test_taskgroups.py::test_fail_after, test_shielded_cancel_sleep_time
}
