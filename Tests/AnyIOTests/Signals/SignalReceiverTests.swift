//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//
//
// Signal dispositions are process-wide and Swift Testing runs suites in parallel in one process,
// so every test here that sends a signal to this process is in this one serialized suite, and
// uses only signals no other in-process test uses: SIGUSR1, SIGUSR2, SIGHUP and SIGWINCH. (The
// Runner suite sends SIGINT and SIGTERM in-process and only one `Runner.run` may be active at a
// time, so the tests that need a runner or SIGINT run in a child process, as exit tests.)
//
// While a test runs, harmless test handlers sit under the receivers (`withTestHandlers`), so a
// receiver that failed to install or restore its handler can never kill the test process.
//
// No test depends on timing: signals are raised synchronously on a helper thread (the handler has
// run when `deliver` returns), and the tests wait for the hub's watcher with bounded polls
// (`testWaitUntil`) whose limits are only failsafes.

import AnyIOTesting
import Synchronization
import Testing

@testable import AnyIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Signal receivers", .serialized, .timeLimit(.minutes(1)))
struct SignalReceiverTests {
    /// The signals these tests send.
    static let testSignals: [Int32] = [SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH]

    // MARK: - Delivery

    @Test("several signals are delivered in the order they arrived")
    func receivesInOrder() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            let received = try await withSignalReceiver(for: [.user1, .user2, .hangup]) { signals in
                for signalNumber in [SIGUSR1, SIGUSR2, SIGHUP, SIGUSR1] {
                    deliverSignal(signalNumber)
                }
                var iterator = signals.makeAsyncIterator()
                var received: [OSSignal] = []
                for _ in 0..<4 {
                    received.append(try #require(await iterator.next()))
                }
                return received
            }
            #expect(received == [.user1, .user2, .hangup, .user1])
        }
    }
    // anyio: tests/test_signals.py::test_receive_signals

    @Test("a process-directed signal sent with kill from a task reaches the receiver")
    func processDirectedSignal() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            try await withSignalReceiver(for: [.user2]) { signals in
                // The calling thread may block signals (cooperative pool); the hub's thread does
                // not block the signals it catches, so the kernel finds a thread for it.
                kill(getpid(), SIGUSR2)
                for await signal in signals {
                    #expect(signal == .user2)
                    break
                }
            }
        }
    }
    // anyio: tests/test_signals.py::test_receive_signals (os.kill from a worker thread)

    @Test("signals that arrive while nobody iterates are kept and delivered later, in order")
    func keptWhileNotIterating() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            try await withSignalReceiver(for: [.user1, .hangup]) { signals in
                deliverSignal(SIGHUP)
                deliverSignal(SIGUSR1)
                deliverSignal(SIGHUP)
                try await testWaitUntil("the three signals are pending") { pendingCount(signals) == 3 }
                try await LowLevel.checkpoint()

                var received: [OSSignal] = []
                for await signal in signals {
                    received.append(signal)
                    if received.count == 3 { break }
                }
                #expect(received == [.hangup, .user1, .hangup])
                // A new iteration continues with what arrives next.
                deliverSignal(SIGUSR1)
                for await signal in signals {
                    #expect(signal == .user1)
                    break
                }
            }
        }
    }

    @Test("a signal received while the body handles the previous one is not lost")
    func arrivesWhileHandling() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            try await withSignalReceiver(for: [.user1, .user2]) { signals in
                deliverSignal(SIGUSR1)
                var received: [OSSignal] = []
                for await signal in signals {
                    received.append(signal)
                    if signal == .user1 {
                        // "Handling" the first: the second arrives meanwhile.
                        deliverSignal(SIGUSR2)
                        try await LowLevel.checkpoint()
                    } else {
                        break
                    }
                }
                #expect(received == [.user1, .user2])
            }
        }
    }

    // MARK: - Cancellation

    @Test("a cancelled wait ends the iteration, and a new iteration receives later signals")
    func cancelledWaitThenReiterate() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            try await withSignalReceiver(for: [.user1]) { signals in
                let loopEnded = TestBox(false)
                let storage = signals.storage
                try await withCancelScope { scope in
                    try await withNursery { nursery in
                        nursery.startSoon {
                            try await testWaitUntil("the loop waits") { waitingCount(storage) == 1 }
                            scope.cancel()
                        }
                        for await _ in signals {
                            Issue.record("no signal was sent yet")
                        }
                        loopEnded.value = true
                    }
                }
                #expect(loopEnded.value)
                #expect(waitingCount(signals.storage) == 0)

                deliverSignal(SIGUSR1)
                var iterator = signals.makeAsyncIterator()
                #expect(await iterator.next() == .user1)
            }
        }
    }

    @Test("an iterator whose wait was cancelled keeps returning nil; a new one receives")
    func finishedIteratorStaysFinished() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            try await withSignalReceiver(for: [.user2]) { signals in
                var iterator = signals.makeAsyncIterator()
                try await withCancelScope { scope in
                    scope.cancel()
                    #expect(await iterator.next() == nil)
                }
                deliverSignal(SIGUSR2)
                try await testWaitUntil("the signal is pending") { pendingCount(signals) == 1 }
                #expect(await iterator.next() == nil)
                var fresh = signals.makeAsyncIterator()
                #expect(await fresh.next() == .user2)
            }
        }
    }

    @Test("next() in a cancelled task returns nil at once and takes nothing")
    func cancelledBeforeWaiting() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            try await withSignalReceiver(for: [.hangup]) { signals in
                deliverSignal(SIGHUP)
                try await testWaitUntil("the signal is pending") { pendingCount(signals) == 1 }
                try await withCancelScope { scope in
                    scope.cancel()
                    var iterator = signals.makeAsyncIterator()
                    #expect(await iterator.next() == nil)
                }
                #expect(pendingCount(signals) == 1)
                var iterator = signals.makeAsyncIterator()
                #expect(await iterator.next() == .hangup)
            }
        }
    }

    @Test("cancelling the nursery ends an iteration in a child, and the child's next checkpoint throws")
    func nurseryCancellationWhileIterating() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            let reachedCheckpoint = TestBox(false)
            let passedCheckpoint = TestBox(false)
            try await withNursery { nursery in
                nursery.startSoon {
                    try await withSignalReceiver(for: [.user1]) { signals in
                        for await _ in signals {
                            Issue.record("SIGUSR1 was not sent")
                        }
                        reachedCheckpoint.value = true
                        try await LowLevel.checkpoint()
                        passedCheckpoint.value = true
                    }
                }
                try await testWaitUntil("the child waits for a signal") {
                    currentHandlerAddress(for: SIGUSR1) != testHandlerAddress
                }
                nursery.cancel()
            }
            #expect(reachedCheckpoint.value)
            #expect(!passedCheckpoint.value)
            #expect(currentHandlerAddress(for: SIGUSR1) == testHandlerAddress)
        }
    }
    // anyio: tests/test_signals.py::test_task_group_cancellation_open

    @Test("cancelling the nursery of a consumer that iterates the receiver ends it")
    func nurseryCancellationOfConsumer() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            let loopBodyRan = TestBox(false)
            try await withSignalReceiver(for: [.user1]) { signals in
                let storage = signals.storage
                try await withNursery { nursery in
                    // The receiver is not Sendable, so the consumer that iterates it is the
                    // body's own task; a sibling cancels the nursery once it waits.
                    nursery.startSoon {
                        try await testWaitUntil("the consumer waits") { waitingCount(storage) == 1 }
                        nursery.cancel()
                    }
                    for await _ in signals {
                        loopBodyRan.value = true
                    }
                    try await LowLevel.checkpoint()
                    Issue.record("the checkpoint after the loop should have thrown")
                }
            }
            #expect(!loopBodyRan.value)
        }
    }
    // anyio: tests/test_signals.py::test_task_group_cancellation_consume

    @Test("a waiting iteration counts as blocked and shows in the task tree", .anyIO(timeLimit: .seconds(20)))
    func waitIsVisible() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            try await withNursery { nursery in
                nursery.startSoon(name: "signal consumer") {
                    try await withSignalReceiver(for: [.windowChanged]) { signals in
                        for await signal in signals {
                            #expect(signal == .windowChanged)
                            break
                        }
                    }
                }
                try await waitAllTasksBlocked()
                let tree = try #require(TaskTreeTag.current).taskTree
                let consumer = try #require(tree.allTasks.first { $0.task.name == "signal consumer" })
                #expect(
                    consumer.state == .waiting(operation: "withSignalReceiver (waiting for a signal)", until: nil)
                )
                deliverSignal(SIGWINCH)
            }
        }
    }

    // MARK: - Several receivers

    @Test("two receivers of different signals each receive only their own")
    func twoReceiversDifferentSignals() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            try await withSignalReceiver(for: [.user1]) { first in
                try await withSignalReceiver(for: [.user2]) { second in
                    deliverSignal(SIGUSR2)
                    deliverSignal(SIGUSR1)
                    var firstIterator = first.makeAsyncIterator()
                    var secondIterator = second.makeAsyncIterator()
                    #expect(await firstIterator.next() == .user1)
                    #expect(await secondIterator.next() == .user2)
                    #expect(pendingCount(first) == 0)
                    #expect(pendingCount(second) == 0)
                }
                // The inner receiver's end leaves SIGUSR1 caught for the outer one.
                #expect(currentHandlerAddress(for: SIGUSR2) == testHandlerAddress)
                #expect(currentHandlerAddress(for: SIGUSR1) != testHandlerAddress)
                deliverSignal(SIGUSR1)
                var iterator = first.makeAsyncIterator()
                #expect(await iterator.next() == .user1)
            }
        }
    }

    @Test("two receivers of the same signal both receive every arrival")
    func twoReceiversSameSignal() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            try await withSignalReceiver(for: [.hangup]) { first in
                try await withSignalReceiver(for: [.hangup, .user1]) { second in
                    deliverSignal(SIGHUP)
                    deliverSignal(SIGUSR1)
                    deliverSignal(SIGHUP)
                    var firstIterator = first.makeAsyncIterator()
                    var secondIterator = second.makeAsyncIterator()
                    #expect(await firstIterator.next() == .hangup)
                    #expect(await firstIterator.next() == .hangup)
                    #expect(await secondIterator.next() == .hangup)
                    #expect(await secondIterator.next() == .user1)
                    #expect(await secondIterator.next() == .hangup)
                }
            }
        }
    }

    @Test("the handler stays until the last receiver of a signal ends, whatever order they end in")
    func lastReceiverRestores() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            let firstMayEnd = Event()
            let firstIsActive = TestBox(false)
            let firstEnded = TestBox(false)
            try await withNursery { nursery in
                nursery.startSoon {
                    try await withSignalReceiver(for: [.user2]) { _ in
                        firstIsActive.value = true
                        try await firstMayEnd.wait()
                    }
                    firstEnded.value = true
                }
                try await testWaitUntil("the first receiver is active") { firstIsActive.value }
                try await withSignalReceiver(for: [.user2]) { second in
                    // The first receiver ends while the second is still active.
                    firstMayEnd.set()
                    try await testWaitUntil("the first receiver ended") { firstEnded.value }
                    #expect(currentHandlerAddress(for: SIGUSR2) != testHandlerAddress)
                    deliverSignal(SIGUSR2)
                    var iterator = second.makeAsyncIterator()
                    #expect(await iterator.next() == .user2)
                }
            }
            #expect(currentHandlerAddress(for: SIGUSR2) == testHandlerAddress)
        }
    }

    // MARK: - Restoring the previous disposition

    @Test("the previous handler is restored when the body returns, throws or is cancelled")
    func previousHandlerRestored() async throws {
        struct Boom: Error {}
        try await withTestHandlers(for: Self.testSignals) {
            #expect(currentHandlerAddress(for: SIGUSR1) == testHandlerAddress)

            // Returns.
            let during = try await withSignalReceiver(for: [.user1]) { _ in currentHandlerAddress(for: SIGUSR1) }
            #expect(during != testHandlerAddress, "withSignalReceiver should install its own handler")
            #expect(currentHandlerAddress(for: SIGUSR1) == testHandlerAddress)

            // Throws.
            await #expect(throws: Boom.self) {
                try await withSignalReceiver(for: [.user1]) { _ in throw Boom() }
            }
            #expect(currentHandlerAddress(for: SIGUSR1) == testHandlerAddress)

            // Cancelled while waiting.
            try await withCancelScope { scope in
                try await withSignalReceiver(for: [.user1]) { signals in
                    scope.cancel()
                    for await _ in signals {}
                    try await LowLevel.checkpoint()
                }
            }
            #expect(currentHandlerAddress(for: SIGUSR1) == testHandlerAddress)

            // Functional check: the signal reaches the test handler again.
            let before = testHandlerDeliveries.load(ordering: .relaxed)
            deliverSignal(SIGUSR1)
            #expect(testHandlerDeliveries.load(ordering: .relaxed) == before + 1)
        }
    }

    @Test("SIG_IGN and SIG_DFL come back too")
    func ignoreAndDefaultRestored() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            // SIGWINCH's default action is to ignore it, so SIG_DFL is safe to test with.
            try await withDisposition(SIG_DFL, for: SIGWINCH) {
                try await withDisposition(SIG_IGN, for: SIGUSR2) {
                    let ignored = currentHandlerAddress(for: SIGUSR2)
                    let defaulted = currentHandlerAddress(for: SIGWINCH)
                    try await withSignalReceiver(for: [.user2, .windowChanged]) { signals in
                        #expect(currentHandlerAddress(for: SIGUSR2) != ignored)
                        #expect(currentHandlerAddress(for: SIGWINCH) != defaulted)
                        deliverSignal(SIGUSR2)
                        var iterator = signals.makeAsyncIterator()
                        #expect(await iterator.next() == .user2)
                    }
                    #expect(currentHandlerAddress(for: SIGUSR2) == ignored)
                    #expect(currentHandlerAddress(for: SIGWINCH) == defaulted)
                    // Ignored again: raising it is harmless and reaches no handler.
                    let before = testHandlerDeliveries.load(ordering: .relaxed)
                    deliverSignal(SIGUSR2)
                    #expect(testHandlerDeliveries.load(ordering: .relaxed) == before)
                }
            }
        }
    }

    @Test("receivers and Runner.run share SIGINT; each restores nothing the other still needs")
    func coexistsWithRunner() async {
        // In a child process: the Runner suite runs `Runner.run` and sends SIGINT in this one.
        await #expect(processExitsWith: .success) {
            // Compared with what the child inherited (a shell may start it with SIGINT ignored).
            let before = currentHandlerAddress(for: SIGINT)
            let user1Before = currentHandlerAddress(for: SIGUSR1)
            let result: Bool? = try await Runner.run { root in
                try await withSignalReceiver(for: [.user1, .interrupt]) { signals in
                    var iterator = signals.makeAsyncIterator()
                    kill(getpid(), SIGUSR1)
                    guard await iterator.next() == .user1 else { fatalError("expected SIGUSR1") }
                    guard !root.cancelCalled else { fatalError("SIGUSR1 must not cancel the root scope") }

                    kill(getpid(), SIGINT)
                    // The runner subscribed first, so it has cancelled the root scope by the time
                    // the receiver has the signal; a shield lets the receiver wait anyway.
                    let received = try await withCancelScope(shield: true) { _ in await iterator.next() }
                    guard received == .interrupt else { fatalError("expected SIGINT, got \(String(describing: received))") }
                    guard root.cancelCalled, root.cancelReason == "SIGINT received" else {
                        fatalError("the runner should have cancelled the root scope")
                    }
                }
                // The receiver ended; the runner still catches SIGINT.
                guard currentHandlerAddress(for: SIGINT) != before else { fatalError("the runner's handler is gone") }
                try await LowLevel.checkpoint()
                return true
            }
            guard result == nil else { fatalError("Runner.run should return nil after SIGINT") }
            guard currentHandlerAddress(for: SIGINT) == before else { fatalError("SIGINT's handler was not restored") }
            guard currentHandlerAddress(for: SIGUSR1) == user1Before else {
                fatalError("SIGUSR1's handler was not restored")
            }
        }
    }

    @Test("a receiver that outlives Runner.run keeps SIGINT until it ends")
    func receiverOutlivesRunner() async {
        await #expect(processExitsWith: .success) {
            let before = currentHandlerAddress(for: SIGINT)
            try await withSignalReceiver(for: [.interrupt]) { signals in
                let outcome: Int? = try await Runner.run { _ in 1 }
                guard outcome == 1 else { fatalError("Runner.run should return the body's value") }
                // The runner has ended, but SIGINT is still caught for the receiver.
                guard currentHandlerAddress(for: SIGINT) != before else { fatalError("SIGINT's handler is gone") }
                kill(getpid(), SIGINT)
                var iterator = signals.makeAsyncIterator()
                guard await iterator.next() == .interrupt else { fatalError("expected SIGINT") }
            }
            guard currentHandlerAddress(for: SIGINT) == before else { fatalError("SIGINT's handler was not restored") }
        }
    }

    // MARK: - Bad input and misuse

    @Test(
        "signals that cannot be received are rejected with a message that names them",
        arguments: [
            (SIGKILL, "SIGKILL"), (SIGSTOP, "SIGSTOP"), (SIGSEGV, "SIGSEGV"), (0, "signal 0"), (-1, "signal -1"),
            (1000, "signal 1000"),
        ] as [(Int32, String)]
    )
    func rejectsBadSignals(signalNumber: Int32, name: String) async throws {
        try await withTestHandlers(for: Self.testSignals) {
            let error = await #expect(throws: InvalidArgumentError.self) {
                try await withSignalReceiver(for: [.user1, OSSignal(rawValue: signalNumber)]) { _ in
                    Issue.record("the body must not run")
                }
            }
            let message = try #require(error?.message)
            #expect(message.contains(name))
            #expect(message.contains("cannot receive"))
            // Nothing was installed, not even for the valid signal listed first.
            #expect(currentHandlerAddress(for: SIGUSR1) == testHandlerAddress)
        }
    }

    @Test("an empty list is allowed: the body runs, and iterating ends only by cancellation")
    func emptyList() async throws {
        let value = try await withSignalReceiver(for: []) { signals in
            try await withCancelScope { scope in
                scope.cancel()
                for await _ in signals {
                    Issue.record("no signal can arrive")
                }
            }
            return 7
        }
        #expect(value == 7)
    }

    @Test("duplicates in the list are ignored: one arrival is delivered once")
    func duplicatesIgnored() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            try await withSignalReceiver(for: [.user1, .user1]) { signals in
                deliverSignal(SIGUSR1)
                var iterator = signals.makeAsyncIterator()
                #expect(await iterator.next() == .user1)
                try await LowLevel.checkpoint()
                #expect(pendingCount(signals) == 0)
            }
        }
    }

    @Test("iterating a receiver after its scope has ended traps with a clear message")
    func iteratingAfterScopeTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let escaped = try await withSignalReceiver(for: [.user1]) { $0 }
            var iterator = escaped.makeAsyncIterator()
            _ = await iterator.next()
        }
        let standardError = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(standardError.contains("SignalReceiver iterated after its withSignalReceiver body returned"))
    }

    // MARK: - OSSignal

    @Test("OSSignal's constants and names")
    func signalNames() {
        #expect(OSSignal.interrupt.rawValue == SIGINT)
        #expect(OSSignal.terminate.rawValue == SIGTERM)
        #expect(OSSignal.hangup.rawValue == SIGHUP)
        #expect(OSSignal.quit.rawValue == SIGQUIT)
        #expect(OSSignal.user1.rawValue == SIGUSR1)
        #expect(OSSignal.user2.rawValue == SIGUSR2)
        #expect(OSSignal.childExited.rawValue == SIGCHLD)
        #expect(OSSignal.windowChanged.rawValue == SIGWINCH)
        #expect(OSSignal.hangup.description == "SIGHUP")
        #expect(OSSignal.windowChanged.description == "SIGWINCH")
        #expect(OSSignal.childExited.description == "SIGCHLD")
        #expect(OSSignal(rawValue: 1000).description == "signal 1000")
        #expect(OSSignal(rawValue: SIGUSR1) == .user1)
        #expect(Set([OSSignal.user1, .user1, .user2]).count == 2)
    }

    // MARK: - Doc snippets

    @Test("withSignalReceiver's doc comment: reload on SIGHUP")
    func docSnippetReload() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            let reloads = TestBox(0)
            func reloadConfiguration() async throws { reloads.update { $0 += 1 } }
            try await withSignalReceiver(for: [.hangup]) { signals in
                deliverSignal(SIGHUP)  // (test)
                for await _ in signals {
                    try await reloadConfiguration()
                    break  // (test)
                }
            }
            #expect(reloads.value == 1)
        }
    }

    // Docs.docc/ReceivingSignals.md, "Reloading the configuration on SIGHUP".
    @Test("ReceivingSignals.md: a config reloader in a nursery, cancelled with it")
    func articleReloader() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            let reloads = TestBox(0)
            @Sendable func reloadConfiguration() async throws { reloads.update { $0 += 1 } }
            try await withNursery { nursery in
                nursery.startSoon(name: "config reloader") {
                    try await withSignalReceiver(for: [.hangup]) { signals in
                        for await _ in signals {
                            try await reloadConfiguration()
                        }
                        // The loop ends when the task is cancelled; let the cancellation propagate.
                        try await LowLevel.checkpoint()
                    }
                }
                // serveForever(), for the test: one SIGHUP, then shut down.
                try await testWaitUntil("the reloader catches SIGHUP") {  // (test)
                    currentHandlerAddress(for: SIGHUP) != testHandlerAddress  // (test)
                }  // (test)
                deliverSignal(SIGHUP)  // (test)
                try await testWaitUntil("one reload") { reloads.value == 1 }  // (test)
                nursery.cancel()  // (test)
            }
            // --- end of the README example ---
            #expect(reloads.value == 1)
            #expect(currentHandlerAddress(for: SIGHUP) == testHandlerAddress)
        }
    }

    // Docs.docc/ReceivingSignals.md, "Cancellation ends an iteration, not the receiver".
    @Test("ReceivingSignals.md: a bounded first wait, then a new iteration")
    func articleBoundedWait() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            var lines: [String] = []  // (test)
            func print(_ line: String) { lines.append(line) }  // (test)
            try await withSignalReceiver(for: [.user1]) { signals in
                deliverSignal(SIGUSR1)  // (test)
                // Wait at most a second for the first SIGUSR1.
                let first = try await moveOnAfter(.seconds(1)) { _ in
                    var iterator = signals.makeAsyncIterator()
                    return await iterator.next()
                }
                print(first.flatMap { $0 }.map { "got \($0)" } ?? "no SIGUSR1 within a second")

                deliverSignal(SIGUSR1)  // (test)
                // A new iteration receives what arrives next, including what arrived meanwhile.
                for await signal in signals {
                    print("then \(signal)")
                    break  // (test)
                }
            }
            #expect(lines == ["got SIGUSR1", "then SIGUSR1"])
        }
    }

    // README.md, "Signals": the example, verbatim between the markers (config and server are
    // stand-ins).
    @Test("README: reload the configuration on SIGHUP while serving")
    func readmeReload() async throws {
        try await withTestHandlers(for: Self.testSignals) {
            let config = ReadmeConfig()  // (test)
            let server = ReadmeServer(config: config)  // (test)
            // --- README.md, "Signals" (verbatim from here, except the line marked "(test)") ---
            // Reload the configuration on every SIGHUP (`kill -HUP <pid>`) while serving.
            try await withNursery { nursery in
                nursery.startSoon(name: "config reloader") {
                    try await withSignalReceiver(for: [.hangup]) { signals in
                        for await _ in signals {
                            try await config.reload()
                            print("configuration reloaded")
                        }
                    }
                }
                try await server.serveForever()
                nursery.cancel()  // (test)
            }
            // --- end of the README example ---
            #expect(config.reloads.value == 1)
        }
    }
}

// MARK: - Helpers

/// The number of signals `receiver` holds that nobody has taken yet.
private func pendingCount(_ receiver: SignalReceiver) -> Int {
    receiver.storage.state.withLock { $0.pendingCount }
}

/// The number of iterations waiting in `storage`.
private func waitingCount(_ storage: SignalReceiverStorage) -> Int {
    storage.state.withLock { $0.waitingCount }
}

/// How many times `countingTestHandler` ran.
private let testHandlerDeliveries = Atomic<Int>(0)

/// The harmless handler under the receivers: it only counts.
private func countingTestHandler(_ signalNumber: Int32) {
    testHandlerDeliveries.add(1, ordering: .relaxed)
}

/// `countingTestHandler`'s address, as `currentHandlerAddress(for:)` reports it.
private let testHandlerAddress: UInt = {
    let handler: @convention(c) (Int32) -> Void = countingTestHandler
    return unsafeBitCast(handler, to: UInt.self)
}()

/// Installs `countingTestHandler` for `signalNumbers`, runs `body`, then restores what they had.
private func withTestHandlers(
    for signalNumbers: [Int32],
    _ body: () async throws -> Void
) async throws {
    var originals: [(Int32, sigaction)] = []
    defer {
        for (signalNumber, original) in originals.reversed() {
            var original = original
            _ = sigaction(signalNumber, &original, nil)
        }
    }
    for signalNumber in signalNumbers {
        var action = sigaction()
        #if canImport(Darwin)
        action.__sigaction_u.__sa_handler = countingTestHandler
        #else
        action.__sigaction_handler.sa_handler = countingTestHandler
        #endif
        sigemptyset(&action.sa_mask)
        var original = sigaction()
        try #require(sigaction(signalNumber, &action, &original) == 0)
        originals.append((signalNumber, original))
    }
    try await body()
}

/// The README example's configuration: counts reloads.
private final class ReadmeConfig: Sendable {
    let reloads = TestBox(0)
    func reload() async throws { reloads.update { $0 += 1 } }
}

/// The README example's server: sends itself one SIGHUP once the reloader listens, and "serves"
/// until the configuration has been reloaded.
private struct ReadmeServer: Sendable {
    let config: ReadmeConfig
    func serveForever() async throws {
        try await testWaitUntil("the reloader catches SIGHUP") {
            currentHandlerAddress(for: SIGHUP) != testHandlerAddress
        }
        deliverSignal(SIGHUP)
        try await testWaitUntil("one reload") { config.reloads.value == 1 }
    }
}
