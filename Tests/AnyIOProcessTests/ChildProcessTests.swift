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

@Suite("ChildProcess", .serialized, .timeLimit(.minutes(2)), .anyIO(timeLimit: .seconds(30)))
struct ChildProcessTests {
    @Test("the process pipes pass the one-way stream checks")
    func pipeConformance() async throws {
        try await withChildCheck {
            try await checkOneWayStream { try makeProcessPipePair() }
        }
    }

    @Test("stdin through cat to stdout, back and forth, then end-of-file")
    func interactive() async throws {
        // trio: src/trio/_tests/test_subprocess.py::test_pipes
        // trio: src/trio/_tests/test_subprocess.py::test_interactive
        try await withChildCheck {
            let process = try await openProcess(["cat"])
            try await process.executeThenClose { process in
                #expect(process.pid > 0)
                #expect(process.returnCode == nil)
                #expect(String(describing: process) == "process \(process.pid) (cat): running")
                let stdin = try #require(process.stdin)
                let stdout = try #require(process.stdout)
                for line in ["hello\n", "world\n"] {
                    try await stdin.send(line)
                    #expect(try await readLine(stdout) == line)
                }
                // Nothing to read: a receive waits until cancelled, and loses nothing.
                let nothing = try await moveOnAfter(.milliseconds(50)) { _ in try await stdout.receive() }
                #expect(nothing == nil)
                try await stdin.send("last\n")
                await stdin.close()
                #expect(text(try await readAll(stdout)) == "last\n")
                await #expect(throws: EndOfStreamError.self) { try await stdout.receive() }
                #expect(try await process.wait() == 0)
                #expect(String(describing: process) == "process \(process.pid) (cat): exited with status 0")
            }
        }
    }

    @Test("kill, terminate and sendSignal give minus the signal number", arguments: [SIGKILL, SIGTERM, SIGUSR1])
    func signals(signal: Int32) async throws {
        // trio: src/trio/_tests/test_subprocess.py::test_signals
        try await withChildCheck {
            let process = try await openProcess(["sleep", "3600"])
            try await process.executeThenClose { process in
                switch signal {
                case SIGKILL: process.kill()
                case SIGTERM: process.terminate()
                default: process.sendSignal(OSSignal(rawValue: signal))
                }
                let value63 = try await process.wait()
                #expect(value63 == -signal)
                #expect(process.returnCode == -signal)
                // Signals after the reap are ignored (the pid may belong to someone else now).
                process.kill()
            }
        }
    }

    @Test("terminate reaches a child that handles SIGTERM")
    func terminateHandled() async throws {
        // anyio: tests/test_subprocesses.py::test_terminate
        try await withChildCheck {
            let process = try await openProcess(["sh", "-c", "trap 'exit 2' TERM; echo ready; while :; do sleep 0.05; done"])
            try await process.executeThenClose { process in
                let value77 = try await readLine(process.stdout!)
                #expect(value77 == "ready\n")
                process.terminate()
                let value79 = try await process.wait()
                #expect(value79 == 2)
            }
        }
    }

    @Test("several waits, cancelled and then for real")
    func multiWait() async throws {
        // trio: src/trio/_tests/test_subprocess.py::test_multi_wait
        try await withChildCheck {
            let process = try await openProcess(["sleep", "10"])
            try await process.executeThenClose { process in
                try await withNursery { nursery in
                    for _ in 0..<3 { nursery.startSoon { try await process.wait() } }
                    try await waitAllTasksBlocked()
                    nursery.cancel()
                }
                // Cancelling the waits cancelled only the waits.
                #expect(process.returnCode == nil)
                #expect(kill(process.pid, 0) == 0)
                try await withNursery { nursery in
                    for _ in 0..<3 {
                        nursery.startSoon { let value = try await process.wait(); #expect(value == -SIGKILL) }
                    }
                    try await waitAllTasksBlocked()
                    process.kill()
                }
            }
        }
    }

    @Test("wait returns when the child exits although a grandchild holds its stdout")
    func waitWithGrandchildHoldingStdout() async throws {
        // anyio: tests/test_subprocesses.py::test_wait_returns_on_process_exit_with_open_stdout
        try await withChildCheck {
            let process = try await openProcess(["sh", "-c", "sleep 10 & echo $!"])
            try await process.executeThenClose { process in
                let grandchild = Int32(try await readLine(process.stdout!).dropLast())!
                defer { kill(grandchild, SIGKILL) }
                try await failAfter(.seconds(5)) { _ in
                    let value118 = try await process.wait()
                    #expect(value118 == 0)
                }
                // The pipe is still open: the grandchild holds it.
                let received = try await moveOnAfter(.milliseconds(50)) { _ in try await process.stdout!.receive() }
                #expect(received == nil)
            }
        }
    }

    @Test("close() of a stream wakes its blocked receive with ClosedResourceError")
    func closeWhileReading() async throws {
        // anyio: tests/test_subprocesses.py::test_close_while_reading
        try await withChildCheck {
            let process = try await openProcess(["sleep", "3"])
            try await process.executeThenClose { process in
                let stdout = try #require(process.stdout)
                try await withNursery { nursery in
                    nursery.startSoon {
                        try await waitAllTasksBlocked()
                        await stdout.close()
                    }
                    await #expect(throws: ClosedResourceError.self) { try await stdout.receive() }
                }
                process.terminate()
            }
        }
    }

    @Test("after the child exits: stdin is broken, stdout and stderr at end; after close: closed")
    func streamsAfterExit() async throws {
        // anyio: tests/test_subprocesses.py::test_exceptions_after_subprocess_closes_standard_streams
        try await withChildCheck {
            let process = try await openProcess(["true"])
            try await process.executeThenClose { process in
                try await process.wait()
                await #expect(throws: BrokenResourceError.self) { try await process.stdin!.send([1, 2, 3]) }
                await #expect(throws: EndOfStreamError.self) { try await process.stdout!.receive(maxBytes: 1) }
                await #expect(throws: EndOfStreamError.self) { try await process.stderr!.receive(maxBytes: 1) }
            }
            await #expect(throws: ClosedResourceError.self) { try await process.stdin!.send([1]) }
            await #expect(throws: ClosedResourceError.self) { try await process.stdout!.receive(maxBytes: 1) }
            await #expect(throws: ClosedResourceError.self) { try await process.stderr!.receive(maxBytes: 1) }
        }
    }

    @Test("receive rejects maxBytes below 1", arguments: [0, -1])
    func invalidMaxBytes(maxBytes: Int) async throws {
        // anyio: tests/test_subprocesses.py::test_process_receive_invalid_max_bytes
        try await withChildCheck {
            let process = try await openProcess(["sh", "-c", "printf x"])
            try await process.executeThenClose { process in
                await #expect(throws: InvalidArgumentError.self) { try await process.stdout!.receive(maxBytes: maxBytes) }
                try await process.wait()
            }
        }
    }

    @Test("the task tree shows a task waiting for a process and one reading its pipe")
    func taskTree() async throws {
        try await withChildCheck {
            let process = try await openProcess(["sleep", "10"])
            try await process.executeThenClose { process in
                try await withNursery { nursery in
                    nursery.startSoon(name: "waiter") { try await process.wait() }
                    nursery.startSoon(name: "reader") { _ = try await process.stdout!.receive() }
                    try await waitAllTasksBlocked()
                    let tree = String(describing: try #require(TaskTreeTag.current).taskTree)
                    let pid = process.pid
                    #expect(tree.contains("waiting in ChildProcess.wait() [process \(pid) (sleep 10)]"), "\(tree)")
                    #expect(tree.contains("[stdout of process \(pid) (sleep 10)]"), "\(tree)")
                    nursery.cancel()
                    process.kill()
                }
            }
        }
    }

    @Test("200 concurrent processes in a nursery leak no descriptor and no zombie")
    func manyConcurrent() async throws {
        try await withChildCheck {
            try await withNursery { nursery in
                for _ in 0..<200 {
                    nursery.startSoon { let value = try await runProcess(["true"]).returnCode; #expect(value == 0) }
                }
            }
        }
    }

    @Test("a shell command through openProcess(shell:)")
    func openShell() async throws {
        try await withChildCheck {
            let process = try await openProcess(shell: "echo $((6 * 7))", stdin: .discard, stderr: .inherit)
            #expect(process.stdin == nil && process.stderr == nil)
            try await process.executeThenClose { process in
                #expect(text(try await readAll(process.stdout!)) == "42\n")
                let value212 = try await process.wait()
                #expect(value212 == 0)
            }
        }
    }
}
