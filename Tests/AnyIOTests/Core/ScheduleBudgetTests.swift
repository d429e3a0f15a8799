//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Testing

@testable import AnyIO

// The cooperative schedule-point budget (SPEC C8, issue 15): fast paths spend budget instead of
// yielding, explicit checkpoints always yield, and a task spinning through fast paths still lets
// its siblings run.

/// The executor's threads on this machine (the cooperative pool has one per core).
private let coreCount = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

@Suite("Schedule-point budget", .serialized)
struct ScheduleBudgetTests {
    @Test("a fresh task spends 128 units before it must yield, then yields once and starts over")
    func budgetSpendsThenYields() async {
        // In a task of its own: the budget record of the test's task is unknown here.
        await Task.detached {
            // The first spend of a task found nothing of its own on this thread: a fresh budget.
            refillSchedulePointBudget()
            var spends = 0
            while !spendSchedulePointBudget() {
                spends += 1
                if spends > 10_000 { break }
            }
            // 128 operations, or fewer if 1 ms of this loop passed on a slow machine (TSan).
            #expect(spends >= 1 && spends <= 128)
            refillSchedulePointBudget()
            #expect(!spendSchedulePointBudget())
        }.value
    }

    @Test("every fast-path operation still counts as a schedule point for the checkpoint probe")
    func fastPathsAreSchedulePoints() async throws {
        let probe = CheckpointProbe()
        let lock = Lock()
        try await probe.measure {
            for _ in 0..<1000 {
                try await lock.acquire()
                lock.release()
            }
        }
        #expect(probe.cancelPoints >= 1000)
        #expect(probe.schedulePoints >= 1000)
    }

    // On a one-thread executor a sibling that yields in a loop runs only when the spinner yields:
    // its run count is the spinner's yield count. Yielding on every fast path (the old rule) would
    // let it run about once per operation; the budget, about once per 128 (plus one per 1 ms of
    // running on a slow machine).
    @Test("fast paths yield about once per 128 operations", arguments: ["lock", "channel", "event"])
    func fastPathsYieldRarely(_ kind: String) async throws {
        let operations = 2_000
        let executor = OneThreadExecutor()
        let siblingRuns = TestBox(0)
        let spinning = TestBox(true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: executor) {
                while spinning.value {
                    siblingRuns.update { $0 += 1 }
                    await Task.yield()
                }
            }
            group.addTask(executorPreference: executor) {
                defer { spinning.value = false }
                // Let the sibling start first, so the count covers the whole loop.
                await Task.yield()
                let before = siblingRuns.value
                switch kind {
                case "lock":
                    let lock = Lock()
                    for _ in 0..<operations {
                        try await lock.acquire()
                        lock.release()
                    }
                case "channel":
                    let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
                    for i in 0..<operations {
                        try await send.send(i)
                        _ = try await receive.receive()
                    }
                default:
                    let event = Event()
                    event.set()
                    for _ in 0..<operations { try await event.wait() }
                }
                let yields = siblingRuns.value - before
                #expect(yields < operations / 10, "\(kind): \(yields) yields in \(operations) fast paths")
            }
            try await group.waitForAll()
        }
    }

    @Test("fast paths still check cancellation every time (level-triggered, SPEC C1/C8)")
    func fastPathsStillCancel() async throws {
        let lock = Lock()
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 10)
        let event = Event()
        event.set()
        try await withCancelScope { scope in
            scope.cancel()
            for _ in 0..<3 {
                await #expect(throws: CancellationError.self) { try await lock.acquire() }
                await #expect(throws: CancellationError.self) { try await send.send(1) }
                await #expect(throws: CancellationError.self) { try await event.wait() }
            }
        }
        #expect(try send.trySend(7))
        #expect(try receive.tryReceive() == 7)
    }

    // The fairness proof of issue 15: more spinning tasks than the executor has threads, each
    // looping through fast paths that complete without suspending (uncontended locks, buffered
    // channel pairs), and a sibling that sleeps 1 ms at a time. If fast paths never yielded, the
    // spinners would hold every pool thread and the sibling would never wake (the test would hit
    // its time limit); with the budget each spinner yields at least every 128 operations or 1 ms.
    // Asserts progress and a generous bound on the worst gap, not a timing. The spinners also stop
    // by themselves after a few seconds, so a regression fails the gap check instead of hanging the
    // run (spinners that never yield would starve the test framework's own timer too): the worst
    // gap is then the whole spinning time, far above the bound, which is generous because the
    // machine may be busy with the rest of the test run.
    @Test("a sibling keeps ticking while more tasks than threads spin through fast paths",
          .timeLimit(.minutes(1)))
    func siblingKeepsTicking() async throws {
        // Sized to stay short: the suite runs beside every other suite of the test run, and
        // spinners starve them while they spin (they spin only while the sibling ticks).
        #if ANYIO_TSAN
        let ticks = 15
        let maxGap: Duration = .seconds(6)
        let spinFor: Duration = .seconds(15)
        #else
        let ticks = 30
        let maxGap: Duration = .seconds(3)
        let spinFor: Duration = .seconds(10)
        #endif
        let spinnerPairs = 1
        let spinOps = TestBox(0)
        let spinUntil = ContinuousClock.now + spinFor
        let gaps = TestBox<[Duration]>([])
        try await withNursery { nursery in
            for _ in 0..<(coreCount + 1) {
                nursery.startSoon {
                    let lock = Lock()
                    var done = 0
                    defer { spinOps.update { $0 += done } }
                    while ContinuousClock.now < spinUntil {
                        try await lock.acquire()
                        lock.release()
                        done += 1
                    }
                }
            }
            for _ in 0..<spinnerPairs {
                let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1024)
                nursery.startSoon {
                    var i = 0
                    while ContinuousClock.now < spinUntil {
                        try await send.send(i)
                        i &+= 1
                    }
                }
                nursery.startSoon {
                    var done = 0
                    defer { spinOps.update { $0 += done } }
                    while ContinuousClock.now < spinUntil {
                        _ = try await receive.receive()
                        done += 1
                    }
                }
            }
            var last = ContinuousClock.now
            for _ in 0..<ticks {
                try await sleep(for: .milliseconds(1))
                let now = ContinuousClock.now
                gaps.append(now - last)
                last = now
            }
            nursery.cancelScope.cancel()
        }
        #expect(gaps.value.count == ticks)
        #expect(spinOps.value > 0, "the spinners ran")
        let worst = gaps.value.max() ?? .zero
        #expect(worst < maxGap, "the sibling's worst gap was \(worst)")
    }
}

/// A task executor that runs one job at a time (a serial Dispatch queue): tasks that prefer it
/// interleave only where they suspend or yield.
private final class OneThreadExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "anyio.tests.one-thread-executor")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
