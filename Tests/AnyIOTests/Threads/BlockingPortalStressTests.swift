//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization
import Testing

@testable import AnyIO

@Suite("BlockingPortal stress", .timeLimit(.minutes(2)))
struct BlockingPortalStressTests {
    @Test("stress: threads call into a portal while tasks are cancelled at random", arguments: [0, 1])
    func callsAndCancellations(seed: Int) async throws {
        let threads = 4
        let perThread = max(2, raceIterations / 5)
        let limiter = CapacityLimiter(totalTokens: threads)
        let values = RaceCounter(), cancelled = RaceCounter(), bodies = RaceCounter()
        try await withBlockingPortal { portal in
            try await withNursery { nursery in
                for thread in 0..<threads {
                    nursery.startSoon {
                        try await ToThread.runSync(limiter: limiter) {
                            var generator = SystemRandomNumberGenerator()
                            for i in 0..<perThread {
                                let expected = thread * 10_000 + i
                                let task = try portal.startTaskSoon { () async throws -> Int in
                                    bodies.add()
                                    for _ in 0..<((i + seed) % 4) { try await LowLevel.checkpoint() }
                                    return expected
                                }
                                if Int.random(in: 0..<3, using: &generator) == 0 { task.cancel() }
                                do {
                                    let value = try task.result()
                                    #expect(value == expected)
                                    values.add()
                                } catch is CancellationError {
                                    cancelled.add()
                                }
                                if i % 5 == 0 {
                                    #expect(try portal.call { expected } == expected)
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(values.value + cancelled.value == threads * perThread)
        #expect(bodies.value <= threads * perThread)
        #expect(bodies.value >= values.value)
    }

    @Test(
        "stress: stop(cancelRemaining:) races with submissions; every accepted call completes",
        arguments: [false, true]
    )
    func stopRacesSubmissions(cancelRemaining: Bool) async throws {
        for iteration in 0..<max(1, raceIterations / 10) {
            let accepted = RaceCounter(), refused = RaceCounter(), completed = RaceCounter()
            let limiter = CapacityLimiter(totalTokens: 3)
            let portal = startBlockingPortal()
            try await withNursery { nursery in
                for _ in 0..<3 {
                    nursery.startSoon {
                        try await ToThread.runSync(limiter: limiter) {
                            while true {
                                do {
                                    let task = try portal.startTaskSoon { () async throws -> Int in
                                        try await LowLevel.checkpoint()
                                        return 1
                                    }
                                    accepted.add()
                                    _ = try? task.result()
                                    completed.add()
                                } catch is BlockingPortalStoppedError {
                                    refused.add()
                                    return
                                }
                            }
                        }
                    }
                }
                nursery.startSoon {
                    for _ in 0..<(iteration % 7) { await Task.yield() }
                    try await ToThread.runSync { portal.stop(cancelRemaining: cancelRemaining) }
                }
            }
            #expect(refused.value == 3)
            #expect(accepted.value == completed.value)
            #expect(!portal.isRunning)
            #expect(portal.storage.state.withLock { $0.isFinished })
        }
    }
}
