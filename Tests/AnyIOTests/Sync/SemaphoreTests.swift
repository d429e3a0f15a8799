//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization
import Testing

@testable import AnyIO

@Suite("Semaphore", .timeLimit(.minutes(1)))
struct SemaphoreTests {
    @Test("withPermit: two tasks share two permits; all are back afterwards")
    func withPermit() async throws {
        let semaphore = Semaphore(initialValue: 2)
        let seen = TestBox<[Int]>([])
        try await withNursery { nursery in
            for _ in 0..<2 {
                nursery.startSoon {
                    try await semaphore.withPermit { seen.append(semaphore.value) }
                }
            }
        }
        #expect(seen.value.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(seen.value.count == 2)
        #expect(semaphore.value == 2)
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_contextmanager

    @Test("acquire and release by hand")
    func manualAcquire() async throws {
        let semaphore = Semaphore(initialValue: 2)
        let seen = TestBox<[Int]>([])
        try await withNursery { nursery in
            for _ in 0..<2 {
                nursery.startSoon {
                    try await semaphore.acquire()
                    defer { semaphore.release() }
                    seen.append(semaphore.value)
                }
            }
        }
        #expect(seen.value.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(semaphore.value == 2)
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_manual_acquire

    @Test("fastAcquire: an uncontended acquire takes the permit and still checks cancellation")
    func fastAcquire() async throws {
        let semaphore = Semaphore(initialValue: 1, fastAcquire: true)
        try await semaphore.withPermit { #expect(semaphore.value == 0) }
        #expect(semaphore.value == 1)
        // Still a cancel point: a cancelled caller takes nothing.
        let result: Void? = try await withCancelScope { scope in
            scope.cancel()
            try await semaphore.acquire()
        }
        #expect(result == nil)
        #expect(semaphore.value == 1)
        // Contended, it waits like any acquire.
        try await semaphore.acquire()
        let acquired = RaceFlag()
        try await withNursery { nursery in
            nursery.startSoon {
                try await semaphore.acquire()
                acquired.set()
                semaphore.release()
            }
            try await testWaitUntil("the second acquire waits") { semaphore.statistics().tasksWaiting == 1 }
            #expect(!acquired.isSet)
            semaphore.release()
        }
        #expect(acquired.isSet)
        #expect(semaphore.value == 1)
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_fast_acquire
    // (That no yield happens is not observable on the multi-threaded cooperative pool, where the
    // other task may run in parallel anyway; the cancellation check and the waiting are.)

    @Test("tryAcquire takes a free permit, and fails without one")
    func tryAcquire() {
        let semaphore = Semaphore(initialValue: 1)
        #expect(semaphore.tryAcquire())
        #expect(semaphore.value == 0)
        #expect(!semaphore.tryAcquire())
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_acquire_nowait

    @Test("a waiter cancelled during acquire takes no permit", arguments: [false, true])
    func cancelDuringAcquire(releaseFirst: Bool) async throws {
        let semaphore = Semaphore(initialValue: 1)
        let acquired = RaceFlag()
        try await withNursery { nursery in
            try await semaphore.acquire()
            try await nursery.start { (status: consuming TaskStatus<Void>) in
                status.started()
                try await semaphore.withPermit { acquired.set() }
            }
            nursery.cancel()
            try await withCancelScope(shield: true) { _ in
                if releaseFirst {
                    semaphore.release()
                    try await testWaitUntil("the waiter is gone") { semaphore.statistics().tasksWaiting == 0 }
                } else {
                    try await testWaitUntil("the waiter is gone") { semaphore.statistics().tasksWaiting == 0 }
                    semaphore.release()
                }
            }
        }
        #expect(!acquired.isSet)
        #expect(semaphore.value == 1)
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_cancel_during_acquire

    @Test("maxValue is reported", arguments: [2, nil] as [Int?])
    func maxValue(maxValue: Int?) {
        let semaphore = Semaphore(initialValue: 0, maxValue: maxValue)
        #expect(semaphore.maxValue == maxValue)
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_max_value

    @Test("releasing past maxValue traps, naming the maximum")
    func maxValueExceeded() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let semaphore = Semaphore(initialValue: 1, maxValue: 2)
            semaphore.release()
            semaphore.release()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("maxValue 2"), "stderr: \(stderr)")
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_max_value_exceeded
    // spec: S3

    @Test("a negative initialValue traps")
    func negativeInitialValueTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Semaphore(initialValue: -1)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("initialValue"), "stderr: \(stderr)")
    }

    @Test("a maxValue below initialValue traps")
    func maxValueBelowInitialTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Semaphore(initialValue: 3, maxValue: 2)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("maxValue"), "stderr: \(stderr)")
    }

    @Test("statistics count the waiting tasks")
    func statistics() async throws {
        let semaphore = Semaphore(initialValue: 1)
        try await withNursery { nursery in
            #expect(semaphore.statistics().tasksWaiting == 0)
            try await semaphore.withPermit {
                #expect(semaphore.statistics().tasksWaiting == 0)
                for waiting in 1...2 {
                    nursery.startSoon { try await semaphore.withPermit {} }
                    try await testWaitUntil("\(waiting) waiting") { semaphore.statistics().tasksWaiting == waiting }
                }
            }
        }
        #expect(semaphore.statistics().tasksWaiting == 0)
        #expect(semaphore.value == 1)
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_statistics

    @Test("a release with a waiter hands it the permit: a later tryAcquire cannot take it")
    func acquireRace() async throws {
        let semaphore = Semaphore(initialValue: 1)
        try await withNursery { nursery in
            #expect(semaphore.tryAcquire())
            nursery.startSoon { try await semaphore.acquire() }
            try await testWaitUntil("the waiter waits") { semaphore.statistics().tasksWaiting == 1 }
            semaphore.release()
            #expect(!semaphore.tryAcquire())
        }
        #expect(semaphore.value == 0)  // the waiter kept its permit
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_acquire_race

    @Test("a holder cancelled while holding does not block the next task")
    func cancelledHolderDoesNotDeadlock() async throws {
        let semaphore = Semaphore(initialValue: 1)
        try await withNursery { nursery in
            let first = nursery.startSoon {
                try await semaphore.withPermit { try await sleep(for: .seconds(100)) }
            }
            let second = nursery.startSoon {
                try await semaphore.withPermit { try await LowLevel.checkpoint() }
            }
            try await testWaitUntil("the second waits") { semaphore.statistics().tasksWaiting == 1 }
            first.cancel()
            try await failAfter(.seconds(5)) { _ in try await second.value }
        }
        #expect(semaphore.value == 1)
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_asyncio_deadlock

    @Test("a release racing a waiter's cancellation loses no permit")
    func cancelAfterRelease() async throws {
        for iteration in 0..<20 {
            let semaphore = Semaphore(initialValue: 0, maxValue: 1)
            let outcome = TestBox<String>("none")
            try await withNursery { nursery in
                let waiter = nursery.startSoon {
                    do {
                        try await semaphore.acquire()
                        outcome.value = "acquired"
                        semaphore.release()  // the caller owns the permit it was handed
                    } catch is CancellationError {
                        outcome.value = "cancelled"
                    }
                }
                try await testWaitUntil("the waiter waits") { semaphore.statistics().tasksWaiting == 1 }
                if iteration % 2 == 0 {
                    semaphore.release()
                    waiter.cancel()
                } else {
                    waiter.cancel()
                    semaphore.release()
                }
            }
            #expect(outcome.value != "none")
            #expect(semaphore.value == 1, "iteration \(iteration): \(outcome.value)")
            #expect(semaphore.statistics().tasksWaiting == 0)
            #expect(semaphore.tryAcquire())
        }
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_cancel_after_release

    @Test("a waiter cancelled through its handle leaves; the permit stays free")
    func cancelledAfterAcquire() async throws {
        let semaphore = Semaphore(initialValue: 1, maxValue: 1)
        #expect(semaphore.tryAcquire())
        try await withNursery { nursery in
            let waiter = nursery.startSoon { try await semaphore.acquire() }
            try await testWaitUntil("the waiter waits") { semaphore.statistics().tasksWaiting == 1 }
            waiter.cancel()
            semaphore.release()
            #expect(semaphore.statistics().tasksWaiting == 0)
            try await failAfter(.seconds(3)) { _ in try await semaphore.acquire() }
        }
        #expect(semaphore.value == 0)
    }
    // anyio: tests/test_synchronization.py::TestSemaphore::test_cancelled_after_acquire

    @Test("waiters are woken first come, first served")
    func fifoWakeups() async throws {
        let semaphore = Semaphore(initialValue: 0)
        let order = TestBox<[Int]>([])
        try await withNursery { nursery in
            for index in 0..<5 {
                nursery.startSoon {
                    try await semaphore.acquire()
                    order.append(index)
                }
                try await testWaitUntil("waiter \(index) queued") { semaphore.statistics().tasksWaiting == index + 1 }
            }
            for released in 1...5 {
                semaphore.release()
                try await testWaitUntil("\(released) woken") { order.value.count == released }
            }
        }
        #expect(order.value == [0, 1, 2, 3, 4])
        #expect(semaphore.value == 0)
    }
    // spec: S3

    @Test("acquire with a free permit is still a checkpoint: a cancelled caller takes nothing")
    func acquireIsCheckpoint() async throws {
        let semaphore = Semaphore(initialValue: 1)
        let result: Void? = try await withCancelScope { scope in
            scope.cancel()
            try await semaphore.acquire()
        }
        #expect(result == nil)
        #expect(semaphore.value == 1)
        let permit: Void? = try await withCancelScope { scope in
            scope.cancel()
            try await semaphore.withPermit { () -> Void in Issue.record("body ran in a cancelled scope") }
        }
        #expect(permit == nil)
        #expect(semaphore.value == 1)
    }
    // spec: C8, C9

    @Test("withPermit releases when the body throws, and returns the body's value")
    func withPermitReleasesOnThrow() async throws {
        let semaphore = Semaphore(initialValue: 1)
        await #expect(throws: TestError("boom")) {
            try await semaphore.withPermit { throw TestError("boom") }
        }
        #expect(semaphore.value == 1)
        let value = try await semaphore.withPermit { semaphore.value + 40 }
        #expect(value == 40)
        #expect(semaphore.value == 1)
    }

    @Test("withPermit runs its body on the caller's actor")
    @MainActor
    func withPermitOnMainActor() async throws {
        let state = TestMainActorState()
        let semaphore = Semaphore(initialValue: 1)
        try await semaphore.withPermit {
            MainActor.assertIsolated()
            state.counter += 1
        }
        #expect(state.counter == 1)
    }

    @Test("description shows value, maximum and waiters")
    func description() {
        let semaphore = Semaphore(initialValue: 1, maxValue: 3)
        #expect(semaphore.description == "Semaphore(value 1, max 3, 0 waiting)")
    }

    @Test("stress: many tasks acquire and release under random cancellation", arguments: [0, 1])
    func stress(seed: Int) async throws {
        var generator = SystemRandomNumberGenerator()
        for iteration in 0..<max(1, raceIterations / 10) {
            let permits = 1 + (iteration + seed) % 3
            let semaphore = Semaphore(initialValue: permits, fastAcquire: iteration % 2 == 0)
            let holders = RaceCounter(), maxHolders = RaceCounter()
            let completed = RaceCounter(), cancelled = RaceCounter()
            let tasks = 12
            let spins = (0..<tasks).map { _ in Int.random(in: 0..<4, using: &generator) }
            let cancels = (0..<tasks).map { _ in Int.random(in: 0..<3, using: &generator) == 0 }
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
                        let done: Void? = try await withCancelScope(scope) { _ in
                            for _ in 0..<3 {
                                try await semaphore.withPermit {
                                    let now = holders.atomic.wrappingAdd(1, ordering: .relaxed).newValue
                                    maxHolders.atomic.max(now, ordering: .relaxed)
                                    await Task.yield()
                                    holders.add(-1)
                                }
                            }
                        }
                        if done == nil { cancelled.add() } else { completed.add() }
                    }
                }
            }
            #expect(completed.value + cancelled.value == tasks)
            #expect(maxHolders.value <= permits)
            #expect(maxHolders.value >= 1)
            #expect(semaphore.value == permits, "permits lost or duplicated")
            #expect(semaphore.statistics().tasksWaiting == 0)
        }
    }
}
