//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

@Suite("Native interop", .timeLimit(.minutes(1)))
struct NativeInteropTests {
    // MARK: - Native APIs inside library scopes (§1)

    @Test("Task.sleep inside a scope cancelled from another task is interrupted")
    func taskSleepInterruptedByScopeCancel() async throws {
        let entered = TestBox<CancelScope?>(nil)
        var outcome: (result: Result<Void?, any Error>, elapsed: Duration)?
        try await withNursery { nursery in
            nursery.startSoon {
                try await testWaitUntil("the scope is entered") { entered.value != nil }
                entered.value?.cancel()
            }
            outcome = await testTimed {
                try await withCancelScope { scope in
                    entered.value = scope
                    try await Task.sleep(for: .seconds(30))
                }
            }
        }
        let result = try #require(outcome)
        #expect(throws: Never.self) { try result.result.get() }
        #expect(testIsNilValue(result.result))
        #expect(result.elapsed < .seconds(5))
        #expect(entered.value?.cancelledCaught == true)
    }
    // spec: §1 (native APIs honour scope cancellation)

    @Test("Task.sleep inside an already-cancelled scope throws at once")
    func taskSleepInCancelledScope() async throws {
        var isCancelled: Bool?
        let (result, elapsed) = await testTimed {
            try await withCancelScope { scope in
                scope.cancel()
                isCancelled = Task.isCancelled
                try await Task.sleep(for: .seconds(30))
            }
        }
        #expect(testIsNilValue(result))
        #expect(isCancelled == true)
        #expect(elapsed < .seconds(5))
    }
    // spec: §1

    @Test("Task.sleep inside moveOnAfter is interrupted by the deadline")
    func taskSleepInterruptedByDeadline() async throws {
        let (result, elapsed) = await testTimed {
            try await moveOnAfter(.milliseconds(50)) { _ in
                try await Task.sleep(for: .seconds(30))
            }
        }
        #expect(testIsNilValue(result))
        #expect(elapsed >= .milliseconds(40))
        #expect(elapsed < .seconds(5))
    }
    // spec: §1

    @Test("withTaskCancellationHandler's handler runs when the enclosing scope is cancelled")
    func cancellationHandlerRuns() async throws {
        let handlerRan = TestBox(false)
        let gate = TestGate()
        let scopeBox = TestBox<CancelScope?>(nil)
        try await withNursery { nursery in
            nursery.startSoon {
                try await testWaitUntil("the waiter is suspended") { gate.waiterCount == 1 }
                scopeBox.value?.cancel()
            }
            try await withCancelScope { scope in
                scopeBox.value = scope
                try await withTaskCancellationHandler {
                    try await gate.wait()
                } onCancel: {
                    handlerRan.value = true
                }
            }
        }
        #expect(handlerRan.value)
        #expect(!gate.isOpen)
        #expect(scopeBox.value?.cancelledCaught == true)
    }
    // spec: §1

    @Test("AsyncStream iteration inside a timed-out scope ends")
    func asyncStreamIterationEnds() async throws {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        var loopEnded = false
        let (_, elapsed) = await testTimed {
            try await moveOnAfter(.milliseconds(50)) { _ in
                for await _ in stream {}
                loopEnded = true
            }
        }
        continuation.finish()
        #expect(loopEnded)
        #expect(elapsed < .seconds(5))
    }
    // spec: §1

    // MARK: - Native cancellation of the task running a scope (§1, C4)

    @Test("cancelling the Swift task cancels the nursery inside it")
    func nativeCancelCancelsNursery() async throws {
        let childBlocked = TestBox(false)
        let childCancelled = TestBox(false)
        let bodyCancelled = TestBox(false)
        let task = Task {
            try await withNursery { nursery in
                nursery.startSoon {
                    do {
                        childBlocked.value = true
                        try await sleepForever()
                    } catch let error as CancellationError {
                        childCancelled.value = true
                        throw error
                    }
                }
                do {
                    try await sleepForever()
                } catch let error as CancellationError {
                    bodyCancelled.value = true
                    throw error
                }
            }
        }
        try await testWaitUntil("the child is blocked") { childBlocked.value }
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(childCancelled.value)
        #expect(bodyCancelled.value)
    }
    // anyio: tests/test_taskgroups.py::test_propagate_native_cancellation_from_taskgroup

    @Test("cancelling the Swift task cancels a scope inside it, which does not catch it")
    func nativeCancelCancelsScope() async throws {
        let scopeBox = TestBox<CancelScope?>(nil)
        let isCancelledAfter = TestBox<Bool?>(nil)
        let task = Task {
            try await withCancelScope { scope -> Void in
                scopeBox.value = scope
                do {
                    try await sleepForever()
                } catch {
                    isCancelledAfter.value = Task.isCancelled
                    throw error
                }
            }
        }
        try await testWaitUntil("the scope is entered") { scopeBox.value != nil }
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(isCancelledAfter.value == true)
        #expect(scopeBox.value?.cancelCalled == false)
        #expect(scopeBox.value?.cancelledCaught == false)
    }
    // anyio: tests/test_taskgroups.py::TestUncancel::test_uncancel_after_native_cancel

    @Test("a natively cancelled task's checkpoint throws and its scopes do not swallow it")
    func cleanupAfterNativeCancel() async throws {
        let task = Task { () -> Bool in
            withUnsafeCurrentTask { $0?.cancel() }
            var scopeReturned = false
            do {
                try await withCancelScope { _ in
                    try await LowLevel.checkpoint()
                }
                scopeReturned = true
            } catch is CancellationError {
                return !scopeReturned
            }
            return false
        }
        #expect(try await task.value)
    }
    // anyio: tests/test_taskgroups.py::test_cleanup_after_native_cancel
    // anyio: tests/test_taskgroups.py::TestUncancel::test_uncancel_after_scope_and_native_cancel

    @Test("cancelling the Swift task running start cancels the child before started")
    func nativeCancelDuringStart() async throws {
        let started = TestBox(false)
        let finished = TestBox(false)
        let task = Task {
            try await withNursery { nursery in
                try await nursery.start { (status: consuming TaskStatus<Void>) in
                    started.value = true
                    try await sleep(for: .seconds(30))
                    finished.value = true
                    status.started()
                }
            }
        }
        try await testWaitUntil("the child is running") { started.value }
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(started.value)
        #expect(!finished.value)
    }
    // anyio: tests/test_taskgroups.py::test_start_native_host_cancelled

    @Test("a cancelled parent task group cancels a nursery in its child task")
    func cancelledTaskGroupCancelsNursery() async throws {
        let childBlocked = TestBox(false)
        let childCancelled = TestBox(false)
        let nurseryError = TestBox<(any Error)?>(nil)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await withNursery { nursery in
                        nursery.startSoon {
                            do {
                                childBlocked.value = true
                                try await sleepForever()
                            } catch let error as CancellationError {
                                childCancelled.value = true
                                throw error
                            }
                        }
                        try await sleepForever()
                    }
                } catch {
                    nurseryError.value = error
                }
            }
            try? await testWaitUntil("the child is blocked") { childBlocked.value }
            group.cancelAll()
        }
        #expect(childCancelled.value)
        #expect(nurseryError.value is CancellationError)
    }
    // spec: §1 (a cancelled parent task group)

    @Test("a shield inside a natively cancelled task lets Task.sleep complete", arguments: [true, false])
    func shieldInNativelyCancelledTask(cancelBeforeShield: Bool) async throws {
        let inShield = TestBox(false)
        let cancelled = TestBox(false)
        let isCancelledInShield = TestBox<Bool?>(nil)
        let sleepCompleted = TestBox(false)
        let isCancelledAfterShield = TestBox<Bool?>(nil)
        let checkpointAfterShieldThrew = TestBox(false)
        let task = Task {
            if cancelBeforeShield {
                try await testWaitUntil("the task is cancelled") { Task.isCancelled }
            }
            try await withCancelScope(shield: true) { _ in
                inShield.value = true
                if !cancelBeforeShield {
                    try await testWaitUntil("the task is cancelled") { cancelled.value }
                }
                isCancelledInShield.value = Task.isCancelled
                try await Task.sleep(for: .milliseconds(20))
                sleepCompleted.value = true
            }
            isCancelledAfterShield.value = Task.isCancelled
            do {
                try await LowLevel.checkpoint()
            } catch is CancellationError {
                checkpointAfterShieldThrew.value = true
            }
        }
        if !cancelBeforeShield {
            try await testWaitUntil("the task is in its shield") { inShield.value }
        }
        task.cancel()
        cancelled.value = true
        try await task.value
        #expect(isCancelledInShield.value == false)
        #expect(sleepCompleted.value)
        #expect(isCancelledAfterShield.value == true)
        #expect(checkpointAfterShieldThrew.value)
    }
    // spec: §1, C4
    // anyio: tests/test_taskgroups.py::test_cancel_shielding_start (native variant)

    // MARK: - Isolation (N1)

    @Test("@MainActor callers can touch main-actor state in scope and nursery bodies")
    @MainActor
    func mainActorBodies() async throws {
        let state = TestMainActorState()
        // The main actor's executor is the main dispatch queue; on Linux, once `dispatch_main()`
        // runs, that queue is drained by a worker thread, so the OS thread is not the check:
        // isolation is (a violation traps here, failing the run).
        var onMainThread: [Bool] = []
        func onMainActor() -> Bool {
            MainActor.preconditionIsolated("a body ran off the main actor")
            return true
        }
        let value = try await withNursery { nursery -> Int in
            state.counter += 1
            onMainThread.append(onMainActor())
            try await LowLevel.checkpoint()
            state.counter += 1
            onMainThread.append(onMainActor())
            try await withCancelScope { _ in
                state.counter += 1
                try await LowLevel.checkpoint()
                onMainThread.append(onMainActor())
            }
            try await moveOnAfter(.seconds(30)) { _ in
                state.counter += 1
                try await sleep(for: .milliseconds(1))
                onMainThread.append(onMainActor())
            }
            try await failAfter(.seconds(30)) { _ in
                state.counter += 1
                try await LowLevel.checkpoint()
                onMainThread.append(onMainActor())
            }
            nursery.startSoon { @MainActor in state.log.append("child") }
            let counter = state.counter
            let started = try await nursery.start { (status: consuming TaskStatus<Int>) in
                status.started(counter)
            }
            onMainThread.append(onMainActor())
            return started
        }
        #expect(value == 5)
        #expect(state.counter == 5)
        #expect(state.log == ["child"])
        #expect(onMainThread == [Bool](repeating: true, count: 6))
    }
    // spec: N1
}
