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

@Suite("runProcess", .serialized, .timeLimit(.minutes(2)), .anyIO(timeLimit: .seconds(30)))
struct RunProcessTests {
    @Test("exit codes of true, false and exit 3")
    func exitCodes() async throws {
        // trio: src/trio/_tests/test_subprocess.py::test_basic
        try await withChildCheck {
            let value20 = try await runProcess(["true"]).returnCode
            #expect(value20 == 0)
            let value21 = try await runProcess(["false"], check: false).returnCode
            #expect(value21 == 1)
            let value22 = try await runProcess(shell: "exit 3", check: false).returnCode
            #expect(value22 == 3)
        }
    }

    @Test("input is fed to the child, in the argument-list and the shell form")
    func input() async throws {
        // anyio: tests/test_subprocesses.py::test_run_process (exec and shell)
        try await withChildCheck {
            let exec = try await runProcess(["tr", "a-z", "A-Z"], input: Array("abc".utf8))
            #expect(exec.returnCode == 0)
            #expect(text(exec.stdout) == "ABC")
            #expect(exec.arguments == ["tr", "a-z", "A-Z"])
            let shell = try await runProcess(shell: "tr a-z A-Z | sed 's|^|>|'", input: Array("abc\n".utf8))
            #expect(text(shell.stdout) == ">ABC\n")
            #expect(shell.arguments == ["/bin/sh", "-c", "tr a-z A-Z | sed 's|^|>|'"])
        }
    }

    @Test("check: a failing command throws ProcessFailedError with its status and output")
    func checked() async throws {
        // anyio: tests/test_subprocesses.py::test_run_process_checked
        // trio: src/trio/_tests/test_subprocess.py::test_run_check
        try await withChildCheck {
            let error = try await #require(throws: ProcessFailedError.self) {
                try await runProcess(shell: "echo stdout-text; echo stderr-text >&2; exit 1")
            }
            #expect(error.returnCode == 1)
            #expect(text(error.stdout) == "stdout-text\n")
            #expect(text(error.stderr) == "stderr-text\n")
            #expect(error.description.contains("exited with status 1"))
            #expect(error.description.contains("stderr-text"))

            let unchecked = try await runProcess(shell: "echo err >&2; exit 1", check: false)
            #expect(unchecked.returnCode == 1)
            #expect(text(unchecked.stderr) == "err\n")
            #expect(throws: ProcessFailedError.self) { try unchecked.checkReturnCode() }
        }
    }

    @Test("a missing program throws an error naming it, and leaks nothing")
    func missingProgram() async throws {
        // trio: src/trio/_tests/test_subprocess.py::test_for_leaking_fds
        try await withChildCheck {
            let onPath = try await #require(throws: ProcessSpawnError.self) {
                try await runProcess(["no-such-program-anyio"])
            }
            #expect(onPath.code == .programNotFound)
            #expect(onPath.description.contains("'no-such-program-anyio'"))
            let byPath = try await #require(throws: ProcessSpawnError.self) {
                try await runProcess(["/no/such/dir/program"])
            }
            #expect(byPath.code == .programNotFound)
            #expect(byPath.description.contains("/no/such/dir/program"))
            let notExecutable = try await #require(throws: ProcessSpawnError.self) {
                try await runProcess(["/dev/null"])
            }
            #expect(notExecutable.code == .permissionDenied)
            await #expect(throws: InvalidArgumentError.self) { try await runProcess([]) }
        }
    }

    @Test("runProcess and openProcess in a cancelled scope spawn nothing")
    func cancelledBeforeSpawn() async throws {
        let ledger = ProcessLedger()
        try await ProcessLedger.$current.withValue(ledger) {
            try await withCancelScope { scope in
                scope.cancel()
                await #expect(throws: CancellationError.self) { try await runProcess(["true"]) }
                await #expect(throws: CancellationError.self) { try await openProcess(["true"]) }
            }
        }
        #expect(ledger.spawned.isEmpty)
    }

    @Test("input together with a stdin other than .pipe is an error")
    func inputAndStdin() async throws {
        // anyio: tests/test_subprocesses.py::test_stdin_input_both_passed
        let error = try await #require(throws: InvalidArgumentError.self) {
            try await runProcess(["cat"], input: [1], stdin: .discard)
        }
        #expect(String(describing: error).contains("either input or stdin"))
        // `.pipe` with input is allowed.
        let result = try await runProcess(["cat"], input: [1, 2], stdin: .pipe)
        #expect(result.stdout == [1, 2])
    }

    @Test("working directory, and a missing one named in the error")
    func workingDirectory() async throws {
        // anyio: tests/test_subprocesses.py::test_process_cwd
        try await withChildCheck {
            let result = try await runProcess(["pwd"], workingDirectory: "/")
            #expect(text(result.stdout) == "/\n")
            let error = try await #require(throws: ProcessSpawnError.self) {
                try await runProcess(["pwd"], workingDirectory: "/no/such/directory")
            }
            #expect(error.code == .workingDirectoryUnusable)
            #expect(error.description.contains("/no/such/directory"))
        }
    }

    @Test("environment replaces the caller's, and its PATH finds the program")
    func environment() async throws {
        // anyio: tests/test_subprocesses.py::test_process_env
        try await withChildCheck {
            let result = try await runProcess(["env"], environment: ["FOO": "bar", "PATH": "/usr/bin:/bin"])
            #expect(Set(text(result.stdout).split(separator: "\n")) == ["FOO=bar", "PATH=/usr/bin:/bin"])
            let error = try await #require(throws: ProcessSpawnError.self) {
                try await runProcess(["env"], environment: ["PATH": "/no/such/dir"])
            }
            #expect(error.code == .programNotFound)
        }
    }

    @Test("startNewSession gives the child a session of its own")
    func newSession() async throws {
        // anyio: tests/test_subprocesses.py::test_process_new_session_sid
        try await withChildCheck {
            func childSession(_ newSession: Bool) async throws -> Int32 {
                let stat = text(try await runProcess(["cat", "/proc/self/stat"], startNewSession: newSession).stdout)
                // Field 6 (session), counted after the command name in parentheses.
                let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
                return Int32(fields[3])!
            }
            let value132 = try await childSession(false)
            #expect(value132 == getsid(0))
            let value133 = try await childSession(true)
            #expect(value133 != getsid(0))
        }
    }

    @Test("megabytes on stdout and stderr at once, and a megabyte of input, never deadlock")
    func largeOutputs() async throws {
        // trio: src/trio/_tests/test_subprocess.py::test_run (2**18 bytes through cat)
        try await withChildCheck {
            let both = try await runProcess(shell: "head -c 3000000 /dev/zero; head -c 2000000 /dev/zero >&2")
            #expect(both.stdout.count == 3_000_000)
            #expect(both.stderr.count == 2_000_000)
            let data = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let echoed = try await runProcess(shell: "cat; cat /dev/null >&2", input: data)
            #expect(echoed.stdout == data)
            #expect(echoed.stderr.isEmpty)
        }
    }

    @Test("input to a child that closes its stdin unread is dropped")
    func brokenInputPipe() async throws {
        // trio: src/trio/_tests/test_subprocess.py::test_run_with_broken_pipe
        try await withChildCheck {
            let result = try await runProcess(shell: "exec 0<&-; true", input: [UInt8](repeating: 120, count: 131_072))
            #expect(result.returnCode == 0)
        }
    }

    @Test("stdout and stderr to .discard, .inherit and a file descriptor")
    func redirections() async throws {
        // anyio: tests/test_subprocesses.py::test_run_process_connect_to_file
        // anyio: tests/test_subprocesses.py::test_run_process_inherit_stdout
        try await withChildCheck {
            let discarded = try await runProcess(shell: "echo out; echo err >&2", stdout: .discard, stderr: .discard)
            #expect(discarded.stdout.isEmpty && discarded.stderr.isEmpty)
            _ = try await runProcess(["true"], stdout: .inherit, stderr: .inherit)

            var template = Array("/tmp/anyio-process-XXXXXX".utf8CString)
            let fd = mkstemp(&template)
            try #require(fd >= 0)
            let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            defer {
                close(fd)
                unlink(path)
            }
            _ = try await runProcess(shell: "echo to-file; echo err-to-file >&2", stdout: .fileDescriptor(fd), stderr: .fileDescriptor(fd))
            #expect(try String(contentsOfProcFile: path) == "to-file\nerr-to-file\n")
            let input = open(path, O_RDONLY | O_CLOEXEC)
            defer { close(input) }
            let fed = try await runProcess(["cat"], stdin: .fileDescriptor(input))
            #expect(text(fed.stdout) == "to-file\nerr-to-file\n")
            await #expect(throws: InvalidArgumentError.self) { try await runProcess(["true"], stdout: .fileDescriptor(987_654)) }
        }
    }

    @Test("the child starts with no blocked or ignored signal, and only descriptors 0-2")
    func cleanChild() async throws {
        try await withChildCheck {
            // A descriptor opened without close-on-exec must not reach the child either.
            let stray = open("/dev/null", O_RDONLY)
            defer { close(stray) }
            // Spawn from a thread that blocks every signal (as Swift's pool threads block many).
            let ledger = FileDescriptorLedger.current
            let processLedger = ProcessLedger.current
            let process = try await ToThread.runSync {
                var all = sigset_t()
                var old = sigset_t()
                sigfillset(&all)
                pthread_sigmask(SIG_BLOCK, &all, &old)
                defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
                return try spawnChildProcess(
                    ["sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status; ls /proc/self/fd"], stdin: .pipe,
                    stdout: .pipe, stderr: .pipe, workingDirectory: nil, environment: nil, startNewSession: false,
                    terminationGracePeriod: .seconds(1), ledger: ledger, processLedger: processLedger)
            }
            let output = try await process.executeThenClose { process in
                await process.stdin!.close()
                return text(try await readAll(process.stdout!))
            }
            let lines = output.split(separator: "\n").map(String.init)
            #expect(lines.contains("SigBlk:\t0000000000000000"), "\(output)")
            #expect(lines.contains("SigIgn:\t0000000000000000"), "\(output)")
            // `grep` ran in the shell's place; `ls` lists its own 0-2 and the directory it reads.
            let descriptors = lines.filter { Int($0) != nil }
            #expect(descriptors == ["0", "1", "2", "3"], "\(output)")
        }
    }
}
