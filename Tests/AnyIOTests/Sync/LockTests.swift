//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Foundation
import Synchronization
import Testing

@testable import AnyIO

@Suite("Lock", .timeLimit(.minutes(1)))
struct LockTests {
    @Test("a waiting task gets the lock when the holder releases it (withLock)")
    func withLockOrdering() async throws {
        let lock = Lock()
        let results = TestBox<[String]>([])
        try await withNursery { nursery in
            try await lock.withLock {
                nursery.startSoon {
                    #expect(lock.isLocked)
                    try await lock.withLock { results.append("2") }
                }
                try await testWaitUntil("the child waits") { lock.statistics().tasksWaiting == 1 }
                results.append("1")
            }
        }
        #expect(!lock.isLocked)
        #expect(results.value == ["1", "2"])
    }
    // anyio: tests/test_synchronization.py::TestLock::test_contextmanager

    @Test("manual acquire and release")
    func manualAcquire() async throws {
        let lock = Lock()
        let results = TestBox<[String]>([])
        try await withNursery { nursery in
            try await lock.acquire()
            nursery.startSoon {
                #expect(lock.isLocked)
                try await lock.acquire()
                results.append("2")
                lock.release()
            }
            try await testWaitUntil("the child waits") { lock.statistics().tasksWaiting == 1 }
            results.append("1")
            lock.release()
        }
        #expect(!lock.isLocked)
        #expect(results.value == ["1", "2"])
    }
    // anyio: tests/test_synchronization.py::TestLock::test_manual_acquire

    @Test("fastAcquire does not yield when uncontended")
    @MainActor
    func fastAcquireDoesNotYield() async throws {
        let lock = Lock(fastAcquire: true)
        let otherRan = TestMainActorState()
        try await withNursery { nursery in
            nursery.startSoon { @MainActor in otherRan.counter += 1 }
            try await lock.withLock {
                // No suspension since the child was started: a main-actor child cannot have run.
                #expect(otherRan.counter == 0)
            }
        }
        #expect(otherRan.counter == 1)
    }
    // anyio: tests/test_synchronization.py::TestLock::test_fast_acquire

    @Test("acquire is a checkpoint, also uncontended and with fastAcquire", arguments: [false, true])
    func acquireIsCheckpoint(fastAcquire: Bool) async throws {
        let lock = Lock(fastAcquire: fastAcquire)
        let result = try await withCancelScope { scope -> Bool in
            scope.cancel()
            try await lock.acquire()
            return true
        }
        #expect(result == nil)
        #expect(!lock.isLocked)
    }

    @Test("tryAcquire takes a free lock, and fails on a held one")
    func tryAcquire() async throws {
        let lock = Lock()
        #expect(lock.tryAcquire())
        #expect(lock.isLocked)
        try await withNursery { nursery in
            nursery.startSoon { #expect(!lock.tryAcquire()) }
        }
        lock.release()
        #expect(!lock.isLocked)
    }
    // anyio: tests/test_synchronization.py::TestLock::test_acquire_nowait
    // anyio: tests/test_synchronization.py::TestLock::test_acquire_nowait_wouldblock

    @Test("cancelling a waiting acquire leaves the lock to nobody", arguments: [false, true])
    func cancelDuringAcquire(releaseFirst: Bool) async throws {
        let lock = Lock()
        let acquired = TestBox(false)
        try await withNursery { nursery in
            try await lock.acquire()
            try await nursery.start { (status: consuming TaskStatus<Void>) in
                status.started()
                try await lock.withLock { acquired.value = true }
            }
            try await testWaitUntil("the child waits") { lock.statistics().tasksWaiting == 1 }
            nursery.cancel()
            try await withCancelScope(shield: true) { _ in
                if releaseFirst {
                    lock.release()
                    await LowLevel.cancelShieldedCheckpoint()
                } else {
                    await LowLevel.cancelShieldedCheckpoint()
                    lock.release()
                }
            }
        }
        // The child may have been handed the lock before its cancellation arrived (then it ran
        // its body); either way nothing is left held or waiting.
        #expect(!lock.isLocked)
        #expect(lock.statistics().tasksWaiting == 0)
        if !releaseFirst { #expect(!acquired.value) }
    }
    // anyio: tests/test_synchronization.py::TestLock::test_cancel_during_acquire

    @Test("statistics count the holder and the waiters")
    func statistics() async throws {
        let lock = Lock()
        try await withNursery { nursery in
            #expect(lock.statistics() == LockStatistics(locked: false, tasksWaiting: 0))
            try await lock.withLock {
                #expect(lock.statistics() == LockStatistics(locked: true, tasksWaiting: 0))
                for waiting in 1...2 {
                    nursery.startSoon { try await lock.withLock {} }
                    try await testWaitUntil("\(waiting) waiting") { lock.statistics().tasksWaiting == waiting }
                }
            }
        }
        #expect(lock.statistics() == LockStatistics(locked: false, tasksWaiting: 0))
        #expect(lock.description == "Lock(unlocked, 0 waiting)")
    }
    // anyio: tests/test_synchronization.py::TestLock::test_statistics

    @Test("a waiter cancelled while queued does not keep later acquirers out")
    func cancelledAfterQueued() async throws {
        let lock = Lock()
        #expect(lock.tryAcquire())
        try await withNursery { nursery in
            let scope = CancelScope()
            nursery.startSoon {
                try await withCancelScope(scope) { _ in try await lock.acquire() }
            }
            try await testWaitUntil("the child waits") { lock.statistics().tasksWaiting == 1 }
            scope.cancel()
            #expect(lock.statistics().tasksWaiting == 0)
            lock.release()
            try await failAfter(.seconds(3)) { _ in try await lock.acquire() }
            lock.release()
        }
    }
    // anyio: tests/test_synchronization.py::TestLock::test_cancelled_after_acquire

    @Test("a release hands the lock straight to the first waiter")
    func releaseHandsOff() async throws {
        let lock = Lock()
        let proceed = Event()
        let checked = Event()
        try await withNursery { nursery in
            nursery.startSoon(name: "task1") {
                try await lock.acquire()
                try await proceed.wait()
                lock.release()
                // task2 owns it now: nobody else can take it, not even the releaser.
                #expect(lock.isLocked)
                #expect(!lock.tryAcquire())
                checked.set()
            }
            try await testWaitUntil("task1 holds the lock") { lock.isLocked }
            nursery.startSoon(name: "task2") {
                try await lock.acquire()
                // Hold it until task1 has looked, so the check cannot see a later release.
                try await checked.wait()
                lock.release()
            }
            try await testWaitUntil("task2 waits") { lock.statistics().tasksWaiting == 1 }
            proceed.set()
        }
        #expect(!lock.isLocked)
    }
    // anyio: tests/test_synchronization.py::TestLock::test_owner_after_release

    @Test("waiters get the lock in FIFO order")
    func fifo() async throws {
        let lock = Lock()
        let order = TestBox<[Int]>([])
        try await withNursery { nursery in
            try await lock.acquire()
            for index in 0..<8 {
                nursery.startSoon {
                    try await lock.withLock { order.append(index) }
                }
                try await testWaitUntil("waiter \(index) queued") { lock.statistics().tasksWaiting == index + 1 }
            }
            lock.release()
        }
        #expect(order.value == Array(0..<8))
    }
    // SPEC S2: FIFO-fair.

    @Test("ownership belongs to the logical task: acquire inside failAfter, release after it")
    func ownershipCrossesScopes() async throws {
        let lock = Lock()
        // In a task the library did not start (this test's task).
        try await failAfter(.seconds(5)) { _ in try await lock.acquire() }
        try await withCancelScope(shield: true) { _ in lock.release() }
        #expect(!lock.isLocked)
        // In a nursery child, with nested scopes on both sides.
        try await withNursery { nursery in
            nursery.startSoon {
                try await withCancelScope { _ in
                    try await moveOnAfter(.seconds(5)) { _ in try await lock.acquire() }
                }
                try await failAfter(.seconds(5)) { _ in
                    #expect(lock.isLocked)
                    lock.release()
                }
            }
        }
        #expect(!lock.isLocked)
    }
    // SPEC S2: ownership is the logical task.

    @Test("a child that ends holding the lock breaks it: waiters and later acquirers fail")
    func brokenWhenOwnerEnds() async throws {
        let lock = Lock()
        let ownerGo = Event()
        let waiterError = TestBox<String?>(nil)
        try await withNursery { nursery in
            nursery.startSoon(name: "holder") {
                try await lock.acquire()
                try await ownerGo.wait()
                // Returns without releasing.
            }
            try await testWaitUntil("holder has the lock") { lock.isLocked }
            nursery.startSoon {
                do {
                    try await lock.acquire()
                    waiterError.value = "acquired"
                } catch let error as BrokenResourceError {
                    waiterError.value = error.description
                }
            }
            try await testWaitUntil("a waiter queued") { lock.statistics().tasksWaiting == 1 }
            ownerGo.set()
        }
        #expect(waiterError.value?.contains("ended without releasing") == true)
        await #expect(throws: BrokenResourceError.self) { try await lock.acquire() }
        #expect(!lock.tryAcquire())
        #expect(lock.isLocked)
        #expect(lock.statistics().tasksWaiting == 0)
    }
    // trio: src/trio/_tests/test_sync.py::test_lock_acquire_unowned_lock / test_lock_multiple_acquire
    // (Trio 0.27: BrokenResourceError when the owner exits holding the lock)

    @Test("a lock released before the owner child ends is not broken")
    func notBrokenWhenReleased() async throws {
        let lock = Lock()
        try await withNursery { nursery in
            for _ in 0..<10 {
                nursery.startSoon { try await lock.withLock { try await LowLevel.checkpoint() } }
            }
        }
        try await lock.withLock {}
        #expect(!lock.isLocked)
    }

    @Test("a lock works from tasks the library did not start")
    func foreignTasks() async throws {
        let lock = Lock()
        let counter = TestBox(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<50 {
                        try? await lock.withLock { counter.update { $0 += 1 } }
                    }
                }
            }
        }
        #expect(counter.value == 400)
        #expect(!lock.isLocked)
    }

    @Test("acquiring a lock the task already holds traps")
    func acquireTwiceTraps() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let lock = Lock()
            try await lock.acquire()
            try await lock.acquire()
        }.map { result in
            #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("already holds this Lock"))
        }
        await #expect(processExitsWith: .failure) {
            let lock = Lock()
            _ = lock.tryAcquire()
            _ = lock.tryAcquire()
        }
    }
    // anyio: tests/test_synchronization.py::TestLock::test_acquire_twice_async
    // anyio: tests/test_synchronization.py::TestLock::test_acquire_twice_sync

    @Test("releasing a lock held by another task traps")
    func releaseByNonOwnerTraps() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let lock = Lock()
            try await withNursery { nursery in
                try await lock.acquire()
                nursery.startSoon { lock.release() }
            }
        }.map { result in
            #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("only the task that acquired a Lock may release it"))
        }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Lock().release()
        }.map { result in
            #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("not held"))
        }
    }
    // SPEC S2: release from a task that does not hold it traps with a clear message.

    @Test("stress: mutual exclusion, FIFO hand-offs and random cancellation keep the lock consistent")
    func stress() async throws {
        for fastAcquire in [false, true] {
            let lock = Lock(fastAcquire: fastAcquire)
            let inside = TestBox(0)
            let overlaps = RaceCounter()
            let entered = RaceCounter()
            let cancelled = RaceCounter()
            let tasks = 16
            let rounds = max(raceIterations / 10, 10)
            try await withNursery { nursery in
                for task in 0..<tasks {
                    nursery.startSoon {
                        for round in 0..<rounds {
                            let scope = CancelScope()
                            if (task + round) % 3 == 0 {
                                // Cancel this acquire from another task at a random moment.
                                nursery.startSoon {
                                    if Bool.random() { await Task.yield() }
                                    scope.cancel()
                                }
                            }
                            let done: Void? = try await withCancelScope(scope) { _ in
                                try await lock.withLock {
                                    if inside.update({ $0 += 1; return $0 }) != 1 { overlaps.add() }
                                    entered.add()
                                    if Bool.random() { await Task.yield() }
                                    inside.update { $0 -= 1 }
                                }
                            }
                            if done == nil { cancelled.add() }
                        }
                    }
                }
            }
            #expect(overlaps.value == 0)
            #expect(entered.value + cancelled.value == tasks * rounds)
            #expect(lock.statistics() == LockStatistics(locked: false, tasksWaiting: 0))
            #expect(lock.tryAcquire())
            lock.release()
        }
    }
}
