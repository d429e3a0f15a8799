//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization
import Testing

@testable import AnyIO

/// The library's worker threads, through `ToThread.runSync` on pools of their own (so that the
/// thread counts are not disturbed by other tests using the shared pool).
@Suite("WorkerThreadPool", .timeLimit(.minutes(1)))
struct WorkerThreadPoolTests {
    /// Runs `count` calls at once on `pool`, all blocked until every one has started; returns the
    /// threads and their names.
    private func runConcurrently(_ count: Int, on pool: WorkerThreadPool) async throws -> [(UInt, String)] {
        let limiter = CapacityLimiter(totalTokens: count)
        let started = RaceCounter()
        let gate = TestThreadGate()
        let seen = TestBox([(UInt, String)]())
        try await withNursery { nursery in
            for _ in 0..<count {
                nursery.startSoon {
                    try await ToThread.runSync(limiter: limiter, abandonOnCancel: false, pool: pool) {
                        seen.append((testThreadID(), testThreadName()))
                        started.add()
                        gate.waitBlocking()
                    }
                }
            }
            try await testWaitUntil("\(count) calls run") { started.value == count }
            gate.open()
        }
        return seen.value
    }

    @Test("concurrent calls get a thread each, named AnyIO worker 1…n")
    func concurrentCallsGetThreads() async throws {
        let pool = WorkerThreadPool(idleTimeout: .seconds(10))
        let seen = try await runConcurrently(4, on: pool)
        #expect(Set(seen.map(\.0)).count == 4)
        #expect(Set(seen.map(\.1)) == ["AnyIO worker 1", "AnyIO worker 2", "AnyIO worker 3", "AnyIO worker 4"])
        #expect(pool.threadCount == 4)
        try await testWaitUntil("all threads idle") { pool.idleCount == 4 }
    }
    // issue 4: thread names for debugging

    @Test("idle threads exit after the idle timeout")
    func idleThreadsExit() async throws {
        let pool = WorkerThreadPool(idleTimeout: .milliseconds(100))
        let first = try await runConcurrently(3, on: pool)
        #expect(Set(first.map(\.0)).count == 3, "three threads ran at once")
        try await testWaitUntil("the idle threads exited", timeout: .seconds(5)) { pool.threadCount == 0 }
        #expect(pool.idleCount == 0)
        // The pool starts threads again on demand, reusing the numbers.
        let seen = try await runConcurrently(2, on: pool)
        #expect(Set(seen.map(\.1)) == ["AnyIO worker 1", "AnyIO worker 2"])
    }
    // anyio: WorkerThread.MAX_IDLE_TIME (10 s); tests/test_to_thread.py::test_asyncio_run_sync_multiple

    @Test("a thread is not retired while in use, and a busy pool keeps its threads")
    func busyThreadsStay() async throws {
        // A call that runs longer than the idle timeout keeps its thread.
        let pool = WorkerThreadPool(idleTimeout: .milliseconds(50))
        let during = try await ToThread.runSync(limiter: nil, abandonOnCancel: false, pool: pool) {
            testSleepThread(200_000)
            return pool.threadCount
        }
        #expect(during == 1, "the busy thread was retired while in use")
        // Sequential calls reuse the idle thread. The idle timeout is far longer than any gap
        // between the calls, also on a loaded machine, so this does not depend on timing.
        let steady = WorkerThreadPool(idleTimeout: .seconds(60))
        for _ in 0..<20 {
            _ = try await ToThread.runSync(limiter: nil, abandonOnCancel: false, pool: steady) { testSleepThread(1_000) }
        }
        #expect(steady.threadCount == 1, "sequential calls reuse one thread")
    }

    @Test("the most recently idled thread is reused first")
    func lifoReuse() async throws {
        let pool = WorkerThreadPool(idleTimeout: .seconds(10))
        let seen = try await runConcurrently(3, on: pool)
        try await testWaitUntil("all threads idle") { pool.idleCount == 3 }
        let lastIdle = pool.state.withLock { $0.idle.last.map { $0.number } }
        let next = try await ToThread.runSync(limiter: nil, abandonOnCancel: false, pool: pool) { testThreadName() }
        #expect(next == "AnyIO worker \(lastIdle ?? -1)")
        #expect(seen.count == 3)
    }

    @Test("without spinning, idle threads park and are woken")
    func noSpin() async throws {
        let pool = WorkerThreadPool(idleTimeout: .seconds(10), spinTime: .zero)
        var total = 0
        for i in 0..<200 {
            total += try await ToThread.runSync(limiter: nil, abandonOnCancel: false, pool: pool) { i }
        }
        #expect(total == 199 * 200 / 2)
        #expect(pool.threadCount == 1)
    }

    @Test("many short calls from many tasks: every call runs once, threads stay bounded")
    func manyShortCalls() async throws {
        let pool = WorkerThreadPool(idleTimeout: .milliseconds(20))
        let limiter = CapacityLimiter(totalTokens: 6)
        let sum = RaceCounter()
        try await withNursery { nursery in
            for task in 0..<12 {
                nursery.startSoon {
                    for i in 0..<50 {
                        let value = try await ToThread.runSync(limiter: limiter, abandonOnCancel: false, pool: pool) {
                            task * 1000 + i
                        }
                        sum.add(value)
                    }
                }
            }
        }
        #expect(sum.value == (0..<12).reduce(0) { $0 + 50 * $1 * 1000 } + 12 * (49 * 50 / 2))
        #expect(pool.threadCount <= 6, "never more threads than tokens (plus none extra here)")
        #expect(limiter.borrowedTokens == 0)
    }
}
