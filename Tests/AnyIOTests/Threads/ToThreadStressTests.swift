//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization
import Testing

@testable import AnyIO

@Suite("ToThread stress", .timeLimit(.minutes(2)))
struct ToThreadStressTests {
    @Test(
        "stress: calls cancelled at random moments, with and without abandon, some calling back",
        arguments: [0, 1, 2]
    )
    func stress(seed: Int) async throws {
        var generator = SystemRandomNumberGenerator()
        for iteration in 0..<max(1, raceIterations / 3) {
            let tokens = 1 + (iteration + seed) % 4
            let limiter = CapacityLimiter(totalTokens: tokens)
            let tasks = 10
            let running = RaceCounter(), maxRunning = RaceCounter()
            let runs = (0..<tasks).map { _ in RaceCounter() }
            let ended = (0..<tasks).map { _ in RaceFlag() }
            let returned = RaceCounter(), cancelled = RaceCounter()
            let abandons = (0..<tasks).map { _ in Bool.random(using: &generator) }
            let cancels = (0..<tasks).map { _ in Int.random(in: 0..<3, using: &generator) == 0 }
            let spins = (0..<tasks).map { _ in Int.random(in: 0..<6, using: &generator) }
            let callsBack = (0..<tasks).map { _ in Int.random(in: 0..<3, using: &generator) == 0 }
            try await withNursery { nursery in
                for index in 0..<tasks {
                    nursery.startSoon {
                        let scope = CancelScope()
                        if cancels[index] {
                            nursery.startSoon {
                                for _ in 0..<spins[index] { await Task.yield() }
                                scope.cancel()
                            }
                        }
                        let value = try await withCancelScope(scope) { _ in
                            try await ToThread.runSync(limiter: limiter, abandonOnCancel: abandons[index]) {
                                () throws -> Int in
                                runs[index].add()
                                let now = running.atomic.wrappingAdd(1, ordering: .relaxed).newValue
                                maxRunning.atomic.max(now, ordering: .relaxed)
                                defer {
                                    running.add(-1)
                                    ended[index].set()
                                }
                                if callsBack[index] {
                                    // May be refused (abandoned) or cancelled: either is fine here.
                                    _ = try? FromThread.run { () async throws -> Int in
                                        try await LowLevel.checkpoint()
                                        return index
                                    }
                                }
                                for _ in 0..<spins[index] * 100 { _ = try? FromThread.checkCancelled() }
                                return index
                            }
                        }
                        if let value {
                            #expect(value == index, "a call returned another call's value")
                            #expect(ended[index].isSet, "returned before its closure ended")
                            returned.add()
                        } else {
                            if !abandons[index] && runs[index].value > 0 {
                                #expect(
                                    ended[index].isSet,
                                    "a cancelled call without abandon left before its closure ended"
                                )
                            }
                            cancelled.add()
                        }
                    }
                }
            }
            #expect(returned.value + cancelled.value == tasks)
            // Abandoned closures may still run: wait until every token is back.
            try await testWaitUntil("abandoned threads gave their tokens back") { limiter.borrowedTokens == 0 }
            #expect(maxRunning.value <= tokens, "more closures ran at once than the limiter allows")
            for index in 0..<tasks {
                #expect(runs[index].value <= 1, "closure \(index) ran \(runs[index].value) times")
            }
            #expect(runs.reduce(0) { $0 + $1.value } >= returned.value)
            #expect(
                limiter.statistics()
                    == CapacityLimiterStatistics(borrowedTokens: 0, totalTokens: tokens, tasksWaiting: 0)
            )
        }
    }

    @Test("stress: many tasks hammer a small pool with short calls under moveOnAfter timeouts")
    func timeouts() async throws {
        let pool = WorkerThreadPool(idleTimeout: .milliseconds(5))
        let limiter = CapacityLimiter(totalTokens: 3)
        let ran = RaceCounter(), returned = RaceCounter(), timedOut = RaceCounter()
        let perTask = max(1, raceIterations / 3)
        try await withNursery { nursery in
            for task in 0..<8 {
                nursery.startSoon {
                    for i in 0..<perTask {
                        let timeout = Duration.microseconds(50 * ((task + i) % 5))
                        let value = try await moveOnAfter(timeout) { _ in
                            try await ToThread.runSync(limiter: limiter, abandonOnCancel: i % 2 == 0, pool: pool) {
                                ran.add()
                                return i
                            }
                        }
                        if let value {
                            #expect(value == i)
                            returned.add()
                        } else {
                            timedOut.add()
                        }
                    }
                }
            }
        }
        #expect(returned.value + timedOut.value == 8 * perTask)
        #expect(ran.value >= returned.value)
        try await testWaitUntil("every token is back") { limiter.borrowedTokens == 0 }
        #expect(limiter.statistics().tasksWaiting == 0)
        #expect(pool.threadCount <= 3 + 1, "threads: \(pool.threadCount)")
    }

    @Test("stress: threads retire while work is being handed to them")
    func retireRacesAssign() async throws {
        // Threads park at once (no spinning) and give up after 100 µs idle, so retiring races
        // with new submissions all the time.
        let pool = WorkerThreadPool(idleTimeout: .microseconds(100), spinTime: .zero)
        let limiter = CapacityLimiter(totalTokens: 4)
        let sum = RaceCounter()
        let perTask = max(1, raceIterations / 3)
        try await withNursery { nursery in
            for task in 0..<4 {
                nursery.startSoon {
                    for i in 0..<perTask {
                        if (i + task) % 3 == 0 { try await sleep(for: .microseconds(150)) }
                        sum.add(try await ToThread.runSync(limiter: limiter, abandonOnCancel: false, pool: pool) { 1 })
                    }
                }
            }
        }
        #expect(sum.value == 4 * perTask)
        try await testWaitUntil("every idle thread exited") { pool.threadCount == 0 }
        #expect(pool.state.withLock { $0.numberInUse.allSatisfy { !$0 } })
    }
}
