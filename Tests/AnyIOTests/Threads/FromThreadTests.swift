//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization
import Testing

@testable import AnyIO

/// A task-local for the "runs in the caller's context" tests.
enum FromThreadTestLocals {
    @TaskLocal static var value = 1
}

@Suite("FromThread", .timeLimit(.minutes(1)))
struct FromThreadTests {
    @Test("checkCancelled throws once the caller's scope is cancelled; the caller waits for the closure")
    func threadCancelled() async throws {
        let gate = TestThreadGate()
        let started = TestBox(false), finished = TestBox(false)
        let runStarted = Event()
        try await withNursery { nursery in
            nursery.startSoon {
                try await runStarted.wait()
                nursery.cancel()
                gate.open()
            }
            try await ToThread.runSync {
                started.value = true
                runStarted.set()
                gate.waitBlocking()
                try FromThread.checkCancelled()
                finished.value = true
            }
        }
        #expect(started.value)
        #expect(!finished.value)
    }
    // anyio: tests/test_from_thread.py::test_thread_cancelled

    @Test("checkCancelled throws in an abandoned thread")
    func threadCancelledAndAbandoned() async throws {
        let gate = TestThreadGate()
        let runStarted = Event()
        let checkResult = TestBox<String?>(nil)
        try await withNursery { nursery in
            nursery.startSoon {
                try await ToThread.runSync(abandonOnCancel: true) {
                    runStarted.set()
                    gate.waitBlocking()
                    do {
                        try FromThread.checkCancelled()
                        checkResult.value = "not cancelled"
                    } catch {
                        checkResult.value = String(describing: type(of: error))
                    }
                }
            }
            try await runStarted.wait()
            nursery.cancel()
        }
        gate.open()
        try await testWaitUntil("the thread checked") { checkResult.value != nil }
        #expect(checkResult.value == "CancellationError")
    }
    // anyio: tests/test_from_thread.py::test_thread_cancelled_and_abandoned

    @Test("checkCancelled does not throw while the caller is not cancelled")
    func notCancelled() async throws {
        try await ToThread.runSync { try FromThread.checkCancelled() }
    }

    @Test("checkCancelled and run outside a worker thread throw NotInWorkerThreadError")
    func notInWorkerThread() async throws {
        #expect(throws: NotInWorkerThreadError(function: "FromThread.checkCancelled()")) {
            try FromThread.checkCancelled()
        }
        #expect(throws: NotInWorkerThreadError(function: "FromThread.run(_:)")) {
            try FromThread.run { 1 }
        }
        let fromForeignThread = await testOnForeignThread { () -> String in
            do {
                _ = try FromThread.run { 1 }
                return "no error"
            } catch {
                return String(describing: error)
            }
        }
        #expect(fromForeignThread.contains("NotInWorkerThreadError"))
        #expect(fromForeignThread.contains("BlockingPortal"), "the message points to the alternative")
    }
    // anyio: tests/test_from_thread.py::test_thread_cancelled_not_in_worker_thread,
    //        tests/test_from_thread.py::TestRunAsyncFromThread::test_run_async_no_event_loop

    @Test("a cancel scope cancelled by FromThread code is caught by that scope")
    func cancelScopePropagation() async throws {
        let scope = CancelScope()
        try await withCancelScope(scope) { scope in
            try await ToThread.runSync {
                try FromThread.run {
                    scope.cancel()
                    try await failAfter(.seconds(1)) { _ in try await sleep(for: .seconds(3)) }
                }
            }
        }
        #expect(scope.cancelledCaught)
    }
    // anyio: tests/test_from_thread.py::test_cancelscope_propagation

    @Test("FromThread code of an abandoned caller is cancelled with it")
    func cancelScopePropagationWhenAbandoned() async throws {
        // AnyIO runs `from_thread.run` code as a separate task, so it outlives an abandoned host.
        // Here it runs in the caller's task: when the caller leaves, its requests are cancelled.
        let scope = CancelScope()
        let outcome = TestBox<String?>(nil)
        let gate = TestThreadGate()
        try await withCancelScope(scope) { scope in
            try await ToThread.runSync(abandonOnCancel: true) {
                do {
                    try FromThread.run {
                        scope.cancel()
                        try await failAfter(.seconds(3)) { _ in try await sleep(for: .seconds(10)) }
                    }
                    outcome.value = "returned"
                } catch {
                    outcome.value = String(describing: type(of: error))
                }
                gate.waitBlocking()
                do {
                    _ = try FromThread.run { 1 }
                    outcome.value! += ", then returned"
                } catch {
                    outcome.value! += ", then \(type(of: error))"
                }
            }
        }
        #expect(scope.cancelledCaught)
        gate.open()
        try await testWaitUntil("the abandoned thread finished") { outcome.value?.contains("then") == true }
        #expect(outcome.value == "CancellationError, then CancellationError")
    }
    // anyio: tests/test_from_thread.py::test_cancelscope_propagation_when_abandoned (adapted)

    @Test("run returns the async code's value, computed in a task")
    func runReturnsValue() async throws {
        let (value, inTask) = try await ToThread.runSync {
            try FromThread.run { () async -> (Int, Bool) in
                await Task.yield()
                return (1 + 2, testIsInTask())
            }
        }
        #expect(value == 3)
        #expect(inTask)
    }
    // anyio: tests/test_from_thread.py::TestRunAsyncFromThread::test_run_corofunc_from_thread

    @Test("run with a synchronous closure")
    func runSynchronousClosure() async throws {
        let value = try await ToThread.runSync { try FromThread.run { 40 + 2 } }
        #expect(value == 42)
    }
    // anyio: tests/test_from_thread.py::TestRunAsyncFromThread::test_run_sync_from_thread

    @Test("run rethrows the async code's error")
    func runRethrows() async {
        await #expect(throws: TestError("unsupported operand")) {
            try await ToThread.runSync {
                try FromThread.run { () async throws -> Int in throw TestError("unsupported operand") }
            }
        }
    }
    // anyio: tests/test_from_thread.py::TestRunAsyncFromThread::test_run_async_from_thread_exception

    @Test("run can call the library's async functions")
    func runLibraryFunction() async throws {
        let done = try await ToThread.runSync { () throws -> Bool in
            try FromThread.run { try await sleep(for: .zero) }
            return true
        }
        #expect(done)
    }
    // anyio: tests/test_from_thread.py::TestRunAsyncFromThread::test_run_anyio_async_func_from_thread

    @Test("run sees the caller's task-locals")
    func runSeesTaskLocals() async throws {
        let value = try await FromThreadTestLocals.$value.withValue(6) {
            try await ToThread.runSync {
                try FromThread.run { () async -> Int in
                    try? await LowLevel.checkpoint()
                    return FromThreadTestLocals.value
                }
            }
        }
        #expect(value == 6)
    }
    // anyio: tests/test_from_thread.py::TestRunAsyncFromThread::test_contextvar_propagation

    @Test("run's code runs in the caller's cancelled scope")
    func runInCancelledCaller() async throws {
        let gate = TestThreadGate()
        let started = Event()
        let result = TestBox<String?>(nil)
        let scope = CancelScope()
        try await withNursery { nursery in
            nursery.startSoon {
                try await withCancelScope(scope) { _ in
                    try await ToThread.runSync {
                        started.set()
                        gate.waitBlocking()
                        do {
                            try FromThread.run { try await LowLevel.checkpoint() }
                            result.value = "ran"
                        } catch {
                            result.value = String(describing: type(of: error))
                        }
                    }
                }
            }
            try await started.wait()
            scope.cancel()
            gate.open()
        }
        #expect(result.value == "CancellationError")
    }
    // SPEC T3: the caller's cancel scopes apply

    @Test("many run calls from one closure, each served in order")
    func manyRequests() async throws {
        let log = TestBox([Int]())
        try await ToThread.runSync {
            for i in 0..<50 {
                try FromThread.run { () async in
                    await Task.yield()
                    log.append(i)
                }
            }
        }
        #expect(log.value == Array(0..<50))
    }

    @Test("run code can itself move work to a thread, which can call back again")
    func nested() async throws {
        let value = try await ToThread.runSync {
            try FromThread.run {
                try await ToThread.runSync {
                    try FromThread.run { 21 } * 2
                }
            }
        }
        #expect(value == 42)
    }
}
