//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

@Suite("Nursery", .timeLimit(.minutes(1)))
struct NurseryTests {
    // MARK: - Running children (N1, N2)

    @Test("children run and the nursery waits for them")
    func success() async throws {
        let results = TestBox<Set<String>>([])
        try await withNursery { nursery in
            nursery.startSoon { results.update { _ = $0.insert("a") } }
            nursery.startSoon { results.update { _ = $0.insert("b") } }
        }
        #expect(results.value == ["a", "b"])
    }
    // anyio: tests/test_taskgroups.py::test_success

    @Test("withNursery returns the body's value only after every child has finished")
    func waitsForEveryChild() async throws {
        let finished = TestBox(0)
        let value = try await withNursery { nursery -> Int in
            for _ in 0..<10 {
                nursery.startSoon {
                    for _ in 0..<50 { await Task.yield() }
                    finished.update { $0 += 1 }
                }
            }
            return 42
        }
        #expect(value == 42)
        #expect(finished.value == 10)
    }
    // spec: N1

    @Test("a child can start another child in the same nursery")
    func startSoonWhileRunning() async throws {
        let ran = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                _ = nursery.startSoon { ran.value = true }
            }
        }
        #expect(ran.value)
    }
    // anyio: tests/test_taskgroups.py::test_start_soon_while_running

    @Test("startSoon never runs the child before it returns")
    @MainActor
    func startSoonIsNotEager() async throws {
        // The child is main-actor isolated, so it can only run once the body suspends,
        // unless startSoon ran it eagerly (synchronously) before returning.
        let state = TestMainActorState()
        try await withNursery { nursery in
            nursery.startSoon { @MainActor in state.log.append("child") }
            state.log.append("startSoon returned")
        }
        #expect(state.log == ["startSoon returned", "child"])
    }
    // anyio: tests/test_taskgroups.py::test_eager_task_factory

    @Test("a child started into an already-cancelled nursery starts and is cancelled at its first checkpoint")
    func childOfCancelledNurseryStarts() async throws {
        let started = TestBox(false)
        let passedCheckpoint = TestBox(false)
        try await withNursery { nursery in
            nursery.cancel()
            nursery.startSoon {
                started.value = true
                try await LowLevel.checkpoint()
                passedCheckpoint.value = true
            }
        }
        #expect(started.value)
        #expect(!passedCheckpoint.value)
    }
    // spec: N2

    @Test("a child cancelled before it first runs still starts, then stops at its checkpoint")
    @MainActor
    func cancelBeforeChildRuns() async throws {
        let state = TestMainActorState()
        try await withNursery { nursery in
            nursery.startSoon {
                try await state.logAround { try await LowLevel.checkpoint() }
            }
            #expect(state.log.isEmpty)
            nursery.cancel()
        }
        #expect(state.log == ["started"])
    }
    // anyio: tests/test_taskgroups.py::test_cancel

    @Test("cancellation is level-triggered for a running child")
    func levelCancellation() async throws {
        let marker = TestBox(0)
        let cancelled = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                marker.value = 1
                try await testWaitUntil("the nursery is cancelled") { cancelled.value }
                try await LowLevel.checkpoint()
                marker.value = 2
            }
            nursery.cancel()
            cancelled.value = true
        }
        #expect(marker.value == 1)
    }
    // anyio: tests/test_taskgroups.py::test_level_cancellation

    // MARK: - Cancelling the nursery (N4, N5, C11)

    @Test("nursery.cancel(reason:) cancels the body and records the reason")
    func cancelWithReason() async throws {
        var reason: String?
        var checkpointThrew = false
        try await withNursery { nursery in
            nursery.cancel(reason: "test reason")
            reason = nursery.cancelScope.cancelReason
            do {
                try await LowLevel.checkpoint()
            } catch is CancellationError {
                checkpointThrew = true
            }
        }
        #expect(reason == "test reason")
        #expect(checkpointThrew)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_with_reason

    @Test("after nursery.cancel() a Void body returns normally, a value body returns its value or throws")
    func escapingCancelledError() async throws {
        var voidReturned = false
        try await withNursery { nursery in
            nursery.cancel()
            try await LowLevel.checkpoint()
        }
        voidReturned = true
        #expect(voidReturned)

        let value = try await withNursery { nursery -> Int in
            nursery.cancel()
            return 5
        }
        #expect(value == 5)

        await #expect(throws: CancellationError.self) {
            try await withNursery { nursery -> Int in
                nursery.cancel()
                try await LowLevel.checkpoint()
                return 5
            }
        }
    }
    // anyio: tests/test_taskgroups.py::test_escaping_cancelled_exception

    @Test("cancelling a nursery cancels a nested nursery in a child, body and children")
    func cancelPropagation() async throws {
        let innerEntered = TestBox(false)
        let grandchildCancelled = TestBox(false)
        let reachedAfterInner = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                try await withNursery { inner in
                    inner.startSoon {
                        do {
                            try await sleepForever()
                        } catch let error as CancellationError {
                            grandchildCancelled.value = true
                            throw error
                        }
                    }
                    innerEntered.value = true
                    try await sleep(for: .seconds(30))
                }
                reachedAfterInner.value = true
            }
            try await testWaitUntil("the nested nursery is running") { innerEntered.value }
            nursery.cancel()
        }
        #expect(grandchildCancelled.value)
        #expect(!reachedAfterInner.value)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_propagation
    // anyio: tests/test_taskgroups.py::test_cancel_cascade
    // anyio: tests/test_taskgroups.py::test_cancel_propagation_with_inner_spawn

    @Test("the same task can be cancelled by two nurseries in turn")
    func cancelTwice() async throws {
        var rounds = 0
        for _ in 0..<2 {
            let hostBlocked = TestBox(false)
            var sleepCompleted = false
            try await withNursery { nursery in
                nursery.startSoon {
                    try await testWaitUntil("the host is blocked") { hostBlocked.value }
                    nursery.cancel()
                }
                hostBlocked.value = true
                try await sleep(for: .seconds(30))
                sleepCompleted = true
            }
            #expect(!sleepCompleted)
            rounds += 1
        }
        #expect(rounds == 2)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_twice

    @Test("cancelling reaches children of a nested nursery that is already waiting at its exit")
    func cancelExitingNursery() async throws {
        let waiterBlocked = TestBox(false)
        let cancelReceived = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                try await withNursery { inner in
                    inner.startSoon {
                        do {
                            waiterBlocked.value = true
                            try await sleep(for: .seconds(30))
                        } catch let error as CancellationError {
                            cancelReceived.value = true
                            throw error
                        }
                    }
                }
            }
            try await testWaitUntil("the waiter is blocked") { waiterBlocked.value }
            nursery.cancel()
        }
        #expect(cancelReceived.value)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_exiting_task_group

    @Test("a child's own cancel scope can be cancelled from the host without cancelling the nursery")
    func cancelScopeInAnotherTask() async throws {
        let childScope = TestBox<CancelScope?>(nil)
        let result = TestBox(false)
        var nurseryScope: CancelScope?
        try await withNursery { nursery in
            nurseryScope = nursery.cancelScope
            nursery.startSoon {
                try await withCancelScope { scope in
                    childScope.value = scope
                    try await sleep(for: .seconds(30))
                    result.value = true
                }
            }
            try await testWaitUntil("the child entered its scope") { childScope.value != nil }
            childScope.value?.cancel()
        }
        #expect(!result.value)
        #expect(childScope.value?.cancelledCaught == true)
        #expect(nurseryScope?.cancelCalled == false)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_scope_in_another_task
    // anyio: tests/test_taskgroups.py::test_cancel_scope_in_child_task

    @Test("entering and leaving an empty nursery in a cancelled scope is not a checkpoint")
    func cancelBeforeEnteringNursery() async throws {
        var leftNursery = false
        try await withCancelScope { scope in
            scope.cancel()
            try await withNursery { _ in }
            leftNursery = true
        }
        #expect(leftNursery)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_before_entering_task_group

    @Test("a cancellation from an enclosing scope leaves the nursery as a plain CancellationError")
    func singleCancellationFromOuterScope() async throws {
        var errorWasCancellation: Bool?
        let outer = CancelScope()
        try await withCancelScope(outer) { _ in
            do {
                try await withNursery { nursery in
                    let childBlocked = TestBox(false)
                    nursery.startSoon {
                        childBlocked.value = true
                        try await sleepForever()
                    }
                    try await testWaitUntil("the child is blocked") { childBlocked.value }
                    outer.cancel()
                    try await sleep(for: .seconds(30))
                }
            } catch {
                errorWasCancellation = error is CancellationError
                throw error
            }
        }
        #expect(errorWasCancellation == true)
        #expect(outer.cancelledCaught)
    }
    // anyio: tests/test_taskgroups.py::test_single_cancellation_exc

    @Test("a child started from a child into a cancelled nursery never raises its later error")
    func cancelledParent() async throws {
        let nurseryCancelled = TestBox(false)
        let grandchildRan = TestBox(false)
        let reachedThrow = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                try await testWaitUntil("the nursery is cancelled") { nurseryCancelled.value }
                nursery.startSoon {
                    grandchildRan.value = true
                    try await withCancelScope { _ in
                        try await sleep(for: .seconds(30))
                    }
                    reachedThrow.value = true
                    throw TestError("foo")
                }
            }
            nursery.cancel()
            nurseryCancelled.value = true
        }
        #expect(grandchildRan.value)
        #expect(!reachedThrow.value)
    }
    // anyio: tests/test_taskgroups.py::test_cancelled_parent

    @Test("a shielded host still sees its nursery's children cancelled by an outer scope")
    func cancelChildWhenHostIsShielded() async throws {
        let childCancelled = TestGate()
        let childBlocked = TestBox(false)
        let parent = CancelScope()
        try await withCancelScope(parent) { _ in
            try await withNursery { nursery in
                nursery.startSoon {
                    do {
                        childBlocked.value = true
                        try await sleepForever()
                    } catch let error as CancellationError {
                        childCancelled.open()
                        throw error
                    }
                }
                try await testWaitUntil("the child is blocked") { childBlocked.value }
                try await withCancelScope(shield: true) { _ in
                    try await failAfter(.seconds(5)) { _ in
                        parent.cancel()
                        try await childCancelled.wait()
                    }
                }
            }
        }
        #expect(childCancelled.isOpen)
        #expect(parent.cancelCalled)
        #expect(parent.cancelledCaught)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_child_task_when_host_is_shielded

    // MARK: - Errors (N3, N4, C11)

    @Test("a failing child cancels the host")
    func failingChildCancelsHost() async throws {
        let hostBlocked = TestBox(false)
        var sleepCompleted = false
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                nursery.startSoon {
                    try await testWaitUntil("the host is blocked") { hostBlocked.value }
                    throw TestError("foo")
                }
                hostBlocked.value = true
                try await sleep(for: .seconds(30))
                sleepCompleted = true
            }
        }
        #expect(group?.errors.count == 1)
        #expect(group?.errors.first as? TestError == TestError("foo"))
        #expect(!sleepCompleted)
    }
    // anyio: tests/test_taskgroups.py::test_failing_child_task_cancels_host

    @Test("a failing host cancels the children")
    func failingHostCancelsChildren() async throws {
        let childBlocked = TestBox(false)
        let childCancelled = TestBox(false)
        let sleepCompleted = TestBox(false)
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                nursery.startSoon {
                    do {
                        childBlocked.value = true
                        try await sleep(for: .seconds(30))
                    } catch let error as CancellationError {
                        childCancelled.value = true
                        throw error
                    }
                    sleepCompleted.value = true
                }
                try await testWaitUntil("the child is blocked") { childBlocked.value }
                throw TestError("foo")
            }
        }
        #expect(group?.errors.count == 1)
        #expect(group?.errors.first as? TestError == TestError("foo"))
        #expect(childCancelled.value)
        #expect(!sleepCompleted.value)
    }
    // anyio: tests/test_taskgroups.py::test_failing_host_task_cancels_children

    @Test("an error thrown by the body is the group's only error")
    func hostException() async throws {
        let result = TestBox<String?>(nil)
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                nursery.startSoon {
                    try await sleep(for: .seconds(30))
                    result.value = "a"
                }
                throw TestError("dummy error")
            }
        }
        #expect(group?.errors.count == 1)
        #expect(group?.errors.first as? TestError == TestError("dummy error"))
        #expect(result.value == nil)
    }
    // anyio: tests/test_taskgroups.py::test_host_exception
    // anyio: tests/test_taskgroups.py::test_exception_groups_suppresses_exc_context

    @Test("a child that fails later cancels a sibling that is already blocked")
    func exceptionCancelsSiblings() async throws {
        let siblingBlocked = TestBox(false)
        let sleepCompleted = TestBox(false)
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                nursery.startSoon {
                    siblingBlocked.value = true
                    try await sleep(for: .seconds(30))
                    sleepCompleted.value = true
                }
                try await testWaitUntil("the sibling is blocked") { siblingBlocked.value }
                nursery.startSoon { throw TestError("foo") }
            }
        }
        #expect(group?.errors.count == 1)
        #expect(group?.errors.first as? TestError == TestError("foo"))
        #expect(!sleepCompleted.value)
    }
    // anyio: tests/test_taskgroups.py::test_exception_cancels_siblings

    @Test("errors from several children are grouped in the order they happened")
    func errorGroupChildren() async throws {
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                nursery.startSoon { throw TestError("task1") }
                nursery.startSoon {
                    do {
                        try await sleepForever()
                    } catch is CancellationError {
                        throw TestError("task2")
                    }
                }
            }
        }
        #expect(group?.errors.compactMap { ($0 as? TestError)?.message } == ["task1", "task2"])
        #expect(group?.errors.count == 2)
    }
    // anyio: tests/test_taskgroups.py::test_exception_group_children

    @Test("the body's error and a child's error are both grouped, body first")
    func errorGroupHost() async throws {
        let childBlocked = TestBox(false)
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                nursery.startSoon {
                    do {
                        childBlocked.value = true
                        try await sleepForever()
                    } catch is CancellationError {
                        throw TestError("child")
                    }
                }
                try await testWaitUntil("the child is blocked") { childBlocked.value }
                throw TestError("host")
            }
        }
        #expect(group?.errors.compactMap { ($0 as? TestError)?.message } == ["host", "child"])
        #expect(group?.errors.count == 2)
    }
    // anyio: tests/test_taskgroups.py::test_exception_group_host

    @Test("cancellation errors never appear in an ErrorGroup")
    func cancellationNeverInGroup() async throws {
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                for _ in 0..<3 {
                    nursery.startSoon { try await sleepForever() }
                }
                nursery.startSoon { throw TestError("only") }
                try await sleepForever()
            }
        }
        #expect(group?.errors.count == 1)
        #expect(group?.errors.contains { $0 is CancellationError } == false)
        #expect(group?.contains(TestError.self) == true)
        #expect(group?.contains(CancellationError.self) == false)
    }
    // anyio: tests/test_taskgroups.py::test_uncancel_after_child_task_failed
    // spec: N4

    @Test("a nested nursery's group is kept nested, cancellations filtered out")
    func nestedNurseryFiltering() async throws {
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                nursery.startSoon { throw TestError("parent task failed") }
                try await withNursery { inner in
                    inner.startSoon {
                        do {
                            try await sleepForever()
                        } catch is CancellationError {
                            throw TestError("child task failed")
                        }
                    }
                    try await sleep(for: .seconds(30))
                }
            }
        }
        let errors = group?.errors ?? []
        #expect(errors.count == 2)
        #expect(errors.first as? TestError == TestError("parent task failed"))
        let inner = errors.count == 2 ? errors[1] as? ErrorGroup : nil
        #expect(inner?.errors.count == 1)
        #expect(inner?.errors.first as? TestError == TestError("child task failed"))
        #expect(group?.contains(TestError.self) == true)
    }
    // anyio: tests/test_taskgroups.py::test_nested_task_group_filtering

    @Test("failures name the task that threw: given name or call site")
    func failureTaskNames() async throws {
        // Kept outside #expect's closure: line numbers inside a macro argument are not the
        // source lines.
        var unnamedLine = 0
        var namedHandleName: String?
        var unnamedHandleName: String?
        var group: ErrorGroup?
        do {
            try await withNursery { nursery in
                let named = nursery.startSoon(name: "worker") { () async throws -> Void in
                    throw TestError("first failure")
                }
                unnamedLine = #line + 1
                let unnamed = nursery.startSoon { () async throws -> Void in
                    do {
                        try await sleepForever()
                    } catch is CancellationError {
                        throw TestError("second failure")
                    }
                }
                namedHandleName = named.name
                unnamedHandleName = unnamed.name
            }
            Issue.record("withNursery did not throw")
        } catch let error as ErrorGroup {
            group = error
        }
        let expectedSite = "NurseryTests.swift:\(unnamedLine)"
        #expect(namedHandleName == "worker")
        #expect(unnamedHandleName?.hasSuffix(expectedSite) == true, "unnamed task name: \(unnamedHandleName ?? "nil")")
        let failures = group?.failures ?? []
        #expect(failures.map(\.taskName).first == "worker")
        #expect(failures.count == 2)
        if failures.count == 2 {
            #expect(failures[0].error as? TestError == TestError("first failure"))
            #expect(failures[1].error as? TestError == TestError("second failure"))
            #expect(failures[1].taskName.hasSuffix(expectedSite), "unnamed task name: \(failures[1].taskName)")
        }
        let description = group.map { String(describing: $0) } ?? ""
        #expect(description.contains("worker"))
        #expect(description.contains("first failure"))
        #expect(description.contains(expectedSite))
        #expect(description.contains("second failure"))
    }
    // anyio: tests/test_taskgroups.py::test_task_name_custom_name
    // anyio: tests/test_taskgroups.py::test_task_name_default

    @Test("the body's failure is named after the task running withNursery")
    func bodyFailureNamedAfterHostTask() async throws {
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { outer in
                outer.startSoon(name: "host") { () async throws -> Void in
                    try await withNursery { _ in throw TestError("body") }
                }
            }
        }
        #expect(group?.failures.first?.taskName == "host")
        let inner = group?.errors.first as? ErrorGroup
        #expect(inner?.failures.count == 1)
        #expect(inner?.failures.first?.taskName == "host")
        #expect(inner?.errors.first as? TestError == TestError("body"))
    }
    // spec: N3

    @Test("the reason of a nursery cancelled by a failing task names that task")
    func cancelReasonNamesFailedTask() async throws {
        var scope: CancelScope?
        await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                scope = nursery.cancelScope
                nursery.startSoon(name: "crasher") { () async throws -> Void in throw TestError("boom") }
            }
        }
        #expect(scope?.cancelCalled == true)
        let reason = scope?.cancelReason
        #expect(reason?.contains("crasher") == true, "reason: \(reason ?? "nil")")
    }
    // spec: C11

    // MARK: - Task handles (N8)

    @Test("a handle returns the task's value and reports it finished")
    func handleValue() async throws {
        try await withNursery { nursery in
            let handle = nursery.startSoon(name: "adder") { 2 + 4 }
            #expect(handle.name == "adder")
            let value = try await handle.value
            #expect(value == 6)
            #expect(handle.status == .finished)
        }
    }
    // anyio: tests/test_taskgroups.py::TestCreateTask::test_return_value

    @Test("a handle is pending until its task finishes")
    func handlePendingThenFinished() async throws {
        let gate = TestGate()
        try await withNursery { nursery in
            let handle = nursery.startSoon { try await gate.wait() }
            #expect(handle.status == .pending)
            try await testWaitUntil("the task is blocked") { gate.waiterCount == 1 }
            #expect(handle.status == .pending)
            gate.open()
            try await handle.value
            #expect(handle.status == .finished)
        }
    }
    // anyio: tests/test_taskgroups.py::TestCreateTask::test_wait

    @Test("a failing handled task throws from value, reports failed, and still fails its nursery")
    func handleFailed() async throws {
        var handle: TaskHandle<Void>?
        let group = await #expect(throws: ErrorGroup.self) {
            try await withNursery { nursery in
                handle = nursery.startSoon { () async throws -> Void in throw TestError("dummy error") }
            }
        }
        #expect(group?.errors.first as? TestError == TestError("dummy error"))
        #expect(handle?.status == .failed)
        let valueError = await #expect(throws: TestError.self) { try await handle?.value }
        #expect(valueError == TestError("dummy error"))
    }
    // anyio: tests/test_taskgroups.py::TestCreateTask::test_exception

    @Test("cancelling a handle cancels that task alone", arguments: [false, true])
    @MainActor
    func handleCancel(waitUntilRunning: Bool) async throws {
        let state = TestMainActorState()
        let siblingFinished = TestBox(false)
        var nurseryScope: CancelScope?
        var handle: TaskHandle<Void>?
        try await withNursery { nursery in
            nurseryScope = nursery.cancelScope
            let cancelled = nursery.startSoon {
                try await state.logAround { try await sleep(for: .seconds(30)) }
            }
            handle = cancelled
            nursery.startSoon {
                for _ in 0..<10 { try await LowLevel.checkpoint() }
                siblingFinished.value = true
            }
            if waitUntilRunning {
                try await testWaitUntil("the task runs") { state.log == ["started"] }
            }
            cancelled.cancel()
            // The task is main-actor isolated and the body holds the main actor, so it
            // cannot have finished yet.
            #expect(cancelled.status == .cancelling)
            await #expect(throws: CancellationError.self) { try await cancelled.value }
            #expect(cancelled.status == .cancelled)
        }
        #expect(state.log == ["started"])
        #expect(handle?.status == .cancelled)
        #expect(siblingFinished.value)
        #expect(nurseryScope?.cancelCalled == false)
        await #expect(throws: CancellationError.self) { try await handle?.value }
    }
    // anyio: tests/test_taskgroups.py::TestCreateTask::test_cancel

    @Test("cancelling a finished task has no effect")
    func cancelCompletedTask() async throws {
        try await withNursery { nursery in
            let handle = nursery.startSoon { 1 }
            let first = try await handle.value
            #expect(first == 1)
            handle.cancel()
            #expect(handle.status == .finished)
            let second = try await handle.value
            #expect(second == 1)
            #expect(!nursery.cancelScope.cancelCalled)
        }
    }
    // anyio: tests/test_taskgroups.py::test_cancel_completed_task

    // MARK: - Closed nurseries (N6)

    @Test("startSoon on a finished nursery traps saying the nursery is closed")
    func startSoonAfterCloseTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var escaped: Nursery?
            try await withNursery { escaped = $0 }
            escaped?.startSoon {}
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.lowercased().contains("closed"), "stderr: \(stderr)")
    }
    // anyio: tests/test_taskgroups.py::test_already_closed

    @Test("startSoon on a nursery that ended with an error traps saying the nursery is closed")
    func startSoonAfterErrorTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var escaped: Nursery?
            _ = try? await withNursery { nursery in
                escaped = nursery
                throw TestError("boom")
            }
            escaped?.startSoon {}
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.lowercased().contains("closed"), "stderr: \(stderr)")
    }
    // anyio: tests/test_taskgroups.py::test_start_soon_after_error

    @Test("start on a finished nursery traps saying the nursery is closed")
    func startAfterCloseTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var escaped: Nursery?
            try await withNursery { escaped = $0 }
            _ = try? await escaped?.start { (status: consuming TaskStatus<Void>) in status.started() }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.lowercased().contains("closed"), "stderr: \(stderr)")
    }
    // anyio: tests/test_taskgroups.py::test_start_already_closed
}
