//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AnyIO
@testable import AnyIOTesting
import Synchronization
import Testing

/// Shared, ordered records for the tests below.
private final class Record<Element: Sendable>: Sendable {
    private let items = StateLock<[Element]>([])
    func append(_ item: Element) { items.withLock { $0.append(item) } }
    var all: [Element] { items.withLock { $0 } }
}

/// The virtual time elapsed since every mock clock's start.
private func virtualElapsed() -> Duration {
    currentTime() - MockClock.initialInstant
}

/// A real clock the test moves by hand (Trio's `c._real_clock = lambda: REAL_NOW`).
private final class FakeRealTime: Sendable {
    private let instant = StateLock(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func pass(_ duration: Duration) { instant.withLock { $0 += duration } }
}

private func isClose(_ a: Duration, _ b: Duration) -> Bool {
    abs(a - b) < .microseconds(1)
}

private func abs(_ d: Duration) -> Duration { d < .zero ? .zero - d : d }

@Suite("MockClock", .timeLimit(.minutes(1)))
struct MockClockTests {
    // MARK: - The cases

    @Test("a 1-hour failAfter around sleepForever throws TimeoutError in well under a second",
          .anyIO(clock: .mock(autojump: .zero)))
    func hourLongTimeout() async throws {
        let realStart = ContinuousClock.now
        await #expect(throws: TimeoutError.self) {
            try await failAfter(.seconds(3600)) { _ -> Void in try await sleepForever() }
        }
        // About 10 ms on an idle machine; the bound leaves room for a loaded one (the full suite
        // runs stress tests beside this) while still far below the hour.
        #expect(ContinuousClock.now - realStart < .seconds(5))
        #expect(virtualElapsed() == .seconds(3600))
    }

    @Test("nested deadlines fire in order, each at its own virtual instant",
          .anyIO(clock: .mock(autojump: .zero)))
    func nestedDeadlinesInOrder() async throws {
        let record = Record<(String, Duration)>()
        try await moveOnAfter(.seconds(30)) { _ in
            try await moveOnAfter(.seconds(20)) { _ in
                try await moveOnAfter(.seconds(10)) { _ in try await sleepForever() }
                record.append(("inner", virtualElapsed()))
                try await sleepForever()
            }
            record.append(("middle", virtualElapsed()))
            try await sleepForever()
        }
        record.append(("outer", virtualElapsed()))
        // The same deadlines in sibling tasks, armed in reverse order.
        try await withNursery { nursery in
            for seconds in [3, 1, 2] {
                nursery.startSoon {
                    try await moveOnAfter(.seconds(100 + seconds)) { _ in try await sleepForever() }
                    record.append(("child \(seconds)", virtualElapsed()))
                }
            }
        }
        #expect(record.all.map(\.0) == ["inner", "middle", "outer", "child 1", "child 2", "child 3"])
        #expect(record.all.map(\.1) == [10, 20, 30, 131, 132, 133].map { Duration.seconds($0) })
    }

    @Test("currentEffectiveDeadline and CancelScope.deadline report virtual instants", .anyIO(clock: .mock()))
    func effectiveDeadlineIsVirtual() async throws {
        let clock = try #require(MockClock.current)
        #expect(currentTime() == MockClock.initialInstant)
        try await failAfter(.seconds(5)) { scope in
            #expect(currentEffectiveDeadline() == MockClock.initialInstant + .seconds(5))
            #expect(scope.deadline == MockClock.initialInstant + .seconds(5))
            try await moveOnAfter(.seconds(2)) { _ in
                #expect(currentEffectiveDeadline() == MockClock.initialInstant + .seconds(2))
            }
            clock.advance(by: .seconds(1))
            #expect(currentTime() == MockClock.initialInstant + .seconds(1))
            #expect(currentEffectiveDeadline() == MockClock.initialInstant + .seconds(5))
        }
    }

    @Test("a worker thread holds the clock: a 200 ms thread call under failAfter(1 s) returns",
          .anyIO(clock: .mock(autojump: .zero)))
    func threadHoldsClock() async throws {
        // A sibling sleeps far longer, so a deadline is pending the whole time: an autojump
        // would reach the 1 s deadline at once if the thread did not hold the clock.
        try await withNursery { nursery in
            nursery.startSoon { try await sleep(for: .seconds(10)) }
            let value = try await failAfter(.seconds(1)) { _ in
                try await ToThread.runSync { usleep(200_000); return 7 }
            }
            #expect(value == 7)
            #expect(virtualElapsed() < .seconds(1))
        }
    }

    @Test("a thread call times out when the clock is advanced by hand past its deadline", .anyIO(clock: .mock()))
    func manualAdvanceTimesOutThread() async throws {
        // The closure stands for a 10-second `usleep`: it sleeps in 10 ms steps for up to 10 s of
        // real time, but checks for cancellation between steps (`FromThread.checkCancelled()`),
        // so once the advanced clock has fired the deadline it ends within ~10 ms. The call
        // holds the clock against autojump only; a manual advance still moves it.
        let clock = try #require(MockClock.current)
        let stoppedEarly = StateLock(false)
        try await withNursery { nursery in
            nursery.startSoon {
                try await waitAllTasksBlocked()   // the caller waits for its thread
                clock.advance(by: .seconds(2))
            }
            await #expect(throws: TimeoutError.self) {
                try await failAfter(.seconds(1)) { _ in
                    try await ToThread.runSync {
                        let end = ContinuousClock.now + .seconds(10)
                        while ContinuousClock.now < end {
                            do {
                                try FromThread.checkCancelled()
                            } catch {
                                stoppedEarly.withLock { $0 = true }
                                throw error
                            }
                            usleep(10_000)
                        }
                    }
                }
            }
        }
        // The thread stopped because the advanced clock fired the deadline, not after 10 s.
        #expect(stoppedEarly.withLock { $0 })
        #expect(virtualElapsed() == .seconds(2))
    }

    // MARK: - Trio's test_mock_clock.py

    @Test("time moves by hand and at a rate, measured against a real clock the test controls")
    func clockArithmetic() {
        let real = FakeRealTime()
        let clock = MockClock(realNow: { real.now })
        let start = MockClock.initialInstant
        #expect(clock.rate == 0)
        #expect(clock.now == start)
        clock.advance(by: .milliseconds(1_200))
        #expect(clock.now == start + .milliseconds(1_200))
        real.pass(.seconds(5))   // frozen: real time does not matter
        #expect(clock.now == start + .milliseconds(1_200))

        clock.rate = 2
        #expect(clock.now == start + .milliseconds(1_200))
        real.pass(.seconds(1))
        #expect(isClose(clock.now - start, .milliseconds(3_200)))

        clock.rate = 0.5
        #expect(isClose(clock.now - start, .milliseconds(3_200)))
        clock.advance(by: .milliseconds(800))
        #expect(isClose(clock.now - start, .seconds(4)))
        real.pass(.seconds(1))
        #expect(isClose(clock.now - start, .milliseconds(4_500)))

        clock.jump(to: start + .seconds(10))
        #expect(isClose(clock.now - start, .seconds(10)))

        let other = MockClock(rate: 3)
        #expect(other.rate == 3)
        #expect(other.now - start < .seconds(10))
        #expect(other != clock)
        #expect(MockClock.current == nil)
    }
    // trio: src/trio/_core/_tests/test_mock_clock.py::test_mock_clock

    @Test("autojump: sleeps of up to 90 s advance virtual time exactly, in under a second", .anyIO(clock: .mock()))
    func autojump() async throws {
        let clock = try #require(MockClock.current)
        #expect(clock.autojumpThreshold == nil)
        clock.autojumpThreshold = .zero
        #expect(clock.autojumpThreshold == .zero)

        let realStart = ContinuousClock.now
        var virtualStart = currentTime()
        for i in 0..<10 {
            try await sleep(for: .seconds(10 * i))
            #expect(currentTime() == virtualStart + .seconds(10 * i))
            virtualStart = currentTime()
        }
        // Trio asserts under a second; unloaded this takes milliseconds, but the suite runs
        // beside stress tests that can keep the cooperative pool busy for a while.
        #expect(ContinuousClock.now - realStart < .seconds(10))

        // waitAllTasksBlocked returns before a 20 ms threshold jumps anything.
        clock.autojumpThreshold = .milliseconds(20)
        let t = currentTime()
        try await waitAllTasksBlocked()
        #expect(currentTime() == t)

        // A huge threshold, then zero: the change applies at once.
        clock.autojumpThreshold = .seconds(10_000)
        try await waitAllTasksBlocked()
        clock.autojumpThreshold = .zero
        try await sleep(for: .seconds(100_000))
    }
    // trio: src/trio/_core/_tests/test_mock_clock.py::test_mock_clock_autojump

    @Test("the threshold of a clock that is not the run's does nothing", .anyIO(clock: .mock(autojump: .milliseconds(20))))
    func autojumpInterference() async throws {
        let other = MockClock()
        other.autojumpThreshold = .milliseconds(10)
        #expect(MockClock.current != other)
        let realStart = ContinuousClock.now
        try await sleep(for: .seconds(100_000))
        #expect(ContinuousClock.now - realStart < .seconds(10))
        #expect(virtualElapsed() == .seconds(100_000))
        #expect(other.now == MockClock.initialInstant)
    }
    // trio: src/trio/_core/_tests/test_mock_clock.py::test_mock_clock_autojump_interference

    @Test("a threshold set before the clock is in use is picked up")
    func autojumpPreset() async throws {
        let clock = MockClock(autojumpThreshold: .milliseconds(100))
        clock.autojumpThreshold = .milliseconds(10)
        let realStart = ContinuousClock.now
        try await withMockClock(clock) {
            try await sleep(for: .seconds(10_000))
        }
        #expect(ContinuousClock.now - realStart < .seconds(10))  // milliseconds when not loaded
        #expect(clock.now - MockClock.initialInstant == .seconds(10_000))
    }
    // trio: src/trio/_core/_tests/test_mock_clock.py::test_mock_clock_autojump_preset

    @Test("autojump waits while a task is inside waitAllTasksBlocked", .anyIO(clock: .mock(autojump: .zero)))
    func autojumpAndWaitAllTasksBlocked() async throws {
        let record = Record<String>()
        try await withNursery { nursery in
            nursery.startSoon {
                try await sleep(for: .seconds(100))
                record.append("yawn")
            }
            nursery.startSoon {
                try await waitAllTasksBlocked()
                record.append("waiter woke")
                try await sleep(for: .seconds(1_000))
                record.append("waiter done")
            }
        }
        #expect(record.all == ["waiter woke", "yawn", "waiter done"])
    }
    // trio: src/trio/_core/_tests/test_mock_clock.py::test_mock_clock_autojump_0_and_wait_all_tasks_blocked_0

    @Test("creating a clock does not change the run's clock", .anyIO(clock: .mock()))
    func creatingLeavesRunAlone() throws {
        let before = try #require(MockClock.current)
        _ = MockClock(rate: 3, autojumpThreshold: .seconds(2))
        #expect(MockClock.current == before)
        #expect(before.rate == 0)
        #expect(before.autojumpThreshold == nil)
    }
    // trio: src/trio/_core/_tests/test_mock_clock.py::test_initialization_doesnt_mutate_runner

    // MARK: - More

    @Test("advance fires a sleeper and a deadline set on an entered scope", .anyIO(clock: .mock()))
    func manualAdvance() async throws {
        let clock = try #require(MockClock.current)
        let record = Record<String>()
        try await withNursery { nursery in
            nursery.startSoon {
                try await sleep(for: .seconds(10))
                record.append("slept")
            }
            let scope = try await nursery.start { (status: consuming TaskStatus<CancelScope>) in
                let scope = CancelScope()
                status.started(scope)
                try await withCancelScope(scope) { _ in try await sleepForever() }
                record.append("scope")
            }
            scope.deadline = currentTime() + .seconds(5)
            try await waitAllTasksBlocked()
            clock.advance(by: .seconds(4))
            try await waitAllTasksBlocked()
            #expect(record.all.isEmpty)
            clock.advance(by: .seconds(1))
            try await waitAllTasksBlocked()
            #expect(record.all == ["scope"])
            #expect(scope.cancelledCaught)
            clock.jump(to: MockClock.initialInstant + .seconds(10))
        }
        #expect(record.all == ["scope", "slept"])
    }

    @Test("a past deadline on virtual time cancels on entry, and sleeps that are due only checkpoint", .anyIO(clock: .mock()))
    func pastDeadlines() async throws {
        let clock = try #require(MockClock.current)
        clock.advance(by: .seconds(60))
        let caught: Void? = try await moveOnAt(MockClock.initialInstant + .seconds(30)) { _ in
            try await LowLevel.checkpoint()
        }
        #expect(caught == nil)
        try await sleep(until: MockClock.initialInstant + .seconds(59))
        try await sleep(for: .zero)
        #expect(virtualElapsed() == .seconds(60))
    }

    @Test("a virtual sleep is cancelled by its scope", .anyIO(clock: .mock()))
    func sleepCancelled() async throws {
        try await withNursery { nursery in
            nursery.startSoon { try await sleep(for: .seconds(3600)) }
            try await waitAllTasksBlocked()
            nursery.cancel()
        }
        #expect(virtualElapsed() == .zero)
    }

    @Test("at rate 1 virtual time follows real time and fires deadlines", .anyIO(clock: .mock(rate: 1)))
    func realRate() async throws {
        let realStart = ContinuousClock.now
        await #expect(throws: TimeoutError.self) {
            try await failAfter(.milliseconds(50)) { _ -> Void in try await sleepForever() }
        }
        let real = ContinuousClock.now - realStart
        #expect(real >= .milliseconds(45))   // the test's time limit bounds it from above
        #expect(virtualElapsed() >= .milliseconds(50))
    }

    @Test("FromThread.run inside a thread call may sleep on virtual time: the waiting thread does not hold the clock",
          .anyIO(clock: .mock(autojump: .zero)))
    func fromThreadSleeps() async throws {
        let value = try await ToThread.runSync {
            try FromThread.run {
                try await sleep(for: .seconds(60))
                return 5
            }
        }
        #expect(value == 5)
        #expect(virtualElapsed() == .seconds(60))
    }

    @Test("MockClock is a Clock: its own sleep uses its virtual time", .anyIO(clock: .mock(autojump: .zero)))
    func clockConformance() async throws {
        let clock = try #require(MockClock.current)
        try await clock.sleep(for: .seconds(30))
        #expect(clock.now - MockClock.initialInstant == .seconds(30))
        #expect(clock.minimumResolution == .nanoseconds(1))
        #expect(String(describing: clock).hasPrefix("MockClock(time: 30"))
    }

    @Test("withAnyIOTest takes a clock; the time limit stays real")
    func withAnyIOTestClock() async throws {
        let clock = MockClock(autojumpThreshold: .zero)
        try await withAnyIOTest(timeLimit: .seconds(20), clock: clock) {
            try await withNursery { nursery in
                nursery.startSoon { try await sleep(for: .seconds(3600)) }
            }
            #expect(MockClock.current == clock)
        }
        #expect(clock.now - MockClock.initialInstant == .seconds(3600))
        #expect(MockClock.current == nil)
    }

    @Test("a failure thrown by a test body on virtual time reaches the test unwrapped")
    func errorsUnwrapped() async throws {
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await withAnyIOTest(clock: MockClock()) {
                try await runAsLibraryTask(name: "body") { throw Boom() }
            }
        }
    }
}
