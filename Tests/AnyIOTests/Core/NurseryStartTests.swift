//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Testing

@testable import AnyIO

/// A task function written for `start` that can also be called directly with
/// `TaskStatus.ignored`.
private func testServe(_ status: consuming TaskStatus<Int>, log: TestBox<[String]>) async throws {
    log.append("before started")
    status.started(5)
    try await LowLevel.checkpoint()
    log.append("after started")
}

@Suite("Nursery.start", .timeLimit(.minutes(1)))
struct NurseryStartTests {
    // MARK: - The handshake (N7)

    @Test("start returns once the child calls started()")
    func startNoValue() async throws {
        let ran = TestBox(false)
        var returned = false
        try await withNursery { nursery in
            try await nursery.start { (status: consuming TaskStatus<Void>) in
                ran.value = true
                status.started()
            }
            returned = true
        }
        #expect(ran.value)
        #expect(returned)
    }
    // anyio: tests/test_taskgroups.py::test_start_no_value

    @Test("start returns the value passed to started")
    func startWithValue() async throws {
        try await withNursery { nursery in
            let value = try await nursery.start { (status: consuming TaskStatus<String>) in
                status.started("foo")
            }
            #expect(value == "foo")
        }
    }
    // anyio: tests/test_taskgroups.py::test_start_with_value

    @Test("start waits for started, then the nursery waits for the child")
    func startThenNurseryWaits() async throws {
        let release = TestGate()
        let finished = TestBox(false)
        var finishedWhenStartReturned: Bool?
        try await withNursery { nursery in
            let value = try await nursery.start { (status: consuming TaskStatus<Int>) in
                try await LowLevel.checkpoint()
                status.started(1)
                try await release.wait()
                finished.value = true
            }
            #expect(value == 1)
            finishedWhenStartReturned = finished.value
            release.open()
        }
        #expect(finishedWhenStartReturned == false)
        #expect(finished.value)
    }
    // trio: src/trio/_core/_tests/test_run.py::test_nursery_start

    @Test("an error thrown before started is thrown by start itself, unwrapped, and the nursery goes on")
    func startCrashBeforeStarted() async throws {
        let siblingFinished = TestBox(false)
        var scope: CancelScope?
        try await withNursery { nursery in
            scope = nursery.cancelScope
            let error = await #expect(throws: TestError.self) {
                try await nursery.start { (_: consuming TaskStatus<Int>) in
                    throw TestError("foo")
                }
            }
            #expect(error == TestError("foo"))
            #expect(!nursery.cancelScope.cancelCalled)
            nursery.startSoon {
                try await LowLevel.checkpoint()
                siblingFinished.value = true
            }
        }
        #expect(siblingFinished.value)
        #expect(scope?.cancelCalled == false)
    }
    // anyio: tests/test_taskgroups.py::test_start_crash_before_started_call
    // trio: python-trio/trio#2611

    @Test("an ErrorGroup thrown before started comes out of start as is, not wrapped again")
    func startErrorGroupBeforeStarted() async throws {
        try await withNursery { nursery in
            let group = await #expect(throws: ErrorGroup.self) {
                try await nursery.start { (status: consuming TaskStatus<Void>) in
                    try await withNursery { inner in
                        inner.startSoon { () async throws -> Void in throw TestError("inner") }
                    }
                    status.started()
                }
            }
            #expect(group?.errors.count == 1)
            #expect(group?.errors.first as? TestError == TestError("inner"))
        }
    }
    // trio: src/trio/_core/_tests/test_run.py::test_trio_run_strict_before_started (python-trio/trio#2611)

    @Test("an error thrown after started fails the nursery, and start still returned the value")
    func startCrashAfterStarted() async throws {
        var value: Int?
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                value = try await nursery.start { (status: consuming TaskStatus<Int>) in
                    status.started(2)
                    throw TestError("foo")
                }
            }
        }
        #expect(group?.errors.count == 1)
        #expect(group?.errors.first as? TestError == TestError("foo"))
        #expect(value == 2)
    }
    // anyio: tests/test_taskgroups.py::test_start_crash_after_started_call

    @Test("a child that returns without calling started makes start throw StartError")
    func startNoStartedCall() async throws {
        try await withNursery { nursery in
            await #expect(throws: StartError.self) {
                try await nursery.start { (_: consuming TaskStatus<Void>) in }
            }
            #expect(!nursery.cancelScope.cancelCalled)
        }
    }
    // anyio: tests/test_taskgroups.py::test_start_no_started_call

    @Test("TaskStatus.ignored lets a start function be called directly")
    func taskStatusIgnored() async throws {
        let direct = TestBox<[String]>([])
        try await testServe(.ignored, log: direct)
        #expect(direct.value == ["before started", "after started"])

        let started = TestBox<[String]>([])
        try await withNursery { nursery in
            let value = try await nursery.start { (status: consuming TaskStatus<Int>) in
                try await testServe(status, log: started)
            }
            #expect(value == 5)
        }
        #expect(started.value == ["before started", "after started"])
    }
    // trio: src/trio/_core/_tests/test_run.py::test_nursery_start (TASK_STATUS_IGNORED)

    @Test("Optional(consume status) + take() reports readiness from a scope body at most once")
    func startedFromScopeBodyWithTake() async throws {
        // Calling `started` twice on one path does not compile (TaskStatus is
        // ~Copyable and `started` is consuming), so AnyIO's runtime error "called
        // 'started' twice on the same task status" cannot be a runtime test. This
        // checks the documented idiom that keeps "at most once" inside closures.
        let first = TestBox<Bool?>(nil)
        let second = TestBox<Bool?>(false)
        try await withNursery { nursery in
            let value = try await nursery.start { (status: consuming TaskStatus<Int>) in
                var status = Optional(consume status)
                try await withCancelScope { _ in
                    first.value = status.take()?.started(42)
                    second.value = status.take()?.started(43)
                }
            }
            #expect(value == 42)
        }
        #expect(first.value == true)
        #expect(second.value == nil)
    }
    // anyio: tests/test_taskgroups.py::test_start_called_twice
    // anyio: tests/test_taskgroups.py::test_start_sync_wrapper_called_twice

    @Test("a pre-made CancelScope handed out through started cancels the child's scope")
    func startedWithPremadeScope() async throws {
        let exitedScope = TestBox(false)
        var scope: CancelScope?
        try await withNursery { nursery in
            let childScope = try await nursery.start { (status: consuming TaskStatus<CancelScope>) in
                let scope = CancelScope()
                status.started(scope)
                try await withCancelScope(scope) { _ in
                    try await sleepForever()
                }
                exitedScope.value = true
            }
            scope = childScope
            childScope.cancel()
        }
        #expect(exitedScope.value)
        #expect(scope?.cancelledCaught == true)
    }
    // trio: python-trio/trio#2544 (the pattern it asks for)

    // MARK: - Before started, the child runs under the caller's scopes (N7)

    @Test("start in a cancelled nursery: the child starts, is cancelled, and start throws CancellationError")
    func startCancelled() async throws {
        let started = TestBox(false)
        let finished = TestBox(false)
        var startError: (any Error)?
        try await withNursery { nursery in
            nursery.cancel()
            do {
                try await nursery.start { (status: consuming TaskStatus<Void>) in
                    started.value = true
                    try await sleep(for: .seconds(30))
                    finished.value = true
                    status.started()
                }
            } catch {
                startError = error
                throw error
            }
        }
        #expect(started.value)
        #expect(!finished.value)
        #expect(startError is CancellationError)
    }
    // anyio: tests/test_taskgroups.py::test_start_cancelled
    // anyio: tests/test_taskgroups.py::test_no_called_started_twice

    @Test("start in a cancelled caller scope cancels the child, not the nursery")
    func startCancelsParentScope() async throws {
        let started = TestBox(false)
        var innerScope: CancelScope?
        var nurseryScope: CancelScope?
        try await withNursery { nursery in
            nurseryScope = nursery.cancelScope
            try await withCancelScope { scope in
                innerScope = scope
                scope.cancel()
                try await nursery.start { (_: consuming TaskStatus<Void>) in
                    started.value = true
                    try await sleepForever()
                }
            }
        }
        #expect(started.value)
        #expect(nurseryScope?.cancelCalled == false)
        #expect(innerScope?.cancelledCaught == true)
    }
    // anyio: tests/test_taskgroups.py::test_start_cancels_parent_scope

    @Test("failAfter around start bounds initialization only")
    func failAfterBoundsInitialization() async throws {
        let deadlineBefore = TestBox<ContinuousClock.Instant?>(nil)
        let deadlineAfter = TestBox<ContinuousClock.Instant?>(.now)
        let finished = TestBox(false)
        var failScope: CancelScope?
        // A generous deadline: start must return well within it, also under Thread Sanitizer on a
        // loaded machine (500 ms was not always enough there). After started, the child
        // outlives it, which it can only do if it left failAfter's scope.
        let outcome = await testTimed {
            try await withNursery { nursery in
                try await failAfter(.seconds(3)) { scope in
                    failScope = scope
                    try await nursery.start { (status: consuming TaskStatus<Void>) in
                        let deadline = currentEffectiveDeadline()
                        deadlineBefore.value = deadline
                        status.started()
                        deadlineAfter.value = currentEffectiveDeadline()
                        try await sleep(until: (deadline ?? .now) + .milliseconds(200))
                        finished.value = true
                    }
                }
            }
        }
        #expect(throws: Never.self) { try outcome.result.get() }
        #expect(deadlineBefore.value != nil)
        #expect(deadlineBefore.value == failScope?.deadline)
        #expect(deadlineAfter.value == nil)
        #expect(finished.value)
        #expect(failScope?.cancelledCaught == false)
    }
    // spec: N7

    @Test("failAfter around start times out a child that never calls started", .anyIO(clock: .mock(autojump: .zero)))  // virtual time: the timeout fires at once
    func failAfterAroundStartTimesOut() async throws {
        let childCancelled = TestBox(false)
        var nurseryScope: CancelScope?
        try await withNursery { nursery in
            nurseryScope = nursery.cancelScope
            await #expect(throws: TimeoutError.self) {
                try await failAfter(.milliseconds(50)) { _ in
                    try await nursery.start { (_: consuming TaskStatus<Void>) in
                        do {
                            try await sleepForever()
                        } catch let error as CancellationError {
                            childCancelled.value = true
                            throw error
                        }
                    }
                }
            }
        }
        #expect(childCancelled.value)
        #expect(nurseryScope?.cancelCalled == false)
    }
    // spec: N7

    @Test("cancelling the caller of start cancels the child before started")
    func cancellingCallerCancelsChild() async throws {
        let childBlocked = TestBox(false)
        let childCancelled = TestBox(false)
        var startError: (any Error)?
        var nurseryScope: CancelScope?
        try await withNursery { nursery in
            nurseryScope = nursery.cancelScope
            let callerScope = CancelScope()
            nursery.startSoon {
                try await testWaitUntil("the child is blocked") { childBlocked.value }
                callerScope.cancel()
            }
            let result: Void? = try await withCancelScope(callerScope) { _ in
                do {
                    try await nursery.start { (_: consuming TaskStatus<Void>) in
                        do {
                            childBlocked.value = true
                            try await sleepForever()
                        } catch let error as CancellationError {
                            childCancelled.value = true
                            throw error
                        }
                    }
                } catch {
                    startError = error
                    throw error
                }
            }
            #expect(result == nil)
        }
        #expect(childCancelled.value)
        #expect(startError is CancellationError)
        #expect(nurseryScope?.cancelCalled == false)
    }
    // anyio: tests/test_taskgroups.py::test_start_native_host_cancelled (scope variant)

    @Test("a failing sibling of the caller cancels a pending start")
    func startCancelAfterError() async throws {
        let startChildBlocked = TestBox(false)
        let sleepCompleted = TestBox(false)
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { outer in
                try await withNursery { inner in
                    inner.startSoon { () async throws -> Void in
                        try await testWaitUntil("the start child is blocked") { startChildBlocked.value }
                        throw TestError("this should cancel the start call")
                    }
                    try await outer.start { (status: consuming TaskStatus<Void>) in
                        startChildBlocked.value = true
                        try await sleep(for: .seconds(30))
                        sleepCompleted.value = true
                        status.started()
                    }
                }
            }
        }
        #expect(group?.errors.count == 1)
        let inner = group?.errors.first as? ErrorGroup
        #expect(inner?.errors.count == 1)
        #expect(inner?.errors.first as? TestError == TestError("this should cancel the start call"))
        #expect(!sleepCompleted.value)
    }
    // anyio: tests/test_taskgroups.py::test_start_cancel_after_error

    // MARK: - started after cancellation (N7; trio #2895, #1431, #2544)

    @Test(
        "started after the start call was cancelled returns false; the caller sees plain cancellation",
        arguments: [true, false]
    )
    func startedAfterStartCancelled(childRethrows: Bool) async throws {
        let childBlocked = TestBox(false)
        let startedResult = TestBox<Bool?>(nil)
        let nextCheckpointThrew = TestBox(false)
        var startError: (any Error)?
        var nurseryScope: CancelScope?
        try await withNursery { nursery in
            nurseryScope = nursery.cancelScope
            let callerScope = CancelScope()
            nursery.startSoon {
                try await testWaitUntil("the child is blocked") { childBlocked.value }
                callerScope.cancel()
            }
            try await withCancelScope(callerScope) { _ in
                do {
                    _ = try await nursery.start { (status: consuming TaskStatus<Int>) in
                        do {
                            childBlocked.value = true
                            try await sleepForever()
                        } catch is CancellationError {
                            // Ctrl+C: the child reports readiness from its catch block.
                            startedResult.value = status.started(5)
                            do {
                                try await LowLevel.checkpoint()
                            } catch {
                                nextCheckpointThrew.value = true
                                if childRethrows { throw error }
                            }
                        }
                    }
                } catch {
                    startError = error
                    throw error
                }
            }
        }
        #expect(startedResult.value == false)
        #expect(nextCheckpointThrew.value)
        #expect(startError is CancellationError, "start threw \(String(describing: startError))")
        #expect(nurseryScope?.cancelCalled == false)
    }
    // trio: python-trio/trio#2895
    // spec: N7 (started after start was cancelled)

    @Test("started in a child whose caller is already cancelled returns false, even before any checkpoint")
    func startedWithCancelledCallerReturnsFalse() async throws {
        let startedResult = TestBox<Bool?>(nil)
        var startError: (any Error)?
        var returned: String?
        try await withNursery { nursery in
            try await withCancelScope { scope in
                scope.cancel()
                do {
                    returned = try await nursery.start { (status: consuming TaskStatus<String>) in
                        startedResult.value = status.started("hi")
                    }
                } catch {
                    startError = error
                    throw error
                }
            }
        }
        #expect(startedResult.value == false)
        #expect(startError is CancellationError, "start threw \(String(describing: startError))")
        #expect(returned == nil)
    }
    // trio: src/trio/_core/_tests/test_run.py::test_nursery_start (started_with_no_checkpoint; SPEC N7 differs from trio)

    @Test("an error thrown after a no-op started still comes out of start")
    func errorAfterNoOpStarted() async throws {
        let startedResult = TestBox<Bool?>(nil)
        try await withNursery { nursery in
            try await withCancelScope { scope in
                scope.cancel()
                let error = await #expect(throws: TestError.self) {
                    try await nursery.start { (status: consuming TaskStatus<Void>) in
                        startedResult.value = status.started()
                        throw TestError("whoopsiedaisy")
                    }
                }
                #expect(error == TestError("whoopsiedaisy"))
            }
            #expect(!nursery.cancelScope.cancelCalled)
        }
        #expect(startedResult.value == false)
    }
    // trio: src/trio/_core/_tests/test_run.py::test_nursery_start (raise_keyerror_after_started)

    @Test("the caller's cancellation wins when it runs in the cancelled target nursery's body")
    func callerCancellationWinsInTargetBody() async throws {
        let startedResult = TestBox<Bool?>(nil)
        let childRan = TestBox(false)
        var startError: (any Error)?
        try await withNursery { nursery in
            nursery.cancel()
            do {
                _ = try await nursery.start { (status: consuming TaskStatus<Int>) in
                    childRan.value = true
                    startedResult.value = status.started(1)
                }
            } catch {
                startError = error
                throw error
            }
        }
        #expect(childRan.value)
        #expect(startedResult.value == false)
        #expect(startError is CancellationError, "start threw \(String(describing: startError))")
    }
    // spec: N7 (target nursery cancelled, caller in its body)

    @Test("started into an already-cancelled target nursery moves the child; start returns the value")
    func startedIntoCancelledTarget() async throws {
        let target = TestBox<Nursery?>(nil)
        let releaseTarget = TestGate()
        let startedResult = TestBox<Bool?>(nil)
        let cancelledInTarget = TestBox(false)
        var value: Int?
        try await withNursery { outer in
            outer.startSoon {
                try await withNursery { targetNursery in
                    target.value = targetNursery
                    // Keep the target open while the test starts into it.
                    try await withCancelScope(shield: true) { _ in
                        try await releaseTarget.wait()
                    }
                }
            }
            try await testWaitUntil("the target nursery is open") { target.value != nil }
            let targetNursery = try #require(target.value)
            targetNursery.cancel()
            value = try await targetNursery.start { (status: consuming TaskStatus<Int>) in
                startedResult.value = status.started(7)
                do {
                    try await LowLevel.checkpoint()
                } catch let error as CancellationError {
                    cancelledInTarget.value = true
                    throw error
                }
            }
            releaseTarget.open()
        }
        #expect(value == 7)
        #expect(startedResult.value == true)
        #expect(cancelledInTarget.value)
    }
    // trio: python-trio/trio#1431
    // spec: N7 (target nursery already cancelled)

    @Test(
        "moving sleeping grandchildren into a cancelled target nursery wakes and cancels them",
        arguments: [true, false]
    )
    func startWithCancelledNursery(cancelBeforeStarted: Bool) async throws {
        let target = TestBox<Nursery?>(nil)
        let releaseTarget = TestGate()
        let grandchildrenBlocked = TestBox(0)
        let grandchildrenCancelled = TestBox(0)
        let startedResult = TestBox<Bool?>(nil)
        try await withNursery { outer in
            outer.startSoon {
                try await withNursery { targetNursery in
                    target.value = targetNursery
                    try await withCancelScope(shield: true) { _ in
                        try await releaseTarget.wait()
                    }
                }
            }
            try await testWaitUntil("the target nursery is open") { target.value != nil }
            let targetNursery = try #require(target.value)
            try await targetNursery.start { (status: consuming TaskStatus<Void>) in
                var status = Optional(consume status)
                try await withNursery { inner in
                    for _ in 0..<2 {
                        inner.startSoon {
                            do {
                                grandchildrenBlocked.update { $0 += 1 }
                                try await sleepForever()
                            } catch let error as CancellationError {
                                grandchildrenCancelled.update { $0 += 1 }
                                throw error
                            }
                        }
                    }
                    try await testWaitUntil("both grandchildren are blocked") { grandchildrenBlocked.value == 2 }
                    if cancelBeforeStarted { targetNursery.cancel() }
                    startedResult.value = status.take()?.started()
                    if !cancelBeforeStarted { targetNursery.cancel() }
                }
            }
            releaseTarget.open()
        }
        #expect(startedResult.value == true)
        #expect(grandchildrenCancelled.value == 2)
    }
    // trio: src/trio/_core/_tests/test_run.py::test_nursery_start_with_cancelled_nursery

    @Test("a shielded child whose caller is cancelled: started returns false, the caller sees cancellation")
    func shieldedChildWithCancelledCaller() async throws {
        let nurseryCancelled = TestBox(false)
        let startedResult = TestBox<Bool?>(nil)
        let shieldedCheckpointPassed = TestBox(false)
        let checkpointAfterShieldThrew = TestBox(false)
        let childExited = TestBox(false)
        let callerError = TestBox<(any Error)?>(nil)
        let childExitedWhenStartThrew = TestBox<Bool?>(nil)
        try await withNursery { nursery in
            nursery.startSoon {
                do {
                    _ = try await nursery.start { (status: consuming TaskStatus<CancelScope>) in
                        var status = Optional(consume status)
                        try await withCancelScope(shield: true) { shieldScope in
                            try await testWaitUntil("the nursery is cancelled") { nurseryCancelled.value }
                            startedResult.value = status.take()?.started(shieldScope)
                            try await LowLevel.checkpoint()
                            shieldedCheckpointPassed.value = true
                        }
                        do {
                            try await LowLevel.checkpoint()
                        } catch let error as CancellationError {
                            checkpointAfterShieldThrew.value = true
                            childExited.value = true
                            throw error
                        }
                        childExited.value = true
                    }
                } catch {
                    callerError.value = error
                    childExitedWhenStartThrew.value = childExited.value
                    throw error
                }
            }
            nursery.cancel()
            nurseryCancelled.value = true
        }
        #expect(startedResult.value == false)
        #expect(shieldedCheckpointPassed.value)
        #expect(checkpointAfterShieldThrew.value)
        #expect(callerError.value is CancellationError, "start threw \(String(describing: callerError.value))")
        // The child was never moved, so it belonged to the caller until it ended.
        #expect(childExitedWhenStartThrew.value == true)
    }
    // trio: python-trio/trio#2544

    @Test("a shielded scope in a start child protects it from its cancelled caller")
    func cancelShieldingStart() async throws {
        let resume = TestGate()
        let childBlocked = TestBox(false)
        let shieldedWaitThrew = TestBox<Bool?>(nil)
        let checkpointAfterShieldThrew = TestBox(false)
        let outer = CancelScope()
        try await withCancelScope(outer) { _ in
            try await withNursery { nursery in
                nursery.startSoon {
                    try await nursery.start { (_: consuming TaskStatus<Void>) in
                        try await withCancelScope(shield: true) { _ in
                            do {
                                childBlocked.value = true
                                try await resume.wait()
                                shieldedWaitThrew.value = false
                            } catch {
                                shieldedWaitThrew.value = true
                            }
                        }
                        do {
                            try await LowLevel.checkpoint()
                        } catch let error as CancellationError {
                            checkpointAfterShieldThrew.value = true
                            throw error
                        }
                    }
                }
                try await testWaitUntil("the child is blocked") { childBlocked.value }
                outer.cancel()
                resume.open()
            }
        }
        #expect(shieldedWaitThrew.value == false)
        #expect(checkpointAfterShieldThrew.value)
        #expect(outer.cancelledCaught)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_shielding_start

    @Test("a child can turn its shield on before started and off after the nursery was cancelled")
    func shieldingMutate() async throws {
        let nurseryCancelled = TestBox(false)
        let completed = TestBox(false)
        let reachedEnd = TestBox(false)
        try await withNursery { nursery in
            try await nursery.start { (status: consuming TaskStatus<Void>) in
                var status = Optional(consume status)
                try await withCancelScope { scope in
                    try await LowLevel.checkpoint()
                    scope.shield = true
                    status.take()?.started()
                    try await testWaitUntil("the nursery is cancelled") { nurseryCancelled.value }
                    try await LowLevel.checkpoint()
                    completed.value = true
                    scope.shield = false
                    try await sleep(for: .seconds(30))
                }
                reachedEnd.value = true
            }
            nursery.cancel()
            nurseryCancelled.value = true
        }
        #expect(completed.value)
        #expect(!reachedEnd.value)
    }
    // anyio: tests/test_taskgroups.py::test_shielding_mutate

    // MARK: - Pending starts keep the target open

    @Test("a pending start keeps its target nursery open until the child is done")
    func startKeepsNurseryOpen() async throws {
        let release = TestGate()
        let bodyDone = TestBox(false)
        let childDone = TestBox(false)
        var childDoneWhenTargetClosed: Bool?
        try await withNursery { nursery1 in
            try await withNursery { nursery2 in
                nursery1.startSoon {
                    try await nursery2.start { (status: consuming TaskStatus<Void>) in
                        try await release.wait()
                        status.started()
                        try await LowLevel.checkpoint()
                        childDone.value = true
                    }
                }
                nursery1.startSoon {
                    try await testWaitUntil("nursery2's body is done") { bodyDone.value }
                    release.open()
                }
                try await testWaitUntil("the start child is waiting") { release.waiterCount == 1 }
                bodyDone.value = true
            }
            childDoneWhenTargetClosed = childDone.value
        }
        #expect(childDoneWhenTargetClosed == true)
    }
    // trio: src/trio/_core/_tests/test_run.py::test_nursery_start_keeps_nursery_open

    @Test("a pending start whose child crashes before started lets the target close normally")
    func startKeepsNurseryOpenThenCrash() async throws {
        let release = TestGate()
        let bodyDone = TestBox(false)
        let startError = TestBox<(any Error)?>(nil)
        try await withNursery { nursery1 in
            try await withNursery { nursery2 in
                nursery1.startSoon {
                    do {
                        try await nursery2.start { (_: consuming TaskStatus<Void>) in
                            try await release.wait()
                            throw TestError("crash before started")
                        }
                    } catch {
                        startError.value = error
                    }
                }
                nursery1.startSoon {
                    try await testWaitUntil("nursery2's body is done") { bodyDone.value }
                    release.open()
                }
                try await testWaitUntil("the start child is waiting") { release.waiterCount == 1 }
                bodyDone.value = true
            }
        }
        #expect(startError.value as? TestError == TestError("crash before started"))
    }
    // trio: src/trio/_core/_tests/test_run.py::test_nursery_start_keeps_nursery_open
}
