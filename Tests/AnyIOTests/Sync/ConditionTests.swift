//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Foundation
import AnyIOTesting
import Testing

@testable import AnyIO

@Suite("Condition", .timeLimit(.minutes(1)))
struct ConditionTests {
    @Test("wait inside withLock is woken by notifyAll from another task")
    func withLockAndNotifyAll() async throws {
        let condition = Condition()
        try await withNursery { nursery in
            try await condition.withLock {
                #expect(condition.isLocked)
                nursery.startSoon {
                    try await condition.withLock { condition.notifyAll() }
                }
                try await condition.wait()
                #expect(condition.lock.storage.isHeld(by: currentLogicalTask()))
            }
        }
        #expect(!condition.isLocked)
    }
    // anyio: tests/test_synchronization.py::TestCondition::test_contextmanager

    @Test("manual acquire, wait and release")
    func manualAcquire() async throws {
        let condition = Condition()
        try await withNursery { nursery in
            try await condition.acquire()
            #expect(condition.isLocked)
            nursery.startSoon {
                try await condition.acquire()
                condition.notifyAll()
                condition.release()
            }
            try await condition.wait()
            condition.release()
        }
        #expect(!condition.isLocked)
    }
    // anyio: tests/test_synchronization.py::TestCondition::test_manual_acquire

    @Test("tryAcquire takes a free lock and fails on a held one")
    func tryAcquire() async throws {
        let condition = Condition()
        #expect(condition.tryAcquire())
        #expect(condition.isLocked)
        try await withNursery { nursery in
            nursery.startSoon { #expect(!condition.tryAcquire()) }
        }
        condition.release()
    }
    // anyio: tests/test_synchronization.py::TestCondition::test_acquire_nowait
    // anyio: tests/test_synchronization.py::TestCondition::test_acquire_nowait_wouldblock

    @Test("a cancelled wait is not notified, and takes the lock back before it throws")
    func waitCancel() async throws {
        let condition = Condition()
        let waiting = Event()
        let taskStarted = TestBox(false), notified = TestBox(false), heldAfterCancel = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                taskStarted.value = true
                try await condition.withLock {
                    waiting.set()
                    do {
                        try await condition.wait()
                        notified.value = true
                    } catch is CancellationError {
                        heldAfterCancel.value = condition.lock.storage.isHeld(by: currentLogicalTask())
                        throw CancellationError()
                    }
                }
            }
            try await waiting.wait()
            try await testWaitUntil("the child waits") { condition.statistics().tasksWaiting == 1 }
            nursery.cancel()
        }
        #expect(taskStarted.value)
        #expect(!notified.value)
        #expect(heldAfterCancel.value)
        #expect(!condition.isLocked)
        #expect(condition.statistics().tasksWaiting == 0)
    }
    // anyio: tests/test_synchronization.py::TestCondition::test_wait_cancel
    // SPEC S4: wait re-acquires the lock also when cancelled.

    @Test("a notification meant for a cancelled waiter goes to the next one", .anyIO(clock: .mock()))  // frozen virtual time: the 3 s guard cannot fire under load
    func notificationHandoverOnCancel() async throws {
        let condition = Condition()
        let scope1 = CancelScope()
        try await withNursery { nursery in
            nursery.startSoon {
                try await withCancelScope(scope1) { _ in
                    try await condition.withLock { try await condition.wait() }
                }
            }
            try await testWaitUntil("waiter 1") { condition.statistics().tasksWaiting == 1 }
            nursery.startSoon {
                try await failAfter(.seconds(3)) { _ in
                    try await condition.withLock { try await condition.wait() }
                }
            }
            try await testWaitUntil("waiter 2") { condition.statistics().tasksWaiting == 2 }
            try await condition.withLock {
                scope1.cancel()
                condition.notify(1)
            }
        }
        #expect(condition.statistics().tasksWaiting == 0)
    }
    // anyio: tests/test_synchronization.py::TestCondition::test_notification_handover_on_cancel

    @Test("waiting or notifying without holding the lock traps")
    func noLockTraps() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            try await Condition().wait()
        }.map { result in
            #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("does not hold the condition's lock"))
        }
        await #expect(processExitsWith: .failure) {
            Condition().notify()
        }
        await #expect(processExitsWith: .failure) {
            Condition().notifyAll()
        }
    }
    // anyio: tests/test_synchronization.py::TestCondition::test_wait_no_lock

    @Test("statistics count the waiters and report the lock")
    func statistics() async throws {
        let condition = Condition()
        try await withNursery { nursery in
            #expect(!condition.statistics().lockStatistics.locked)
            #expect(condition.statistics().tasksWaiting == 0)
            try await condition.withLock {
                #expect(condition.statistics().lockStatistics.locked)
                #expect(condition.statistics().tasksWaiting == 0)
            }
            for waiting in 1...2 {
                nursery.startSoon { try await condition.withLock { try await condition.wait() } }
                try await testWaitUntil("\(waiting) waiting") { condition.statistics().tasksWaiting == waiting }
            }
            for waiting in [1, 0] {
                try await condition.withLock { condition.notify(1) }
                try await testWaitUntil("\(waiting) waiting") { condition.statistics().tasksWaiting == waiting }
            }
        }
        #expect(condition.statistics() == ConditionStatistics(tasksWaiting: 0, lockStatistics: LockStatistics(locked: false, tasksWaiting: 0)))
    }
    // anyio: tests/test_synchronization.py::TestCondition::test_statistics

    @Test("waitFor re-checks its predicate after each notification")
    func waitFor() async throws {
        let condition = Condition()
        let value = TestBox<String?>(nil)
        let result = TestBox<String?>(nil)
        try await withNursery { nursery in
            nursery.startSoon {
                try await condition.withLock {
                    try await condition.waitFor { value.value != nil }
                    result.value = value.value
                }
            }
            try await testWaitUntil("the child waits") { condition.statistics().tasksWaiting == 1 }
            try await condition.withLock { condition.notifyAll() }
            try await testWaitUntil("the child waits again") { condition.statistics().tasksWaiting == 1 }
            #expect(result.value == nil)
            try await condition.withLock {
                value.value = "foo"
                condition.notifyAll()
            }
        }
        #expect(result.value == "foo")
    }
    // anyio: tests/test_synchronization.py::TestCondition::test_wait_for

    @Test("notify wakes waiters in FIFO order, as many as asked, and they get the lock back in that order", arguments: 0..<30)
    func notifyOrder(iteration: Int) async throws {
        let condition = Condition()
        let order = TestBox<[Int]>([])
        try await withNursery { nursery in
            for index in 0..<5 {
                nursery.startSoon {
                    try await condition.withLock {
                        try await condition.wait()
                        order.append(index)
                    }
                }
                try await testWaitUntil("waiter \(index)") { condition.statistics().tasksWaiting == index + 1 }
            }
            try await condition.withLock { condition.notify(2) }
            try await testWaitUntil("two woke") { order.value.count == 2 }
            #expect(condition.statistics().tasksWaiting == 3)
            try await condition.withLock { condition.notify(0) }
            #expect(condition.statistics().tasksWaiting == 3)
            try await condition.withLock { condition.notifyAll() }
        }
        #expect(order.value == Array(0..<5))
    }

    @Test("a notified waiter queued for the lock gets BrokenResourceError if the notifier ends holding it")
    func notifiedWaiterSeesBrokenLock() async throws {
        let condition = Condition()
        let outcome = TestBox<String?>(nil)
        try await withNursery { nursery in
            nursery.startSoon {
                do {
                    try await condition.withLock { try await condition.wait() }
                    outcome.value = "returned"
                } catch is BrokenResourceError {
                    outcome.value = "broken"
                }
            }
            try await testWaitUntil("the waiter waits") { condition.statistics().tasksWaiting == 1 }
            nursery.startSoon {
                // Notifies, then ends still holding the lock: the lock breaks.
                try await condition.acquire()
                condition.notify()
            }
        }
        #expect(outcome.value == "broken")
        #expect(condition.statistics().lockStatistics.tasksWaiting == 0)
    }
    // trio: src/trio/_tests/test_sync.py (broken lock, Trio 0.27), with Condition's repark

    @Test("stress: producers and consumers with random cancellation lose no item")
    func stress() async throws {
        let condition = Condition()
        let queue = TestBox<[Int]>([])
        let consumed = TestBox<[Int]>([])
        let items = max(raceIterations, 50)
        try await withNursery { nursery in
            // Consumers: each wait may be cancelled at random; a cancelled consumer retries.
            for _ in 0..<4 {
                nursery.startSoon {
                    while true {
                        let scope = CancelScope()
                        if Int.random(in: 0..<4) == 0 {
                            nursery.startSoon {
                                if Bool.random() { await Task.yield() }
                                scope.cancel()
                            }
                        }
                        let item: Int?? = try await withCancelScope(scope) { _ in
                            try await condition.withLock { () async throws -> Int? in
                                try await condition.waitFor { !queue.value.isEmpty }
                                let item = queue.update { $0.removeFirst() }
                                return item < 0 ? nil : item
                            }
                        }
                        guard let item else { continue }  // cancelled: try again
                        guard let item else { return }    // end marker
                        consumed.append(item)
                    }
                }
            }
            for item in 0..<items {
                try await condition.withLock {
                    queue.append(item)
                    condition.notify()
                }
                if item % 7 == 0 { try await LowLevel.checkpoint() }
            }
            try await condition.withLock {
                for _ in 0..<4 { queue.append(-1) }
                condition.notifyAll()
            }
        }
        #expect(consumed.value.sorted() == Array(0..<items))
        #expect(condition.statistics().tasksWaiting == 0)
        #expect(!condition.isLocked)
    }
}
