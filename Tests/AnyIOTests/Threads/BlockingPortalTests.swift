//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization
import Testing

@testable import AnyIO

/// A resource for the `withResource(from:_:)` tests: what the scope did with it.
final class PortalTestResource: Sendable {
    let log = TestBox([String]())
}

@Suite("BlockingPortal", .timeLimit(.minutes(1)))
struct BlockingPortalTests {
    // MARK: withBlockingPortal

    @Test("call runs async code in a task and returns its value")
    func callAsync() async throws {
        try await withBlockingPortal { portal in
            let (sum, inTask) = try await ToThread.runSync {
                try portal.call { () async -> (Int, Bool) in
                    await Task.yield()
                    return (1 + 2, testIsInTask())
                }
            }
            #expect(sum == 3)
            #expect(inTask)
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_call_corofunc

    @Test("call with a synchronous closure")
    func callSync() async throws {
        try await withBlockingPortal { portal in
            let value = try await ToThread.runSync { try portal.call { 1 + 2 } }
            #expect(value == 3)
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_call_non_corofunc

    @Test("call rethrows the task's error")
    func callRethrows() async throws {
        try await withBlockingPortal { portal in
            await #expect(throws: TestError("boom")) {
                try await ToThread.runSync {
                    try portal.call { () async throws -> Int in throw TestError("boom") }
                }
            }
        }
    }

    @Test("when the body throws, the portal's tasks are cancelled and the error is rethrown as is")
    func bodyErrorCancelsTasks() async throws {
        let results = TestBox([String]())
        let threadsDone = RaceCounter()
        let callsStarted = RaceCounter()
        await #expect(throws: TestError("body")) {
            try await withBlockingPortal { portal in
                for _ in 0..<2 {
                    testStartForeignThread {
                        do {
                            try portal.call {
                                callsStarted.add()
                                try await sleep(for: .seconds(3))
                            }
                            results.append("returned")
                        } catch {
                            results.append(String(describing: type(of: error)))
                        }
                        threadsDone.add()
                    }
                }
                try await testWaitUntil("both calls run") { callsStarted.value == 2 }
                #expect(results.value.isEmpty)
                throw TestError("body")
            }
        }
        try await testWaitUntil("both threads are done") { threadsDone.value == 2 }
        #expect(results.value == ["CancellationError", "CancellationError"])
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_aexit_with_exception

    @Test("when the body returns, the scope waits for the portal's tasks")
    func bodyReturnWaitsForTasks() async throws {
        let results = TestBox([String]())
        let callsStarted = RaceCounter()
        let proceed = Event()
        try await withBlockingPortal { portal in
            for _ in 0..<2 {
                _ = try portal.startTaskSoon {
                    callsStarted.add()
                    try await proceed.wait()
                    try await sleep(for: .milliseconds(20))
                    results.append("done")
                }
            }
            try await testWaitUntil("both tasks run") { callsStarted.value == 2 }
            #expect(results.value.isEmpty)
            // Let them finish only after the body has checked; the scope must still wait for them.
            proceed.set()
        }
        #expect(results.value == ["done", "done"])
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_aexit_without_exception

    @Test("blocking portal methods trap when called from a task")
    func callFromTaskTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            try await withBlockingPortal { portal in
                _ = try portal.call { 1 }
            }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("must not be called from a Swift task"), "stderr: \(stderr)")
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_call_portal_from_event_loop_thread

    @Test("PortalTask.result() traps when called from a task")
    func resultFromTaskTraps() async {
        await #expect(processExitsWith: .failure) {
            try await withBlockingPortal { portal in
                let task = try portal.startTaskSoon { 1 }
                _ = try task.result()
            }
        }
    }

    @Test("startTaskSoon from a task, awaited with value")
    func startTaskSoonFromTask() async throws {
        try await withBlockingPortal { portal in
            let task = try portal.startTaskSoon(name: "answer") { 42 }
            #expect(task.name == "answer")
            #expect(try await task.value == 42)
            #expect(task.isFinished)
        }
    }

    @Test("waitUntilStopped returns once a thread stops the portal")
    func waitUntilStopped() async throws {
        try await withBlockingPortal { portal in
            try await withNursery { nursery in
                nursery.startSoon {
                    try await ToThread.runSync {
                        _ = try portal.call { 1 }
                        portal.stop()
                    }
                }
                try await portal.waitUntilStopped()
                #expect(!portal.isRunning)
            }
        }
    }
    // anyio: BlockingPortal.sleep_until_stopped()

    @Test("the portal's tasks run under the scope's cancel scopes")
    func tasksCancelledWithScope() async throws {
        let outcome = TestBox<String?>(nil)
        let running = Event()
        let scope = CancelScope()
        try await withCancelScope(scope) { scope in
            try await withBlockingPortal { portal in
                try portal.startTaskSoon {
                    running.set()
                    do {
                        try await sleepForever()
                    } catch {
                        outcome.value = String(describing: type(of: error))
                        throw error
                    }
                }
                try await running.wait()
                scope.cancel()
            }
        }
        #expect(scope.cancelledCaught)
        #expect(outcome.value == "CancellationError")
    }

    @Test("stop(cancelRemaining:) from the owning task cancels what runs")
    func cancelPortalFuture() async throws {
        let finished = Event()
        try await withBlockingPortal { portal in
            try await withNursery { nursery in
                nursery.startSoon {
                    try await ToThread.runSync {
                        let task = try portal.startTaskSoon { try await sleepForever() }
                        try FromThread.run { finished.set() }
                        #expect(throws: CancellationError.self) { try task.result() }
                    }
                }
                try await finished.wait()
                portal.stop(cancelRemaining: true)
            }
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_cancel_portal_future

    @Test("a call after the scope ended throws BlockingPortalStoppedError")
    func callAfterScope() async throws {
        let escaped = TestBox<BlockingPortal?>(nil)
        try await withBlockingPortal { portal in escaped.value = portal }
        let portal = try #require(escaped.value)
        #expect(!portal.isRunning)
        #expect(throws: BlockingPortalStoppedError()) { try portal.startTaskSoon { 1 } }
        await #expect(throws: BlockingPortalStoppedError()) {
            try await ToThread.runSync { try portal.call { 1 } }
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_call_stopped_portal

    // MARK: startBlockingPortal (the thread side)

    @Test("startBlockingPortal runs tasks for plain threads")
    func startWithNewRootTask() async throws {
        let (value, inTask) = try await ToThread.runSync {
            let portal = startBlockingPortal()
            defer { portal.stop() }
            return try portal.call { () async -> (Int, Bool) in (7, testIsInTask()) }
        }
        #expect(value == 7)
        #expect(inTask)
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_with_new_event_loop

    @Test("a stopped started portal refuses calls")
    func callStoppedPortal() async throws {
        let error = await testOnForeignThread { () -> String in
            let portal = startBlockingPortal()
            portal.stop()
            do {
                _ = try portal.call { 1 }
                return "no error"
            } catch {
                return String(describing: error)
            }
        }
        #expect(error.contains("BlockingPortalStoppedError"))
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_call_stopped_portal

    @Test("startTaskSoon, then wait for its result")
    func startTaskSoon() async throws {
        let value = try await ToThread.runSync { () throws -> String in
            let portal = startBlockingPortal()
            defer { portal.stop() }
            let event1 = Event(), event2 = Event()
            let task = try portal.startTaskSoon { () async throws -> String in
                try await event1.wait()
                event2.set()
                return "test"
            }
            try portal.call { event1.set() }
            try portal.call { try await event2.wait() }
            return try task.result()
        }
        #expect(value == "test")
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_task_soon

    @Test("a task left running is waited for by stop")
    func stopWaitsForTasks() async throws {
        let outcome = await testOnForeignThread { () -> String in
            let portal = startBlockingPortal()
            let task = try? portal.startTaskSoon { () async throws -> String in
                try await sleep(for: .milliseconds(20))
                return "test"
            }
            portal.stop()
            guard let task, task.isFinished else { return "not finished after stop()" }
            return (try? task.result()) ?? "failed"
        }
        #expect(outcome == "test")
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_task_soon_non_corofunc

    @Test("cancel a task later")
    func startTaskSoonCancelLater() async throws {
        let outcome = await testOnForeignThread { () -> String in
            let portal = startBlockingPortal()
            defer { portal.stop() }
            let started = Event()
            guard let task = try? portal.startTaskSoon({
                started.set()
                try await sleepForever()
            }) else { return "could not start" }
            _ = try? portal.call { try await started.wait() }
            task.cancel()
            do {
                try task.result()
                return "returned"
            } catch {
                return String(describing: type(of: error))
            }
        }
        #expect(outcome == "CancellationError")
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_task_soon_cancel_later

    @Test("cancel a task at once: it still starts and sees the cancellation")
    func startTaskSoonCancelImmediately() async throws {
        let cancelled = RaceFlag()
        let outcome = await testOnForeignThread { () -> String in
            let portal = startBlockingPortal()
            defer { portal.stop() }
            guard let task = try? portal.startTaskSoon({
                do {
                    try await sleep(for: .seconds(3))
                } catch {
                    cancelled.set()
                    throw error
                }
            }) else { return "could not start" }
            task.cancel()
            return (try? task.result()) == nil ? "cancelled" : "returned"
        }
        #expect(outcome == "cancelled")
        #expect(cancelled.isSet)
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_task_soon_cancel_immediately

    @Test("cancel a task after the portal stopped taking calls")
    func startTaskSoonCancelAfterStop() async throws {
        let cancelled = RaceFlag()
        try await ToThread.runSync {
            let portal = startBlockingPortal()
            let started = Event()
            let task = try portal.startTaskSoon {
                started.set()
                do {
                    try await sleep(for: .seconds(10))
                } catch {
                    cancelled.set()
                    throw error
                }
            }
            try portal.call { try await started.wait() }
            portal.storage.stop(cancelRemaining: false)  // stop taking calls, without waiting
            task.cancel()
            portal.stop()
        }
        #expect(cancelled.isSet)
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_task_soon_cancel_after_stop

    @Test("a task's name is the given name or its call site")
    func startTaskSoonWithName() async throws {
        try await withBlockingPortal { portal in
            let named = try portal.startTaskSoon(name: "testname") { 1 }
            let unnamed = try portal.startTaskSoon { 1 }
            #expect(named.name == "testname")
            #expect(unnamed.name.hasPrefix("BlockingPortalTests.swift:"), "name: \(unnamed.name)")
            _ = try await (named.value, unnamed.value)
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_task_soon_with_name

    @Test("withBlockingPortal used from a worker thread and a foreign thread at once")
    func fromSeveralThreads() async throws {
        try await withBlockingPortal { portal in
            let fromForeign = await testOnForeignThread { (try? portal.call { 1 }) ?? -1 }
            let fromWorker = try await ToThread.runSync { try portal.call { 2 } }
            #expect(fromForeign + fromWorker == 3)
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_from_async

    // MARK: withResource (wrap_async_context_manager)

    /// An async scope in the style of a `with…` function.
    private static func withTestResource<T>(
        _ resource: PortalTestResource,
        suppressErrors: Bool,
        _ body: (PortalTestResource) async throws -> T
    ) async throws -> T? {
        resource.log.append("open")
        do {
            let value = try await body(resource)
            resource.log.append("close")
            return value
        } catch {
            resource.log.append("close after \(error)")
            if suppressErrors { return nil }
            throw error
        }
    }

    @Test("withResource keeps the async scope open while the thread uses the resource")
    func asyncScopeSuccess() async throws {
        let resource = PortalTestResource()
        let value = try await ToThread.runSync { () throws -> String in
            let portal = startBlockingPortal()
            defer { portal.stop() }
            return try portal.withResource(from: { use in
                _ = try await Self.withTestResource(resource, suppressErrors: false) { try await use($0) }
            }) { (opened: PortalTestResource) -> String in
                opened.log.append("used")
                return "test"
            }
        }
        #expect(value == "test")
        #expect(resource.log.value == ["open", "used", "close"])
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_async_context_manager_success

    @Test("withResource: the body's error reaches the scope and the thread")
    func asyncScopeError() async throws {
        let resource = PortalTestResource()
        await #expect(throws: TestError("should NOT be ignored")) {
            try await ToThread.runSync {
                let portal = startBlockingPortal()
                defer { portal.stop() }
                try portal.withResource(from: { use in
                    _ = try await Self.withTestResource(resource, suppressErrors: false) { try await use($0) }
                }) { (_: PortalTestResource) in
                    throw TestError("should NOT be ignored")
                }
            }
        }
        #expect(resource.log.value == ["open", "close after should NOT be ignored"])
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_async_context_manager_error

    @Test("withResource: a scope that swallows the body's error cannot make it disappear")
    func asyncScopeErrorIgnored() async throws {
        let resource = PortalTestResource()
        await #expect(throws: TestError("swallowed")) {
            try await ToThread.runSync {
                let portal = startBlockingPortal()
                defer { portal.stop() }
                try portal.withResource(from: { use in
                    _ = try await Self.withTestResource(resource, suppressErrors: true) { try await use($0) }
                }) { (_: PortalTestResource) in
                    throw TestError("swallowed")
                }
            }
        }
        #expect(resource.log.value == ["open", "close after swallowed"])
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_async_context_manager_error_ignore (adapted:
    // a Swift body that threw has no value to return)

    @Test("withResource: a failing nursery inside the scope reaches the thread")
    func asyncScopeWithFailingNursery() async throws {
        let error = await testOnForeignThread { () -> (any Error)? in
            let portal = startBlockingPortal()
            defer { portal.stop() }
            do {
                try portal.withResource(from: { use in
                    try await withNursery { nursery in
                        nursery.startSoon { throw TestError("zero division") }
                        try await use(())
                    }
                }) { (_: Void) in }
                return nil
            } catch {
                return error
            }
        }
        let group = try #require(error as? ErrorGroup)
        #expect(group.errors.count == 1)
        #expect(group.errors.first as? TestError == TestError("zero division"))
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_async_context_manager_exception_in_task_group

    @Test("withResource: a scope that fails to open throws before the body runs")
    func asyncScopeFailsToOpen() async throws {
        let ran = RaceFlag()
        await #expect(throws: TestError("cannot open")) {
            try await ToThread.runSync {
                let portal = startBlockingPortal()
                defer { portal.stop() }
                try portal.withResource(from: { (_: (Int) async throws -> Void) in
                    throw TestError("cannot open")
                }) { _ in ran.set() }
            }
        }
        #expect(!ran.isSet)
    }

    // MARK: startTask

    @Test("startTask with no value")
    func startNoValue() async throws {
        try await ToThread.runSync {
            let portal = startBlockingPortal()
            defer { portal.stop() }
            let (task, _) = try portal.startTask { (status: consuming TaskStatus<Void>) -> Void in
                status.started()
            }
            try task.result()
            #expect(task.isFinished)
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_no_value

    @Test("startTask with a value; the task runs on after started")
    func startWithValue() async throws {
        let after = Event()
        try await ToThread.runSync {
            let portal = startBlockingPortal()
            defer { portal.stop() }
            let (task, value) = try portal.startTask { (status: consuming TaskStatus<String>) -> Int in
                status.started("foo")
                try await after.wait()
                return 5
            }
            #expect(value == "foo")
            #expect(!task.isFinished)
            try portal.call { after.set() }
            #expect(try task.result() == 5)
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_with_value

    @Test("startTask: an error before started is thrown by startTask")
    func startCrashBeforeStarted() async throws {
        await #expect(throws: TestError("foo")) {
            try await ToThread.runSync {
                let portal = startBlockingPortal()
                defer { portal.stop() }
                _ = try portal.startTask { (_: consuming TaskStatus<Int>) in throw TestError("foo") }
            }
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_crash_before_started_call

    @Test("startTask: an error after started goes to the task's result, not the portal")
    func startCrashAfterStarted() async throws {
        try await ToThread.runSync {
            let portal = startBlockingPortal()
            defer { portal.stop() }
            let (task, value) = try portal.startTask { (status: consuming TaskStatus<Int>) in
                status.started(2)
                throw TestError("foo")
            }
            #expect(value == 2)
            #expect(throws: TestError("foo")) { try task.result() }
            // The portal still works.
            #expect(try portal.call { 3 } == 3)
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_crash_after_started_call

    @Test("startTask: a body that returns without started makes startTask throw StartError")
    func startNoStartedCall() async throws {
        await #expect(throws: StartError.self) {
            try await ToThread.runSync {
                let portal = startBlockingPortal()
                defer { portal.stop() }
                _ = try portal.startTask { (_: consuming TaskStatus<Int>) in }
            }
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_no_started_call

    @Test("startTask: the task gets its name")
    func startWithName() async throws {
        try await ToThread.runSync {
            let portal = startBlockingPortal()
            defer { portal.stop() }
            let (task, _) = try portal.startTask(name: "testname") { (status: consuming TaskStatus<Void>) -> Void in
                status.started()
            }
            #expect(task.name == "testname")
        }
    }
    // anyio: tests/test_from_thread.py::TestBlockingPortal::test_start_with_name

    @Test("startTask cancelled by stop(cancelRemaining:) before started throws CancellationError")
    func startCancelledBeforeStarted() async throws {
        let outcome = await testOnForeignThread { () -> String in
            let portal = startBlockingPortal()
            let entered = TestThreadGate()
            testStartForeignThread {
                entered.waitBlocking()
                portal.stop(cancelRemaining: true)
            }
            do {
                _ = try portal.startTask { (_: consuming TaskStatus<Int>) in
                    entered.open()
                    try await sleepForever()
                }
                return "started"
            } catch {
                return String(describing: type(of: error))
            }
        }
        #expect(outcome == "CancellationError")
    }
}
