//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization
import Testing

@testable import AnyIO

@Suite("ToThread", .timeLimit(.minutes(1)))
struct ToThreadTests {
    @Test("the closure runs on a named worker thread, outside any task")
    func runsOnWorkerThread() async throws {
        let caller = testThreadID()
        let (inTask, thread, name) = try await ToThread.runSync { (testIsInTask(), testThreadID(), testThreadName()) }
        #expect(!inTask, "the closure must not run on the cooperative pool")
        #expect(thread != caller)
        #expect(name.hasPrefix("AnyIO worker "), "thread name: \(name)")
    }
    // SPEC T1

    @Test("returns the closure's value")
    func returnsValue() async throws {
        let value = try await ToThread.runSync { 6 * 7 }
        #expect(value == 42)
    }
    // anyio: tests/test_from_thread.py::TestRunAsyncFromThread::test_run_corofunc_from_thread (the to_thread half)

    @Test("the closure's error is rethrown unchanged")
    func closureErrorIsRethrown() async {
        await #expect(throws: TestError("foo")) {
            try await ToThread.runSync { () throws -> Int in throw TestError("foo") }
        }
    }
    // anyio: tests/test_to_thread.py::test_run_in_thread_exception

    @Test("a call made in a cancelled nursery runs nothing")
    func callInCancelledScopeRunsNothing() async throws {
        let state = TestBox(0)
        try await withNursery { nursery in
            nursery.startSoon {
                state.value = 1
                try await ToThread.runSync { state.value = 2 }
                state.value = 3
            }
            nursery.cancel()
        }
        #expect(state.value == 1)
    }
    // anyio: tests/test_to_thread.py::test_run_in_thread_cancelled

    @Test("a custom limiter bounds how many closures run at once")
    func customLimiter() async throws {
        let limiter = CapacityLimiter(totalTokens: 3)
        let active = TestBox(Set<UInt>()), maxActive = TestBox(0)
        let threadsStarted = Event()
        let gate = TestThreadGate()
        try await withNursery { nursery in
            for _ in 0..<4 {
                nursery.startSoon {
                    try await ToThread.runSync(limiter: limiter) {
                        let count = active.update { active -> Int in
                            active.insert(testThreadID())
                            return active.count
                        }
                        maxActive.update { $0 = max($0, count) }
                        if count == 3 { _ = try? FromThread.run { threadsStarted.set() } }
                        gate.waitBlocking()
                        active.update { _ = $0.remove(testThreadID()) }
                    }
                }
            }
            try await threadsStarted.wait()
            #expect(active.value.count == 3)
            #expect(limiter.borrowedTokens == 3)
            #expect(limiter.statistics().tasksWaiting == 1)
            gate.open()
        }
        #expect(active.value.isEmpty)
        #expect(maxActive.value == 3)
        #expect(limiter.borrowedTokens == 0)
    }
    // anyio: tests/test_to_thread.py::test_run_in_custom_limiter

    @Test("raising the limiter's total while calls wait lets them run at once")
    func limiterRaisedAtRunTime() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        let running = RaceCounter()
        let gate = TestThreadGate()
        try await withNursery { nursery in
            for _ in 0..<3 {
                nursery.startSoon {
                    try await ToThread.runSync(limiter: limiter) {
                        running.add()
                        gate.waitBlocking()
                    }
                }
            }
            try await testWaitUntil("one closure runs, two calls wait") {
                running.value == 1 && limiter.statistics().tasksWaiting == 2
            }
            limiter.totalTokens = 3
            try await testWaitUntil("all three run") { running.value == 3 }
            gate.open()
        }
        #expect(limiter.borrowedTokens == 0)
    }
    // SPEC T1 ("adjustable at run time")

    @Test("the default limiter is shared and has 40 tokens")
    func defaultLimiter() {
        let limiter = ToThread.currentDefaultThreadLimiter()
        #expect(limiter === ToThread.currentDefaultThreadLimiter())
        #expect(limiter.totalTokens == 40)
    }
    // anyio: to_thread.current_default_thread_limiter() (40 tokens)

    @Test("a cancelled caller waits for its closure, or leaves at once with abandonOnCancel", arguments: [false, true])
    func cancelWorkerThread(abandonOnCancel: Bool) async throws {
        let log = TestBox([String]())
        let started = Event()
        let gate = TestThreadGate()
        let scope = CancelScope()
        let callerError = TestBox<String?>(nil)
        try await withNursery { nursery in
            nursery.startSoon {
                try await withCancelScope(scope) { _ in
                    defer { log.append("task") }
                    do {
                        try await ToThread.runSync(abandonOnCancel: abandonOnCancel) {
                            started.set()
                            gate.waitBlocking()
                            log.append("thread")
                        }
                    } catch {
                        callerError.value = String(describing: type(of: error))
                        throw error
                    }
                }
            }
            try await started.wait()
            scope.cancel()
            if abandonOnCancel {
                try await testWaitUntil("the abandoning caller left") { log.value == ["task"] }
            } else {
                try await sleep(for: .milliseconds(30))
                #expect(log.value.isEmpty, "the caller must wait for the closure")
            }
            gate.open()
        }
        try await testWaitUntil("the closure finished") { log.value.contains("thread") }
        #expect(log.value == (abandonOnCancel ? ["task", "thread"] : ["thread", "task"]))
        #expect(callerError.value == "CancellationError")
        #expect(scope.cancelledCaught)
    }
    // anyio: tests/test_to_thread.py::test_cancel_worker_thread

    @Test("an abandoned closure runs to completion on its own")
    func abandonedClosureCompletes() async throws {
        let gate = TestThreadGate()
        let started = Event()
        let result = TestBox<Bool?>(nil)
        try await withNursery { nursery in
            nursery.startSoon {
                try await ToThread.runSync(abandonOnCancel: true) {
                    started.set()
                    result.value = gate.waitBlocking(timeout: .seconds(5))
                }
            }
            try await started.wait()
            nursery.cancel()
        }
        #expect(result.value == nil, "the caller left before the closure ended")
        gate.open()
        try await testWaitUntil("the abandoned closure finished") { result.value != nil }
        #expect(result.value == true)
    }
    // anyio: tests/test_to_thread.py::test_cancel_wait_on_thread

    @Test("an abandoned thread keeps its limiter token until its closure ends")
    func abandonedThreadKeepsToken() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        let gate = TestThreadGate()
        let started = Event()
        let finished = RaceFlag()
        let scope = CancelScope()
        try await withNursery { nursery in
            nursery.startSoon {
                try await withCancelScope(scope) { _ in
                    try await ToThread.runSync(limiter: limiter, abandonOnCancel: true) {
                        started.set()
                        gate.waitBlocking()
                        finished.set()
                    }
                }
            }
            try await started.wait()
            scope.cancel()
        }
        // The caller has left; its thread still runs and holds the only token.
        #expect(scope.cancelledCaught)
        #expect(!finished.isSet)
        #expect(limiter.borrowedTokens == 1)
        #expect(!limiter.tryAcquire(onBehalfOf: "another borrower"))
        gate.open()
        try await testWaitUntil("the token is back") { limiter.borrowedTokens == 0 }
        #expect(finished.isSet)
    }
    // SPEC T2; trio: to_thread.run_sync keeps the limiter token until an abandoned thread finishes

    @Test("a call cancelled while waiting for a token borrowed nothing and ran nothing")
    func cancelledWhileWaitingForToken() async throws {
        let limiter = CapacityLimiter(totalTokens: 0)
        let ran = RaceFlag()
        let result: Void? = try await moveOnAfter(.milliseconds(20)) { _ in
            try await ToThread.runSync(limiter: limiter) { ran.set() }
        }
        #expect(result == nil)
        #expect(!ran.isSet)
        #expect(limiter.statistics() == CapacityLimiterStatistics(borrowedTokens: 0, totalTokens: 0, tasksWaiting: 0))
    }
    // SPEC C9

    @Test("a cancellation during the closure drops its value", arguments: [false, true])
    func cancellationDuringClosureDropsValue(abandonOnCancel: Bool) async throws {
        let result = try await withCancelScope { scope in
            try await ToThread.runSync(abandonOnCancel: abandonOnCancel) { () -> Int in
                scope.cancel()
                return 5
            }
        }
        #expect(result == nil, "the scope caught the cancellation; the value was dropped")
    }
    // SPEC T2

    @Test("without abandonOnCancel the closure's own error wins over the cancellation")
    func closureErrorWinsOverCancellation() async throws {
        let scope = CancelScope()
        await #expect(throws: TestError("closure")) {
            try await withCancelScope(scope) { scope in
                try await ToThread.runSync { () throws -> Int in
                    scope.cancel()
                    throw TestError("closure")
                }
            }
        }
    }
    // anyio: the closure's exception propagates from a shielded to_thread.run_sync

    @Test("native cancellation of the calling task cancels the call", arguments: [false, true])
    func nativeCancellation(abandonOnCancel: Bool) async throws {
        let gate = TestThreadGate()
        let started = Event()
        let task = Task {
            try await ToThread.runSync(abandonOnCancel: abandonOnCancel) {
                started.set()
                gate.waitBlocking()
            }
        }
        try await started.wait()
        task.cancel()
        if !abandonOnCancel { gate.open() }
        await #expect(throws: CancellationError.self) { try await task.value }
        gate.open()
    }
    // anyio: tests/test_to_thread.py::test_asyncio_cancel_native_task

    @Test("sequential calls reuse one worker thread")
    func sequentialCallsReuseThread() async throws {
        let pool = WorkerThreadPool(idleTimeout: .seconds(10))
        let limiter = CapacityLimiter(totalTokens: 40)
        let caller = testThreadID()
        var threads = Set<UInt>()
        for _ in 0..<5 {
            let thread = try await ToThread.runSync(limiter: limiter, abandonOnCancel: false, pool: pool) {
                testThreadID()
            }
            threads.insert(thread)
        }
        #expect(threads.count == 1)
        #expect(!threads.contains(caller))
        #expect(pool.threadCount == 1)
    }
    // anyio: tests/test_from_thread.py::TestRunAsyncFromThread::test_run_sync_from_thread_pooling

    @Test("blocking closures on 40 workers do not starve the cooperative pool")
    func blockingDoesNotStarveCooperativePool() async throws {
        // A limiter of the default size, but not the shared one: other tests use that at the same
        // time, and this one must have all 40 threads blocked at once.
        let limiter = CapacityLimiter(totalTokens: ToThread.currentDefaultThreadLimiter().totalTokens)
        let running = RaceCounter()
        let gate = TestThreadGate()
        try await withNursery { nursery in
            for _ in 0..<40 {
                nursery.startSoon {
                    try await ToThread.runSync(limiter: limiter) {
                        running.add()
                        gate.waitBlocking(timeout: .seconds(30))
                    }
                }
            }
            try await testWaitUntil("40 closures block their threads") { running.value == 40 }
            // Other tasks still run while every default worker is blocked.
            let progress = RaceCounter()
            try await withNursery { others in
                for _ in 0..<8 {
                    others.startSoon {
                        for _ in 0..<200 { try await LowLevel.checkpoint() }
                        try await sleep(for: .milliseconds(1))
                        progress.add()
                    }
                }
            }
            #expect(progress.value == 8)
            #expect(!gate.isOpen)
            gate.open()
        }
    }
    // issue 4: "a blocking closure does not starve the cooperative pool"

    @Test("runSync from the main actor returns to it")
    @MainActor
    func mainActorCaller() async throws {
        let state = TestMainActorState()
        let value = try await ToThread.runSync { 1 }
        state.counter += value  // still on the main actor
        MainActor.assertIsolated()
        #expect(state.counter == 1)
    }
}
