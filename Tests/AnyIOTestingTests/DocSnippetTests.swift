//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AnyIO
import AnyIOTesting
import Testing

// The snippets of AnyIOTesting's doc comments and DocC catalogue, compiled (and run, where they
// are tests or test bodies) so that they stay true. Each names where its snippet stands; keep the
// two in step. Lines marked `// (test)` are not part of the snippet.

// AnyIOTestTrait's doc comment.
@Suite(.anyIO(timeLimit: .seconds(5)))
struct ServerTests {
    @Test func stops() async throws { try await LowLevel.checkpoint() }
}

// AnyIOTestTrait.anyIO(timeLimit:)'s doc comment.
@Test(.anyIO(timeLimit: .seconds(5)))
func drains() async throws {
    try await withNursery { nursery in nursery.startSoon { try await LowLevel.checkpoint() } }
}

// Docs.docc/AnyIOTesting.md.
@Test(.anyIO(timeLimit: .seconds(5)))
func stepsRunInOrder() async throws {
    let sequencer = Sequencer()
    try await withNursery { nursery in
        nursery.startSoon { try await sequencer.step(1) { print("second") } }
        try await sequencer.step(0) { print("first") }
    }
}

@Suite("AnyIOTesting doc snippets", .timeLimit(.minutes(1)))
struct AnyIOTestingDocSnippetTests {
    // assertCheckpoints' doc comment.
    @Test func assertCheckpointsSnippet() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
        try await assertCheckpoints { try await send.send(1) }
        #expect(try receive.tryReceive() == 1)  // (test)
    }

    // assertNoCheckpoints' doc comment.
    @Test func assertNoCheckpointsSnippet() async throws {
        let lock = Lock()
        await assertNoCheckpoints { #expect(lock.tryAcquire()) }
        lock.release()  // (test)
    }

    // Sequencer's doc comment: 0 to 5 in order.
    @Test func sequencerZeroToFive() async throws {
        let sequencer = Sequencer()
        try await withNursery { nursery in
            nursery.startSoon {
                try await sequencer.step(0) { print(0) }
                try await sequencer.step(4) { print(4) }
            }
            nursery.startSoon {
                try await sequencer.step(2) { print(2) }
                try await sequencer.step(5) { print(5) }
            }
            nursery.startSoon {
                try await sequencer.step(1) { print(1) }
                try await sequencer.step(3) { print(3) }
            }
        }
    }

    // Sequencer.step's doc comment.
    @Test func sequencerStep() async throws {
        let sequencer = Sequencer()
        try await withNursery { nursery in
            nursery.startSoon {
                try await sequencer.step(1) { print("second") }
            }
            try await sequencer.step(0) { print("first") }
        }
    }

    // SequencerError's doc comment (step 2 runs: nothing was broken, so nothing is printed).
    @Test func sequencerError() async throws {
        let sequencer = Sequencer()  // (test)
        try await withNursery { nursery in  // (test)
            nursery.startSoon { try await sequencer.step(0) {}; try await sequencer.step(1) {} }  // (test)
            do {
                try await sequencer.step(2) { print(2) }
            } catch let error as SequencerError where error.code == .broken {
                print("an earlier step was cancelled:", error)
            }
        }  // (test)
    }

    // withAnyIOTest's doc comment (the body of `serverStops`).
    @Test func serverStops() async throws {
        try await withAnyIOTest(timeLimit: .seconds(5)) {
            try await withNursery { nursery in
                nursery.startSoon(name: "server") { try await sleepForever() }  // serves until cancelled
                try await waitAllTasksBlocked()              // this test's tasks only: the server is parked
                nursery.cancel()
            }
        }
    }
}

// MockClock's doc comment.
@Test(.anyIO(clock: .mock(autojump: .zero)))
func givesUp() async throws {
    await #expect(throws: TimeoutError.self) {
        try await failAfter(.seconds(3600)) { _ -> Void in try await sleepForever() }
    }   // in well under a second of real time
}

// MockClock's doc comment.
@Test(.anyIO(clock: .mock()))
func manual() async throws {
    let clock = try #require(MockClock.current)
    try await withNursery { nursery in
        nursery.startSoon { try await sleep(for: .seconds(10)) }
        try await waitAllTasksBlocked()
        clock.advance(by: .seconds(10))    // wakes the sleeper
    }
}

// AnyIOTestTrait.anyIO(timeLimit:clock:)'s doc comment.
@Test(.anyIO(clock: .mock(autojump: .zero)))
func timesOut() async throws {
    await #expect(throws: TimeoutError.self) {
        try await failAfter(.seconds(3600)) { _ -> Void in try await sleepForever() }
    }
}

// Docs.docc/TestingWithVirtualTime.md.
@Test(.anyIO(clock: .mock(autojump: .zero)))
func givesUpAfterAnHour() async throws {
    await #expect(throws: TimeoutError.self) {
        try await failAfter(.seconds(3600)) { _ -> Void in try await sleepForever() }
    }   // in well under a second of real time
}

// Docs.docc/TestingWithVirtualTime.md.
@Test(.anyIO(clock: .mock()))
func retriesAfterTenSeconds() async throws {
    let clock = try #require(MockClock.current)
    try await withNursery { nursery in
        nursery.startSoon { try await sleep(for: .seconds(10)) }
        try await waitAllTasksBlocked()          // the child sleeps now
        clock.advance(by: .seconds(10))          // and wakes
    }
}

// Docs.docc/TestingWithVirtualTime.md.
@Test(.anyIO(clock: .mock(autojump: .zero)))
func threadFinishesInTime() async throws {
    try await failAfter(.seconds(1)) { _ in
        try await ToThread.runSync { _ = usleep(200_000) }
    }
}

// withMockClock's doc comment.
@Test func withMockClockSnippet() async throws {
    let clock = MockClock(autojumpThreshold: .zero)
    try await withMockClock(clock) {
        try await withNursery { nursery in
            nursery.startSoon { try await sleep(for: .seconds(60)) }
        }   // returns at once, and clock.now is a minute later
    }
    #expect(clock.now - MockClock.initialInstant == .seconds(60))  // (test)
}
