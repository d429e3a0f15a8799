//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Testing

@testable import AnyIO

@Suite("Event", .timeLimit(.minutes(1)))
struct EventTests {
    @Test("set wakes every waiter; is_set and statistics follow")
    func setWakesWaiters() async throws {
        let event = Event()
        let woke = TestBox(0)
        try await withNursery { nursery in
            for _ in 0..<3 {
                nursery.startSoon {
                    try await event.wait()
                    woke.update { $0 += 1 }
                }
            }
            try await testWaitUntil("three waiters") { event.statistics().tasksWaiting == 3 }
            #expect(!event.isSet)
            event.set()
        }
        #expect(woke.value == 3)
        #expect(event.isSet)
        #expect(event.statistics().tasksWaiting == 0)
    }
    // anyio: tests/test_synchronization.py::TestEvent::test_event
    // anyio: tests/test_synchronization.py::TestEvent::test_statistics

    @Test("a child cancelled before the event is set does not see it")
    func cancelledWaiter() async throws {
        let event = Event()
        let started = TestBox(false), eventSeen = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                started.value = true
                try await event.wait()
                eventSeen.value = true
            }
            nursery.cancel()
            event.set()
        }
        #expect(started.value)
        #expect(!eventSeen.value)
    }
    // anyio: tests/test_synchronization.py::TestEvent::test_event_cancel

    @Test("set before a cancel wins: the waiter wakes normally")
    func setBeforeCancel() async throws {
        let event = Event()
        let woke = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                try await testWaitUntil("the body waits") { event.statistics().tasksWaiting == 1 }
                #expect(!event.isSet)
                event.set()
                nursery.cancel()
            }
            try await event.wait()
            woke.value = true
        }
        #expect(woke.value)
    }
    // anyio: tests/test_synchronization.py::TestEvent::test_event_wait_before_set_before_cancel

    @Test("wait on a set event is still a checkpoint: it throws when cancelled")
    func waitOnSetEventIsCheckpoint() async throws {
        let event = Event()
        event.set()
        try await event.wait()  // returns at once
        let result = try await withCancelScope { scope -> Bool in
            scope.cancel()
            try await event.wait()
            return true
        }
        #expect(result == nil)
    }
    // spec: S1, C8

    @Test("a cancelled wait leaves no waiter behind", .anyIO(clock: .mock(autojump: .zero)))  // virtual time: the timeout fires at once
    func cancelledWaitLeavesNothing() async throws {
        let event = Event()
        let result: Void? = try await moveOnAfter(.milliseconds(20)) { _ in try await event.wait() }
        #expect(result == nil)
        #expect(event.statistics().tasksWaiting == 0)
        #expect(!event.isSet)
    }
    // spec: C9

    @Test("stress: waiters cancelled at random moments while the event is set", arguments: [0, 1, 2, 3])
    func stress(seed: Int) async throws {
        for iteration in 0..<raceIterations / 4 {
            let event = Event()
            let woke = RaceCounter(), cancelled = RaceCounter()
            let waiters = 8
            try await withNursery { nursery in
                for index in 0..<waiters {
                    nursery.startSoon {
                        let scope = CancelScope()
                        if (index + iteration + seed) % 3 == 0 {
                            nursery.startSoon {
                                for _ in 0..<((index + seed) % 4) { await Task.yield() }
                                scope.cancel()
                            }
                        }
                        if try await withCancelScope(scope, { _ in try await event.wait() }) != nil {
                            woke.add()
                        } else {
                            cancelled.add()
                        }
                    }
                }
                for _ in 0..<((iteration + seed) % 5) { await Task.yield() }
                event.set()
            }
            // Every waiter ended exactly one way, and none is left behind.
            #expect(woke.value + cancelled.value == waiters)
            #expect(event.statistics().tasksWaiting == 0)
        }
    }
}
