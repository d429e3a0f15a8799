//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIOProcess
import AnyIOTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Process teardown", .serialized, .timeLimit(.minutes(2)), .anyIO(timeLimit: .seconds(30)))
struct ProcessTeardownTests {
    @Test("a cancelled runProcess of sleep 100 returns at once: SIGTERM is enough")
    func cancelledRun() async throws {
        // trio: src/trio/_tests/test_subprocess.py::test_signals (run_process in a cancelled nursery)
        try await withChildCheck {
            let start = ContinuousClock.now
            let result = try await moveOnAfter(.milliseconds(100)) { _ in
                try await runProcess(["sleep", "100"], terminationGracePeriod: .seconds(30))
            }
            #expect(result == nil)
            // Well before the 30 s grace period (SIGTERM ended it, not SIGKILL), with room for a
            // loaded machine.
            #expect(ContinuousClock.now - start < .seconds(15))
        }
    }

    @Test("a child that ignores SIGTERM is killed after the grace period")
    func ignoresTerminate() async throws {
        // trio: src/trio/_tests/test_subprocess.py::test_warn_on_cancel_SIGKILL_escalation
        try await withChildCheck {
            let process = try await openProcess(
                ["sh", "-c", "trap '' TERM; echo ready; exec sleep 100"], terminationGracePeriod: .milliseconds(300))
            #expect(try await readLine(process.stdout!) == "ready\n")
            let start = ContinuousClock.now
            try await moveOnAfter(.zero) { _ in
                try await process.executeThenClose { _ in try await AnyIO.sleep(for: .seconds(100)) }
            }
            let elapsed = ContinuousClock.now - start
            #expect(process.returnCode == -SIGKILL)
            #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(10), "\(elapsed)")
        }
    }

    @Test("a child whose own SIGTERM handler does not exit is killed after the grace period, with its group")
    func handlesTerminateWithoutExiting() async throws {
        try await withChildCheck {
            let process = try await openProcess(
                ["sh", "-c", "trap 'echo got TERM' TERM; sleep 100 & echo $!; while :; do sleep 0.05; done"],
                startNewSession: true, terminationGracePeriod: .milliseconds(300))
            let grandchild = Int32(try await readLine(process.stdout!).dropLast())!
            defer { kill(grandchild, SIGKILL) }
            try await moveOnAfter(.zero) { _ in
                try await process.executeThenClose { _ in try await AnyIO.sleep(for: .seconds(100)) }
            }
            #expect(process.returnCode == -SIGKILL)
            // The whole group got the signals: the background `sleep 100` too.
            let deadline = ContinuousClock.now + .seconds(2)
            while !isDeadOrZombie(grandchild), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(isDeadOrZombie(grandchild))
        }
    }

    @Test("terminationGracePeriod .zero kills at once")
    func zeroGrace() async throws {
        try await withChildCheck {
            let process = try await openProcess(["sleep", "100"], terminationGracePeriod: .zero)
            try await moveOnAfter(.zero) { _ in
                try await process.executeThenClose { _ in try await AnyIO.sleep(for: .seconds(100)) }
            }
            #expect(process.returnCode == -SIGKILL)
        }
    }

    @Test("a cancelled executeThenClose leaves no orphan and closes the streams")
    func cancelledCloseClosesStreams() async throws {
        // anyio: tests/test_subprocesses.py::test_process_aexit_cancellation_doesnt_orphan_process
        // anyio: tests/test_subprocesses.py::test_process_aexit_cancellation_closes_standard_streams
        try await withChildCheck {
            let process = try await openProcess(["sleep", "100"], terminationGracePeriod: .seconds(2))
            try await withCancelScope { scope in
                try await process.executeThenClose { _ in scope.cancel() }
            }
            #expect(process.returnCode == -SIGTERM)
            await #expect(throws: ClosedResourceError.self) { try await process.stdin!.send([1]) }
            await #expect(throws: ClosedResourceError.self) { try await process.stdout!.receive(maxBytes: 1) }
            await #expect(throws: ClosedResourceError.self) { try await process.stderr!.receive(maxBytes: 1) }
        }
    }

    @Test("cancelling wait() alone leaves the child running")
    func cancelledWaitOnly() async throws {
        try await withChildCheck {
            let process = try await openProcess(["sleep", "100"], terminationGracePeriod: .zero)
            let waited = try await moveOnAfter(.milliseconds(50)) { _ in try await process.wait() }
            #expect(waited == nil)
            #expect(process.returnCode == nil)
            #expect(kill(process.pid, 0) == 0)
            process.kill()
            #expect(try await process.wait() == -SIGKILL)
            await process.close()
        }
    }

    @Test("close() of a child blocked on a full stdout pipe does not deadlock")
    func closeWithBlockedWriter() async throws {
        // anyio: tests/test_subprocesses.py::test_close_with_stdout_blocked_subprocess
        // anyio: tests/test_subprocesses.py::test_close_early
        try await withChildCheck {
            let process = try await openProcess(["head", "-c", "1048576", "/dev/zero"])
            try await failAfter(.seconds(5)) { _ in await process.close() }
            #expect(process.returnCode == -SIGPIPE)
        }
    }

    @Test("a close() that is not cancelled waits for the child to finish")
    func closeWaits() async throws {
        try await withChildCheck {
            let process = try await openProcess(["sh", "-c", "sleep 0.2; exit 5"], stdin: .discard)
            await process.close()
            #expect(process.returnCode == 5)
        }
    }

    @Test("a dropped ChildProcess kills its child, and the child is reaped")
    func droppedHandle() async throws {
        try await withChildCheck {
            var process: ChildProcess? = try await openProcess(["sleep", "100"])
            let pid = process!.pid
            process = nil
            let deadline = ContinuousClock.now + .seconds(2)
            while isUnreapedChild(pid), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(!isUnreapedChild(pid))
        }
    }
}
