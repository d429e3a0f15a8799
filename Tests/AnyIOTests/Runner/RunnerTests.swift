//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//
//
// Two kinds of test:
// - in-process tests of `Runner.run`, which deliver signals to this process (`deliverSignal(_:)`)
//   while a harmless test handler is installed underneath (so a runner that failed to install
//   or restore its handlers can never kill the test process);
// - end-to-end tests of the `anyio-demo` executable, run as a child process. These use real
//   time (the child is a real program); every wait has a timeout well inside the time limit.
//
// The suite is serialized: signal dispositions are process-wide, and only one `Runner.run` may
// be active at a time.

import AnyIO
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Runner", .serialized, .timeLimit(.minutes(1)))
struct RunnerTests {
    // MARK: - In process

    @Test("a signal cancels the root scope with a reason, and run returns nil", arguments: [SIGINT, SIGTERM])
    func signalCancelsRootScope(signalNumber: Int32) async throws {
        try await withDisposition(testSignalHandler, for: signalNumber) {
            var rootScope: CancelScope?
            let result: Int? = try await Runner.run { root in
                rootScope = root
                deliverSignal(signalNumber)
                try await sleep(for: .seconds(10))
                return 0  // Not reached when the signal cancels the root scope.
            }
            #expect(result == nil)
            let root = try #require(rootScope)
            #expect(root.cancelCalled)
            #expect(root.cancelledCaught)
            #expect(root.cancelReason == (signalNumber == SIGINT ? "SIGINT received" : "SIGTERM received"))
        }
    }
    // anyio: (no direct counterpart) trio: tests/test_signals.py / KeyboardInterrupt delivery

    @Test("a process-directed signal sent from a task reaches the runner")
    func processDirectedSignalFromTask() async throws {
        try await withDisposition(testSignalHandler, for: SIGINT) {
            let result: Int? = try await Runner.run { _ in
                // The calling thread blocks signals (cooperative pool); the runner's thread
                // does not, so the kernel delivers the signal there.
                kill(getpid(), SIGINT)
                try await sleep(for: .seconds(10))
                return 0  // Not reached when the signal cancels the root scope.
            }
            #expect(result == nil)
        }
    }

    @Test("the previous handlers are restored when run returns", arguments: [SIGINT, SIGTERM])
    func previousHandlerRestored(signalNumber: Int32) async throws {
        try await withDisposition(testSignalHandler, for: signalNumber) {
            let before = currentHandlerAddress(for: signalNumber)
            let during: UInt? = try await Runner.run { _ in currentHandlerAddress(for: signalNumber) }
            #expect(during != nil)
            #expect(during != before, "Runner.run should install its own handler")
            #expect(currentHandlerAddress(for: signalNumber) == before)

            // Functional check: the signal reaches the test handler again, not the runner.
            let deliveredBefore = testHandlerDeliveries.load(ordering: .relaxed)
            deliverSignal(signalNumber)
            #expect(testHandlerDeliveries.load(ordering: .relaxed) == deliveredBefore + 1)
        }
    }

    @Test("run returns the body's value when no signal arrives")
    func returnsBodyValue() async throws {
        let value = try await Runner.run { root in
            try await LowLevel.checkpoint()
            #expect(!root.cancelCalled)
            return 42
        }
        #expect(value == 42)
    }

    @Test("run rethrows the body's error, restores the handlers and can run again")
    func rethrowsBodyError() async throws {
        struct Boom: Error {}
        try await withDisposition(testSignalHandler, for: SIGINT) {
            let before = currentHandlerAddress(for: SIGINT)
            await #expect(throws: Boom.self) {
                try await Runner.run { _ in throw Boom() }
            }
            #expect(currentHandlerAddress(for: SIGINT) == before)
            // The process-wide slot was released: a second run (one after the other) is fine.
            let again = try await Runner.run { _ in "again" }
            #expect(again == "again")
        }
    }

    @Test("cancelling the root scope from the body makes run return nil")
    func ownCancelReturnsNil() async throws {
        let result: Int? = try await Runner.run { root in
            root.cancel(reason: "done early")
            try await LowLevel.checkpoint()
            return 1
        }
        #expect(result == nil)
    }

    @Test("shielded cleanup runs after a signal, and its result is kept")
    func shieldedCleanupRunsAfterSignal() async throws {
        try await withDisposition(testSignalHandler, for: SIGINT) {
            var cleanedUp = false
            let result: Int? = try await Runner.run { _ in
                do {
                    deliverSignal(SIGINT)
                    try await sleep(for: .seconds(10))
                } catch let cancellation as CancellationError {
                    try await withCancelScope(deadline: currentTime() + .seconds(5), shield: true) { _ in
                        try await sleep(for: .milliseconds(20))
                        cleanedUp = true
                    }
                    throw cancellation
                }
                return 0  // Not reached when the signal cancels the root scope.
            }
            #expect(result == nil)
            #expect(cleanedUp)
        }
    }

    @Test("a second signal during the shutdown exits at once with 128 + signo")
    func secondSignalExitsInProcess() async {
        let result = await #expect(processExitsWith: .exitCode(130), observing: [\.standardErrorContent]) {
            try await Runner.run(gracePeriod: .seconds(30)) { _ in
                deliverSignal(SIGINT)
                try await withCancelScope(shield: true) { _ in
                    try await sleep(for: .milliseconds(100))
                    deliverSignal(SIGINT)
                    try await sleep(for: .seconds(20))
                }
            }
        }
        let standardError = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(
            standardError.contains("Runner: SIGINT received again during graceful shutdown; exiting with status 130")
        )
    }

    @Test("a shutdown longer than the grace period exits with 128 + signo")
    func gracePeriodExpiryExitsInProcess() async {
        let result = await #expect(processExitsWith: .exitCode(143), observing: [\.standardErrorContent]) {
            try await Runner.run(gracePeriod: .milliseconds(200)) { _ in
                deliverSignal(SIGTERM)
                try await withCancelScope(shield: true) { _ in
                    try await sleep(for: .seconds(20))
                }
            }
        }
        let standardError = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(standardError.contains("Runner: graceful shutdown after SIGTERM did not finish within"))
    }

    @Test("nesting Runner.run traps with a clear message")
    func nestingTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            try await Runner.run { _ in
                try await Runner.run { _ in }
            }
        }
        let standardError = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(standardError.contains("while another Runner.run is active"))
    }

    @Test("two Runner.run calls at once trap with a clear message")
    func concurrentRunsTrap() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            async let first: Void? = Runner.run { _ in try await sleep(for: .seconds(5)) }
            async let second: Void? = Runner.run { _ in try await sleep(for: .seconds(5)) }
            _ = try await (first, second)
        }
        let standardError = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(standardError.contains("while another Runner.run is active"))
    }

    // MARK: - The anyio-demo executable

    @Test("--duration runs the services and shuts down gracefully with status 0")
    func demoDuration() async throws {
        let demo = try DemoProcess(arguments: ["--duration", "0.5"])
        let exit = try await demo.waitForExit(timeout: .seconds(20))
        let lines = demo.stdout.lines
        #expect(exit == .exited(0), "stdout:\n\(demo.stdout.text)\nstderr:\n\(demo.stderr.text)")
        #expect(lines.contains { $0.hasPrefix("running config: tick interval 200 ms, 3 workers") })
        #expect(lines.contains("running ticker: every 200 ms"))
        #expect(lines.contains { $0.hasPrefix("running workers: 3 workers") })
        #expect(lines.contains("duration elapsed, shutting down"))
        expectGracefulShutdown(lines)
        #expect(demo.stderr.text.isEmpty)
    }

    @Test(
        "a first signal shuts the demo down gracefully with status 0",
        arguments: [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")]
    )
    func demoGracefulSignal(signalNumber: Int32, name: String) async throws {
        let demo = try DemoProcess(arguments: [])
        try await demo.waitForLine("ready", timeout: .seconds(20))
        demo.send(signalNumber)
        let exit = try await demo.waitForExit(timeout: .seconds(20))
        let lines = demo.stdout.lines
        #expect(exit == .exited(0), "stdout:\n\(demo.stdout.text)\nstderr:\n\(demo.stderr.text)")
        #expect(lines.contains("\(name) received, shutting down"))
        #expect(lines.contains("interrupted, all services stopped"))
        expectGracefulShutdown(lines)
        #expect(demo.stderr.text.isEmpty)
    }

    @Test("--tree prints the task tree when ready, and SIGUSR1 prints it again")
    func demoTaskTree() async throws {
        let demo = try DemoProcess(arguments: ["--tree"])
        try await demo.waitForLine("ready", timeout: .seconds(20))
        try await demo.waitForLine("task tree:", timeout: .seconds(20))
        demo.send(SIGUSR1)
        try await demo.waitForLine("task tree (SIGUSR1):", timeout: .seconds(20))
        // The second dump is complete once the line after its last task is out: wait for a tick.
        let ticks = demo.stdout.lines.filter { $0.hasPrefix("tick ") }.count
        try await demo.waitForLine("tick \(ticks + 1)", timeout: .seconds(20))
        demo.send(SIGINT)
        let exit = try await demo.waitForExit(timeout: .seconds(20))
        #expect(exit == .exited(0), "stdout:\n\(demo.stdout.text)\nstderr:\n\(demo.stderr.text)")
        let text = demo.stdout.text
        for expected in [
            "└─ nursery at Services.swift:", "\"config\" #", ": waiting in sleepForever()",
            "\"ticker\" #", "\"workers\" #", "nursery at Services.swift:", "\"worker-1\" #", "\"tree-dump\" #",
        ] {
            #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
        }
        #expect(demo.stdout.lines.filter { $0.contains("\"worker-2\" #") }.count == 2)
        expectGracefulShutdown(demo.stdout.lines)
    }

    // A real peer (a Python socket client) talks to the demo's echo service: the port comes from
    // the demo's `nursery.start`, a line is echoed, a silent connection is closed by its
    // per-connection deadline, and a connection still open at Ctrl+C is told goodbye.
    @Test("the echo service answers a Python client, closes idle connections, and says goodbye on shutdown")
    func demoEchoService() async throws {
        let demo = try DemoProcess(arguments: ["--idle", "1"])
        try await demo.waitForLine("ready", timeout: .seconds(20))
        let announcement = try #require(demo.stdout.lines.first { $0.hasPrefix("running echo: nc 127.0.0.1 ") })
        let port = try #require(Int(announcement.split(separator: " ").last ?? ""))
        let script = """
            import socket, sys
            port = int(sys.argv[1])
            def lines(sock):
                buffer = b""
                while True:
                    while b"\\n" in buffer:
                        line, buffer = buffer.split(b"\\n", 1)
                        yield line.decode()
                    data = sock.recv(4096)
                    if not data:
                        return
                    buffer += data
            # One connection sends a line and stays silent: echoed, then closed as idle.
            idle = socket.create_connection(("127.0.0.1", port), timeout=20)
            got = lines(idle)
            print(next(got))
            idle.sendall(b"hi there\\n")
            print(next(got))
            print(next(got))
            print("eof" if next(got, None) is None else "no eof")
            # Another stays open until the demo shuts down.
            late = socket.create_connection(("127.0.0.1", port), timeout=20)
            got = lines(late)
            print(next(got))
            print("open", flush=True)
            print(next(got))
            print("eof" if next(got, None) is None else "no eof", flush=True)
            """
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["python3", "-c", script, String(port)]
        let output = Pipe()
        client.standardOutput = output
        try client.run()
        // Once the second connection is open, shut the demo down. The blocking reads run on a
        // worker thread: the cooperative pool has only as many threads as cores.
        let handle = output.fileHandleForReading
        var clientText = try await ToThread.runSync {
            var text = ""
            let deadline = ContinuousClock.now + .seconds(20)
            while !text.contains("open\n"), ContinuousClock.now < deadline {
                let data = handle.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            return text
        }
        demo.send(SIGINT)
        let exit = try await demo.waitForExit(timeout: .seconds(20))
        clientText += try await ToThread.runSync {
            let rest = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            client.waitUntilExit()
            return rest
        }
        #expect(client.terminationStatus == 0)
        #expect(
            clientText.split(separator: "\n").map(String.init) == [
                "hello from anyio-demo; send lines, they come back", "echo: hi there", "idle for 1 s, goodbye",
                "eof", "hello from anyio-demo; send lines, they come back", "open", "server shutting down, goodbye",
                "eof",
            ], "client output:\n\(clientText)")
        #expect(exit == .exited(0), "stdout:\n\(demo.stdout.text)\nstderr:\n\(demo.stderr.text)")
        #expect(demo.stdout.lines.contains { $0.hasPrefix("echo stopped (2 connections, 1 lines echoed)") })
        expectGracefulShutdown(demo.stdout.lines)
    }

    @Test("a second SIGINT during a slow shutdown exits at once with status 130")
    func demoSecondSignal() async throws {
        let demo = try DemoProcess(arguments: ["--slow-shutdown"])
        try await demo.waitForLine("ready", timeout: .seconds(20))
        demo.send(SIGINT)
        try await demo.waitForLine("ticker: slow shutdown, flushing for 30 s", timeout: .seconds(20))
        let secondSignal = ContinuousClock.now
        demo.send(SIGINT)
        let exit = try await demo.waitForExit(timeout: .seconds(20))
        // Well inside the 5 s grace period: the exit came from the second signal.
        #expect(ContinuousClock.now - secondSignal < .seconds(3))
        #expect(exit == .exited(130), "stdout:\n\(demo.stdout.text)\nstderr:\n\(demo.stderr.text)")
        #expect(demo.stderr.text.contains("SIGINT received again during graceful shutdown"))
        #expect(!demo.stdout.lines.contains("shutdown complete"))
    }

    @Test("a shutdown longer than the grace period is cut short with 128 + signo")
    func demoGracePeriodExpires() async throws {
        let demo = try DemoProcess(arguments: ["--slow-shutdown", "--grace", "0.5"])
        try await demo.waitForLine("ready", timeout: .seconds(20))
        demo.send(SIGTERM)
        let exit = try await demo.waitForExit(timeout: .seconds(20))
        #expect(exit == .exited(143), "stdout:\n\(demo.stdout.text)\nstderr:\n\(demo.stderr.text)")
        #expect(demo.stderr.text.contains("did not finish within"))
        #expect(demo.stdout.lines.contains("stopping ticker"))
        #expect(!demo.stdout.lines.contains("shutdown complete"))
    }

    @Test(
        "bad arguments exit 2 with the usage on stderr",
        arguments: [
            ["--bogus"], ["--duration"], ["--duration", "-1"], ["--duration", "0"], ["--duration", "soon"],
            ["--duration=nan"], ["--duration", "1", "--duration", "2"], ["extra"],
        ]
    )
    func demoBadArguments(arguments: [String]) async throws {
        let demo = try DemoProcess(arguments: arguments)
        let exit = try await demo.waitForExit(timeout: .seconds(20))
        #expect(exit == .exited(2))
        #expect(demo.stderr.text.contains("usage: anyio-demo"))
        #expect(demo.stdout.text.isEmpty)
    }

    @Test("--help prints the usage on stdout and exits 0")
    func demoHelp() async throws {
        let demo = try DemoProcess(arguments: ["--help"])
        let exit = try await demo.waitForExit(timeout: .seconds(20))
        #expect(exit == .exited(0))
        #expect(demo.stdout.text.contains("usage: anyio-demo [--duration SECONDS] [--port PORT] [--idle SECONDS] [--tree] [--help]"))
        #expect(demo.stderr.text.isEmpty)
    }
}

// MARK: - Helpers

/// Checks the shutdown part of the demo's output: every stop step, in a sensible order, and
/// `shutdown complete` last.
private func expectGracefulShutdown(
    _ lines: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    func index(_ line: String) -> Int? { lines.firstIndex(of: line) }
    func index(prefix: String) -> Int? { lines.firstIndex { $0.hasPrefix(prefix) } }

    let ready = index("ready")
    #expect(ready != nil, "no 'ready' line", sourceLocation: sourceLocation)
    for service in ["config", "ticker", "workers", "echo"] {
        let stopping = index("stopping \(service)")
        let stopped = index(prefix: "\(service) stopped")
        #expect(stopping != nil, "no 'stopping \(service)' line", sourceLocation: sourceLocation)
        #expect(stopped != nil, "no '\(service) stopped' line", sourceLocation: sourceLocation)
        if let ready, let stopping, let stopped {
            #expect(ready < stopping && stopping < stopped, sourceLocation: sourceLocation)
        }
    }
    #expect(lines.last(where: { !$0.isEmpty }) == "shutdown complete", sourceLocation: sourceLocation)
}

/// How many times `testSignalHandler` ran.
private let testHandlerDeliveries = Atomic<Int>(0)

/// A harmless handler installed under the runner's, so that a stray signal never kills the test
/// process.
private func testSignalHandler(_ signalNumber: Int32) {
    testHandlerDeliveries.add(1, ordering: .relaxed)
}

/// How a child process ended.
enum ChildExit: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    var description: String {
        switch self {
        case .exited(let status): "exited(\(status))"
        case .signalled(let signalNumber): "killed by signal \(signalNumber)"
        }
    }
}

/// Bytes read from a child's pipe by a reader thread, until end of file.
final class CapturedOutput: Sendable {
    /// The bytes read so far, and whether the pipe reached end of file.
    // StateLock, not Mutex: under -DANYIO_TSAN it is a pthread mutex, whose ordering TSan sees (a
    // contended Mutex made TSan report a false race here).
    private let state = StateLock<(bytes: [UInt8], isClosed: Bool)>(([], false))

    var text: String { String(decoding: state.withLock { $0.bytes }, as: UTF8.self) }
    var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    var isClosed: Bool { state.withLock { $0.isClosed } }

    /// Starts a thread that reads `fileDescriptor` until end of file.
    func startReading(_ fileDescriptor: Int32) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                state.withLock { $0.bytes.append(contentsOf: buffer[..<count]) }
            }
            state.withLock { $0.isClosed = true }
        }
        thread.start()
    }
}

/// The `anyio-demo` executable running as a child process with captured stdout and stderr.
final class DemoProcess {
    let process = Process()
    let stdout = CapturedOutput()
    let stderr = CapturedOutput()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()

    init(arguments: [String]) throws {
        let executable: URL = try #require(
            Self.executableURL(),
            "anyio-demo was not found next to the test binary; `swift build --build-tests` builds it"
        )
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        try process.run()
        stdout.startReading(stdoutPipe.fileHandleForReading.fileDescriptor)
        stderr.startReading(stderrPipe.fileHandleForReading.fileDescriptor)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }

    /// Sends `signalNumber` to the child.
    func send(_ signalNumber: Int32) {
        kill(process.processIdentifier, signalNumber)
    }

    /// Waits until stdout has a line equal to `line`.
    func waitForLine(_ line: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !stdout.lines.contains(line) {
            if ContinuousClock.now > deadline || (stdout.isClosed && !stdout.lines.contains(line)) {
                Issue.record(
                    "no line '\(line)' from anyio-demo; stdout:\n\(stdout.text)\nstderr:\n\(stderr.text)"
                )
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until the child has exited and both pipes are drained; kills it after `timeout`.
    func waitForExit(timeout: Duration) async throws -> ChildExit {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning || !stdout.isClosed || !stderr.isClosed {
            if ContinuousClock.now > deadline {
                kill(process.processIdentifier, SIGKILL)
                Issue.record("anyio-demo did not exit in time; stdout:\n\(stdout.text)\nstderr:\n\(stderr.text)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        switch process.terminationReason {
        case .exit: return .exited(process.terminationStatus)
        case .uncaughtSignal: return .signalled(process.terminationStatus)
        @unknown default: return .exited(process.terminationStatus)
        }
    }

    /// `anyio-demo` in the build directory: next to the test binary (Linux:
    /// `.build/debug/AnyIOPackageTests.xctest`), or next to the bundle holding it (macOS).
    private static func executableURL() -> URL? {
        var directories: [URL] = []
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        directories.append(testBinary.deletingLastPathComponent())
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append(URL(fileURLWithPath: path).deletingLastPathComponent())
        }
        #endif
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        // macOS: …/debug/AnyIOPackageTests.xctest/Contents/MacOS/AnyIOPackageTests
        directories.append(
            testBinary.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
        )
        for directory in directories {
            let candidate = directory.appendingPathComponent("anyio-demo")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        return nil
    }
}
