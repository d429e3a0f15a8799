//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Synchronization
import Testing

@testable import AnyIO

@Suite("waitAllTasksBlocked", .timeLimit(.minutes(1)), .anyIO(timeLimit: .seconds(20)))
struct WaitAllTasksBlockedTests {
    @Test("returns once every child waits in a primitive", arguments: 0..<20)
    func returnsWhenBlocked(iteration: Int) async throws {
        let event = Event()
        let lock = Lock()
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 0)
        try await lock.acquire()
        try await withNursery { nursery in
            nursery.startSoon { try await event.wait() }
            nursery.startSoon { try await lock.withLock {} }
            nursery.startSoon { _ = try await receive.receive() }
            nursery.startSoon { try await sleepForever() }
            try await waitAllTasksBlocked()
            #expect(event.statistics().tasksWaiting == 1)
            #expect(lock.statistics().tasksWaiting == 1)
            #expect(receive.statistics().tasksWaitingReceive == 1)
            event.set()
            lock.release()
            try await send.send(1)
            nursery.cancel()
        }
    }
    // anyio: tests/test_debugging.py (wait_all_tasks_blocked use in test_get_running_tasks)

    @Test("does not return early: a child that works through many checkpoints first is waited for", arguments: 0..<10)
    func notEarly(iteration: Int) async throws {
        let progress = TestBox(0)
        let event = Event()
        try await withNursery { nursery in
            // 50 explicit checkpoints each (was 200): every one waits a full turn of the
            // executor's queue, and beside the stress suites, whose tasks now run up to 128
            // fast-path operations per turn (the schedule-point budget), 200 sequential turns
            // overran the 20 s limit in some full runs.
            for _ in 0..<4 {
                nursery.startSoon {
                    for _ in 0..<50 {
                        try await LowLevel.checkpoint()
                        progress.update { $0 += 1 }
                    }
                    try await event.wait()
                }
            }
            try await waitAllTasksBlocked()
            #expect(progress.value == 200)
            #expect(event.statistics().tasksWaiting == 4)
            event.set()
        }
    }

    @Test("does not return early: chains of wake-ups (each task wakes the next) are followed to the end")
    func followsWakeUpChains() async throws {
        let events = (0..<30).map { _ in Event() }
        let last = TestBox(-1)
        try await withNursery { nursery in
            for index in 1..<events.count {
                nursery.startSoon {
                    try await events[index - 1].wait()
                    last.value = index
                    events[index].set()
                    try await sleepForever()
                }
            }
            events[0].set()
            try await waitAllTasksBlocked()
            #expect(last.value == events.count - 1)
            nursery.cancel()
        }
    }

    @Test("a child that cancels its own wait and then finishes is waited for")
    func cancelledTask() async throws {
        let done = TestBox(false)
        try await withNursery { nursery in
            try await nursery.start { (status: consuming TaskStatus<Void>) in
                status.started()
                try await moveOnAfter(.seconds(-1)) { _ in try await Event().wait() }
                done.value = true
            }
            try await waitAllTasksBlocked()
            #expect(done.value)
        }
    }
    // anyio: tests/test_debugging.py::test_wait_all_tasks_blocked_cancelled_task

    @Test("a child in a native await (Task.sleep) counts as running until it reaches a primitive")
    func nativeAwaitCountsAsRunning() async throws {
        let reached = TestBox(false)
        let event = Event()
        try await withNursery { nursery in
            nursery.startSoon {
                try await Task.sleep(for: .milliseconds(30))
                reached.value = true
                try await event.wait()
            }
            try await waitAllTasksBlocked()
            #expect(reached.value)
            event.set()
        }
    }

    @Test("a library sleep counts as blocked until its deadline, then as running")
    func sleepIsBlockedUntilItsDeadline() async throws {
        let woke = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                try await sleep(for: .milliseconds(20))
                woke.value = true
                try await sleepForever()
            }
            try await waitAllTasksBlocked()
            // Blocked in the sleep (it has not woken), or, if the machine was slow, past it.
            let start = ContinuousClock.now
            try await sleep(for: .milliseconds(40))
            try await waitAllTasksBlocked()
            #expect(woke.value)
            #expect(ContinuousClock.now - start >= .milliseconds(40))
            nursery.cancel()
        }
    }

    @Test("children not started yet are waited for, and nested nurseries are looked into")
    func nestedAndNew() async throws {
        let depth = TestBox(0)
        try await withNursery { nursery in
            nursery.startSoon {
                try await withNursery { inner in
                    inner.startSoon {
                        try await withNursery { innermost in
                            innermost.startSoon {
                                depth.value = 3
                                try await sleepForever()
                            }
                        }
                    }
                }
            }
            try await waitAllTasksBlocked()
            #expect(depth.value == 3)
            nursery.cancel()
        }
    }

    @Test("the caller's own task is not waited for, and it is a checkpoint")
    func callerIsExcludedAndCheckpoints() async throws {
        try await withNursery { nursery in
            nursery.startSoon {
                // A library task calling it: it must not wait for itself.
                try await waitAllTasksBlocked()
            }
        }
        try await assertCheckpoints { try await waitAllTasksBlocked() }
        let result: Void? = try await withCancelScope { scope in
            scope.cancel()
            try await waitAllTasksBlocked()
        }
        #expect(result == nil)
    }
    // SPEC C8, I3
}
