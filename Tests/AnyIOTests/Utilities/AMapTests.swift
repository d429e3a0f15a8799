//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

extension UtilitiesTests {
    @Suite("amap", .timeLimit(.minutes(1)))
    struct AMapTests {
        @Test("results come back in input order, not completion order")
        func resultsOrdering() async throws {
            // Chained events make the transforms complete in reverse order (3, 2, 1).
            let events = [Event(), Event(), Event()]
            events[2].set()
            let results = try await amap([1, 2, 3]) { value in
                try await events[value - 1].wait()
                if value > 1 { events[value - 2].set() }
                return value * 2
            }
            #expect(results == [2, 4, 6])
        }
        // anyio: tests/test_concurrency_utils.py::test_map_results_ordering

        @Test("an empty source gives an empty result")
        func emptyArgs() async throws {
            let fromArray = try await amap([Int]()) { $0 * 2 }
            #expect(fromArray.isEmpty)
            let fromStream = try await amap(AsyncStream<Int> { $0.finish() }, maxConcurrency: 2) { $0 * 2 }
            #expect(fromStream.isEmpty)
        }
        // anyio: tests/test_concurrency_utils.py::test_map_empty_args

        @Test("a failing transform makes amap throw an ErrorGroup")
        func propagatesError() async throws {
            let group = await #expect(throws: ErrorGroup.self) {
                try await amap([1, 2, 3]) { value in
                    if value == 2 { throw TestError("boom") }
                    return value
                }
            }
            #expect(group?.errors.count == 1)
            #expect(group?.errors.first as? TestError == TestError("boom"))
        }
        // anyio: tests/test_concurrency_utils.py::test_map_propagates_exception

        @Test("an async sequence source gives results in its order")
        func asyncSequenceSource() async throws {
            let source = AsyncStream<Int> { continuation in
                for value in 1...5 { continuation.yield(value) }
                continuation.finish()
            }
            let results = try await amap(source, maxConcurrency: 2) { value in
                try await LowLevel.checkpoint()
                return "\(value)"
            }
            #expect(results == ["1", "2", "3", "4", "5"])
        }
        // issue 5

        @Test("never more than maxConcurrency transforms run at once", arguments: [1, 2, 3])
        func boundedConcurrency(maxConcurrency: Int) async throws {
            let counts = TestBox((inFlight: 0, peak: 0))
            // Opened once `maxConcurrency` transforms are running at the same time: each transform
            // waits for it, so the bound is reached (and an unbounded amap would overshoot it).
            let full = Event()
            let results = try await amap(Array(0..<10), maxConcurrency: maxConcurrency) { value in
                let inFlight = counts.update { counts -> Int in
                    counts.inFlight += 1
                    counts.peak = max(counts.peak, counts.inFlight)
                    return counts.inFlight
                }
                if inFlight == maxConcurrency { full.set() }
                try await full.wait()
                for _ in 0..<3 { try await LowLevel.checkpoint() }
                counts.update { $0.inFlight -= 1 }
                return value
            }
            #expect(results == Array(0..<10))
            #expect(counts.value.peak == maxConcurrency)
        }
        // issue 5

        @Test("the source is not pulled while every slot is busy")
        func backPressure() async throws {
            let pulls = TestBox(0)
            let started = TestBox(0)
            let release = Event()
            let results = TestBox<[Int]>([])
            try await withNursery { nursery in
                nursery.startSoon {
                    results.value = try await amap(TestCountingSource(count: 5, pulls: pulls), maxConcurrency: 2) {
                        value in
                        started.update { $0 += 1 }
                        try await release.wait()
                        return value
                    }
                }
                try await testWaitUntil("two transforms are running") { started.value == 2 }
                // Room for a wrong amap to pull further; a right one waits for a free slot.
                for _ in 0..<50 { await Task.yield() }
                #expect(pulls.value == 2)
                #expect(started.value == 2)
                release.set()
            }
            #expect(results.value == [0, 1, 2, 3, 4])
            #expect(pulls.value == 6)  // five elements, then the end
        }
        // issue 5

        @Test("a failing transform cancels the others and stops an endless source")
        func errorCancelsRest() async throws {
            let cancelled = TestBox(0)
            let group = await #expect(throws: ErrorGroup.self) {
                try await amap(0..., maxConcurrency: 2) { value -> Int in
                    if value == 1 { throw TestError("boom") }
                    do {
                        try await sleepForever()
                    } catch {
                        if error is CancellationError { cancelled.update { $0 += 1 } }
                        throw error
                    }
                }
            }
            #expect(group?.errors.count == 1)
            #expect(group?.errors.first as? TestError == TestError("boom"))
            #expect(cancelled.value >= 1)
        }
        // issue 5; spec: N3

        @Test("an error thrown by the source cancels the transforms and is thrown in an ErrorGroup")
        func sourceError() async throws {
            let (source, continuation) = AsyncThrowingStream<Int, any Error>.makeStream()
            continuation.yield(1)
            continuation.finish(throwing: TestError("source"))
            let group = await #expect(throws: ErrorGroup.self) {
                try await amap(source, maxConcurrency: 2) { value -> Int in
                    try await sleepForever()
                }
            }
            #expect(group?.errors.count == 1)
            #expect(group?.errors.first as? TestError == TestError("source"))
        }
        // issue 5

        @Test("transforms run concurrently: two that wait for each other both finish")
        func runsConcurrently() async throws {
            let events = [Event(), Event()]
            let results = try await amap([0, 1], maxConcurrency: 2) { index in
                events[index].set()
                try await events[1 - index].wait()
                return index
            }
            #expect(results == [0, 1])
        }
        // issue 5

        @Test("cancelling the caller cancels every transform; all have ended when amap returns",
              arguments: [CallerCancellation.native, .scope])
        func callerCancellation(_ how: CallerCancellation) async throws {
            let sleepers = SleepingOperations()
            let (started, exited, cancelled) = (sleepers.started, sleepers.exited, sleepers.cancelled)
            let outcome = TestBox<(threwCancellation: Bool, exitedAtReturn: Int)?>(nil)
            try await how.run {
                do {
                    _ = try await amap(0..., maxConcurrency: 3) { _ in try await sleepers.run() }
                } catch {
                    outcome.value = (error is CancellationError, exited.value)
                }
            } whenRunning: {
                try await testWaitUntil("three transforms started") { started.value == 3 }
            }
            #expect(outcome.value?.threwCancellation == true)
            #expect(outcome.value?.exitedAtReturn == 3)
            #expect(started.value == 3)
            #expect(cancelled.value == 3)
        }
        // issue 5

        @Test("the source is iterated on the caller's actor")
        @MainActor
        func sourceOnCallerActor() async throws {
            let state = TestMainActorState()
            let source = (1...3).lazy.map { value in
                state.counter += 1  // main-actor state, touched while the source is iterated
                return value
            }
            let results = try await amap(source, maxConcurrency: 2) { $0 * 10 }
            #expect(results == [10, 20, 30])
            #expect(state.counter == 3)
        }
        // issue 5

        @Test("a maxConcurrency below 1 traps, naming the parameter")
        func maxConcurrencyBelowOneTraps() async throws {
            let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
                _ = try await amap([1], maxConcurrency: 0) { $0 }
            }
            let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
            #expect(stderr.contains("maxConcurrency"), "stderr: \(stderr)")
        }
        // issue 5
    }
}

/// An asynchronous sequence of `0..<count` that counts every call of its iterator's `next()`.
private struct TestCountingSource: AsyncSequence {
    typealias Element = Int

    let count: Int
    let pulls: TestBox<Int>

    struct AsyncIterator: AsyncIteratorProtocol {
        let count: Int
        let pulls: TestBox<Int>
        var nextValue = 0

        mutating func next() async -> Int? {
            pulls.update { $0 += 1 }
            guard nextValue < count else { return nil }
            defer { nextValue += 1 }
            return nextValue
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(count: count, pulls: pulls)
    }
}
