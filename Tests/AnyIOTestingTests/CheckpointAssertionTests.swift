//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIOTesting
import Testing

@testable import AnyIO

/// Every async API of the library is a checkpoint (SPEC C8), checked with the probe that
/// `assertCheckpoints` uses; and the assertions themselves report what they should.
@Suite("Checkpoint assertions", .timeLimit(.minutes(1)))
struct CheckpointAssertionTests {
    /// One async API call on its fast path (it does not have to wait).
    struct Call: Sendable, CustomTestStringConvertible {
        var name: String
        var run: @Sendable () async throws -> Void
        var testDescription: String { name }
    }

    static let fastPaths: [Call] = [
        Call(name: "LowLevel.checkpoint()") { try await LowLevel.checkpoint() },
        Call(name: "sleep(for: .zero)") { try await sleep(for: .zero) },
        Call(name: "Event.wait() when set") {
            let event = Event()
            event.set()
            try await event.wait()
        },
        Call(name: "Lock.acquire() uncontended") {
            let lock = Lock()
            try await lock.acquire()
            lock.release()
        },
        Call(name: "Semaphore.acquire() with a permit") {
            let semaphore = Semaphore(initialValue: 1)
            try await semaphore.acquire()
            semaphore.release()
        },
        Call(name: "CapacityLimiter.acquire() with a token") {
            let limiter = CapacityLimiter(totalTokens: 1)
            try await limiter.acquire()
            limiter.release()
        },
        Call(name: "Condition.acquire()") {
            let condition = Condition()
            try await condition.acquire()
            condition.release()
        },
        Call(name: "Future.value when set") {
            let future = Future<Int>()
            try future.setReturnValue(1)
            _ = try await future.value
        },
        Call(name: "send and receive on a buffered stream") {
            let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
            try await send.send(1)
            _ = try await receive.receive()
        },
        Call(name: "TaskHandle.value of a finished task") {
            try await withNursery { nursery in
                let handle = nursery.startSoon { 1 }
                _ = try await handle.value
            }
        },
        Call(name: "ToThread.runSync") { _ = try await ToThread.runSync { 1 } },
        Call(name: "waitAllTasksBlocked()") { try await waitAllTasksBlocked() },
    ]

    @Test("every async API is a cancel point and a schedule point on its fast path", arguments: fastPaths)
    func fastPathIsACheckpoint(call: Call) async throws {
        let probe = CheckpointProbe()
        try await probe.measure { try await call.run() }
        #expect(probe.cancelPoints > 0, "\(call.name) did not check for cancellation")
        #expect(probe.schedulePoints > 0, "\(call.name) did not yield")
    }
    // trio: src/trio/_tests/test_sync.py (assert_checkpoints around every fast path), SPEC C8

    @Test("ResourceGuard.withGuard is the documented exception: entering it is not a checkpoint")
    func resourceGuardIsNotACheckpoint() async throws {
        let resource = ResourceGuard()
        let probe = CheckpointProbe()
        try await probe.measure { try await resource.withGuard {} }
        #expect(probe.cancelPoints == 0)
        #expect(probe.schedulePoints == 0)
    }
    // anyio: ResourceGuard is a synchronous context manager (src/anyio/_core/_synchronization.py)

    @Test("fastAcquire skips the schedule point but keeps the cancel point")
    func fastAcquire() async throws {
        let lock = Lock(fastAcquire: true)
        let probe = CheckpointProbe()
        try await probe.measure { try await lock.acquire() }
        lock.release()
        #expect(probe.cancelPoints > 0)
        #expect(probe.schedulePoints == 0)
    }
    // anyio: tests/test_synchronization.py::TestLock::test_fast_acquire (no yield)

    @Test("assertCheckpoints passes for a checkpoint and records an issue for code that does not checkpoint")
    func assertCheckpointsReports() async throws {
        try await assertCheckpoints { try await LowLevel.checkpoint() }
        await withKnownIssue {
            await assertCheckpoints { _ = 1 + 1 }
        } matching: { issue in
            String(describing: issue).contains("did not checkpoint")
        }
        // A cancel point alone is not enough: it must also yield.
        await withKnownIssue {
            try await assertCheckpoints { try await LowLevel.checkpointIfCancelled() }
        }
    }
    // trio: src/trio/_tests/test_testing.py::test_assert_checkpoints

    @Test("assertNoCheckpoints passes for synchronous code and records an issue for a checkpoint")
    func assertNoCheckpointsReports() async throws {
        let lock = Lock()
        await assertNoCheckpoints {
            #expect(lock.tryAcquire())
            lock.release()
        }
        await withKnownIssue {
            await assertNoCheckpoints { await LowLevel.cancelShieldedCheckpoint() }
        } matching: { issue in
            String(describing: issue).contains("checkpointed")
        }
    }
    // trio: src/trio/_tests/test_testing.py::test_assert_no_checkpoints

    @Test("assertCheckpoints passes a cancelled checkpoint's error through without an issue")
    func cancelledCheckpoint() async throws {
        let caught: Void? = try await withCancelScope { scope in
            scope.cancel()
            try await assertCheckpoints { try await LowLevel.checkpoint() }
        }
        #expect(caught == nil)
    }
}
