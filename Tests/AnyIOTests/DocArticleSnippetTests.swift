//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIOTesting
import Testing

/// The code snippets of the DocC articles and of the doc comments of `Nursery.startSoon` and
/// `withAnyIOTest`, compiled and run here so that they stay true (every snippet must compile).
/// `DocSnippetTests` has the `start` snippets of CancelScopesAndNurseries.md and
/// `BlockingPortal.startTask`; `ReadmeExampleTests` has the README's. Each test names where its
/// snippet stands; keep the two in step.
///
/// Adaptations, each marked where it is made:
/// - `Runner.run` becomes `withCancelScope`, which is what `Runner.run` runs its body in. Only one
///   `Runner.run` may be active in a process, and `RunnerTests` runs in parallel with this suite.
/// - Names a snippet leaves to the reader (`nursery`, `receive`, `fetch`, `items`) are declared
///   around it, and long sleeps are shortened.
/// - Lines marked `// (test)` are not in the snippet: they record what the test checks.
///
/// Not compiled on purpose: the `Package.swift` block of GettingStarted.md (a manifest), and the
/// "started twice" block of StartHandshake.md (it shows a compile-time error).
@Suite("Documentation article snippets", .timeLimit(.minutes(1)))
struct DocArticleSnippetTests {
    // MARK: - AnyIO.md

    // Docs.docc/AnyIO.md, the overview's example. `Runner.run` → `withCancelScope`; the 10 s
    // sleep → 10 ms.
    @Test("AnyIO.md: a server started with start, then the nursery cancelled")
    func overviewExample() async throws {
        let outcome: Void? = try await withCancelScope { root in
            try await withNursery { nursery in
                let port = try await nursery.start(name: "server") { (status: consuming TaskStatus<Int>) in
                    status.started(8080)
                    try await sleepForever()                  // serve until cancelled
                }
                print("listening on", port)
                try await sleep(for: .milliseconds(10))
                nursery.cancel(reason: "done")
            }
        }
        if outcome == nil { print("interrupted") }          // Ctrl+C cancelled the root scope
        #expect(outcome != nil)  // (test)
    }

    // MARK: - GettingStarted.md

    // Docs.docc/GettingStarted.md, "A first program". `Runner.run` → `withCancelScope`.
    @Test("GettingStarted.md: producer and consumer through a memory object stream, with timeouts")
    func gettingStartedFirstProgram() async throws {
        let outcome: Void? = try await withCancelScope { _ in
            let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 4)
            try await withNursery { nursery in
                nursery.startSoon(name: "producer") {
                    defer { send.close() }                        // ends the consumer's loop
                    for n in 1...3 {
                        try await send.send("job \(n)")
                    }
                }
                nursery.startSoon(name: "consumer") {
                    defer { receive.close() }
                    for try await job in receive {
                        // Each job may take one second; after that, failAfter throws TimeoutError.
                        try await failAfter(.seconds(1)) { _ in
                            try await sleep(for: .milliseconds(10))   // stands for real work
                            print("done:", job)
                        }
                    }
                }
                // Waits 50 ms for something that never comes, then moves on with nil.
                let reply: String? = try await moveOnAfter(.milliseconds(50)) { _ in try await sleepForever() }
                print("reply:", reply as Any)
                #expect(reply == nil)  // (test)
            }
        }
        if outcome == nil { print("interrupted") }                // Ctrl+C cancelled the root scope
        #expect(outcome != nil)  // (test)
    }

    // MARK: - CancelScopesAndNurseries.md

    // Docs.docc/CancelScopesAndNurseries.md, "Cancel scopes are level-triggered".
    @Test("CancelScopesAndNurseries.md: every checkpoint in a cancelled scope throws")
    func levelTriggered() async throws {
        try await withCancelScope { scope in
            scope.cancel()
            do { try await sleep(for: .seconds(1)) } catch {}   // throws at once
            try await sleep(for: .seconds(1))                   // throws again
        }
        // Here, outside the scope, nothing is cancelled.
        try await LowLevel.checkpoint()  // (test)
    }

    // Docs.docc/CancelScopesAndNurseries.md, "Shields". The snippet runs in a scope that is
    // cancelled first, standing for the enclosing scope; `state` is declared around it.
    @Test("CancelScopesAndNurseries.md: shielded cleanup runs inside a cancelled scope")
    func shieldedCleanup() async throws {
        let (state, drained) = makeMemoryObjectStream(of: String.self, bufferSize: 1)
        let result: Void? = try await withCancelScope { enclosing in
            enclosing.cancel()
            do {
                try await sleepForever()                          // serve until cancelled
            } catch is CancellationError {
                // Runs even though the enclosing scope is cancelled, for at most 500 ms. Without the
                // shield, this send would throw CancellationError at once.
                try await moveOnAfter(.milliseconds(500), shield: true) { _ in
                    try await state.send("final state")
                }
                throw CancellationError()
            }
        }
        #expect(result == nil)  // (test) the enclosing scope caught its own cancellation
        #expect(try drained.tryReceive() == "final state")  // (test)
    }

    // Docs.docc/CancelScopesAndNurseries.md, "Nurseries". `fetch` is declared at the end of this
    // file; it fails for "b", so the `catch` runs.
    @Test("CancelScopesAndNurseries.md: a failed child comes back in an ErrorGroup")
    func nurseryErrorGroup() async throws {
        var caught: [String] = []  // (test)
        do {
            try await withNursery { nursery in
                nursery.startSoon(name: "fetch a") { try await fetch("a") }
                nursery.startSoon(name: "fetch b") { try await fetch("b") }
            }
        } catch let group as ErrorGroup {
            for failure in group.failures { print(failure.taskName, failure.error) }
            caught = group.failures.map(\.taskName)  // (test)
        }
        #expect(caught == ["fetch b"])  // (test)
    }

    // MARK: - Checkpoints.md

    // Docs.docc/Checkpoints.md, "Low-level checkpoints" (also `LowLevel.checkpoint()`'s doc
    // comment). `items` and `process` are declared around it.
    @Test("Checkpoints.md: a loop made cancellable with LowLevel.checkpoint()")
    func lowLevelCheckpointLoop() async throws {
        let items = [1, 2, 3]
        var processed: [Int] = []
        func process(_ item: Int) { processed.append(item) }
        for item in items {
            process(item)
            try await LowLevel.checkpoint()   // lets a cancelled scope stop the loop
        }
        #expect(processed == items)  // (test)
    }

    // MARK: - SynchronizationAndStreams.md

    // Docs.docc/SynchronizationAndStreams.md, "Cancel safety". `Job` and `handle` are declared
    // around it, and a producer sends one job so that the test does not wait the full second.
    @Test("SynchronizationAndStreams.md: a consumer that gives up after a second", .anyIO(timeLimit: .seconds(20)))
    func cancelSafeReceive() async throws {
        struct Job: Sendable { var id: Int }
        var handled: [Int] = []
        func handle(_ job: Job) async throws { handled.append(job.id) }
        try await withNursery { nursery in
            let (send, receive) = makeMemoryObjectStream(of: Job.self)
            nursery.startSoon { try await send.send(Job(id: 1)) }  // (test) the producer
            // (test) The producer is parked in send before the consumer starts its timeout (the
            // .anyIO trait limits the wait to this test's tasks), so the receive succeeds however
            // slowly a loaded machine runs the producer.
            try await waitAllTasksBlocked()  // (test)
            // A consumer that gives up after a second either has the job or left it in the stream.
            if let job = try await moveOnAfter(.seconds(1), { _ in try await receive.receive() }) {
                try await handle(job)
            }
        }
        #expect(handled == [1])  // (test)
    }

    // MARK: - StartHandshake.md

    // Docs.docc/StartHandshake.md, "The handshake".
    @Test("StartHandshake.md: a timeout around start bounds the start-up only")
    func startHandshake() async throws {
        try await withNursery { nursery in
            // The timeout bounds the start-up only: once `started` is called, the child is the nursery's.
            let jobs = try await failAfter(.seconds(5)) { _ in
                try await nursery.start(name: "worker") {
                    (status: consuming TaskStatus<MemoryObjectSendStream<String>>) in
                    let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 16)
                    status.started(send)                          // ready: `start` returns `send`
                    for try await job in receive { print("working on", job) }
                }
            }
            try await jobs.send("first job")
            jobs.close()                                          // ends the worker's loop
        }
    }

    // Docs.docc/StartHandshake.md, "When the child fails before it is ready".
    @Test("StartHandshake.md: start throws the child's error unwrapped, or StartError")
    func startFailsBeforeReady() async throws {
        struct MissingSetting: Error { var key: String }

        var seen: [String] = []  // (test)
        try await withNursery { nursery in
            do {
                let port = try await nursery.start(name: "server") { (status: consuming TaskStatus<Int>) in
                    throw MissingSetting(key: "port")             // fails before it is ready
                }
                print("listening on", port)
            } catch let error as MissingSetting {
                print("could not start: no", error.key)           // the nursery is not cancelled
                seen.append(error.key)  // (test)
            }
            do {
                try await nursery.start { (status: consuming TaskStatus<Void>) in
                    // Returns without calling `status.started()`.
                }
            } catch is StartError {
                print("the child never reported readiness")
                seen.append("StartError")  // (test)
            }
            #expect(!nursery.cancelScope.cancelCalled)  // (test)
        }
        #expect(seen == ["port", "StartError"])  // (test)
    }

    // Docs.docc/StartHandshake.md, "When the caller is cancelled first". `nursery` is declared
    // around it.
    @Test("StartHandshake.md: started after a cancelled start returns false and adds no error")
    func startedAfterCancelledStart() async throws {
        try await withNursery { nursery in
            let port: Int? = try await moveOnAfter(.milliseconds(50)) { _ in
                try await nursery.start(name: "slow server") { (status: consuming TaskStatus<Int>) in
                    do {
                        try await sleepForever()                      // a start-up that never finishes
                    } catch {
                        let delivered = status.started(8080)          // too late: returns false
                        print("delivered:", delivered)                // delivered: false
                        throw error
                    }
                }
            }
            // port == nil: the timeout caught the cancellation. The nursery is not affected.
            #expect(port == nil)  // (test)
            #expect(!nursery.cancelScope.cancelCalled)  // (test)
        }
    }

    // Docs.docc/StartHandshake.md, "Functions written for start". `runWorker` is declared at
    // the end of this file; `nursery` and `receive` are declared around the calls.
    @Test("StartHandshake.md: a function written for start, started and called with .ignored")
    func functionWrittenForStart() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 1)
        try await withNursery { nursery in
            // In a nursery, the caller waits until the worker is ready:
            try await nursery.start { (status: consuming TaskStatus<Void>) in
                try await runWorker(jobs: receive, status: status)
            }
            try await send.send("first job")  // (test)
            send.close()  // (test)
        }

        do {
            let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 1)  // (test)
            try await send.send("second job")  // (test)
            send.close()  // (test)
            // Called directly, the readiness report goes nowhere:
            try await runWorker(jobs: receive, status: .ignored)
        }
    }

    // MARK: - IntrospectionAndTesting.md

    // Docs.docc/IntrospectionAndTesting.md, "Testing with AnyIOTesting": the suite `QueueTests`,
    // nested in this suite (see the extension below).

    // MARK: - Doc comments

    // `Nursery.startSoon`'s doc comment (Sources/AnyIO/Core/Nursery/Nursery.swift).
    @Test("Nursery.startSoon doc comment: a producer and an unnamed consumer")
    func startSoonDocComment() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self)
        try await withNursery { nursery in
            nursery.startSoon(name: "producer") {
                defer { send.close() }                    // ends the consumer's loop
                for n in 1...3 { try await send.send(n) }
            }
            nursery.startSoon {                           // named after this line
                for try await n in receive { print("got", n) }
            }
        }
    }

    // `withAnyIOTest`'s doc comment (Sources/AnyIOTesting/WithAnyIOTest.swift), verbatim.
    @Test func serverStops() async throws {
        try await withAnyIOTest(timeLimit: .seconds(5)) {
            try await withNursery { nursery in
                nursery.startSoon(name: "server") { try await sleepForever() }  // serves until cancelled
                try await waitAllTasksBlocked()              // this test's tasks only: the server is parked
                nursery.cancel()
            }
        }
    }
}

extension DocArticleSnippetTests {
    // Docs.docc/IntrospectionAndTesting.md, "Testing with AnyIOTesting": the suite, verbatim.
    @Suite(.anyIO(timeLimit: .seconds(5)))
    struct QueueTests {
        @Test func consumerWaits() async throws {
            let (send, receive) = makeMemoryObjectStream(of: Int.self)
            try await withNursery { nursery in
                nursery.startSoon { _ = try await receive.receive() }
                try await waitAllTasksBlocked()
                #expect(receive.statistics().tasksWaitingReceive == 1)
                try await assertCheckpoints { try await send.send(1) }
            }
        }
    }
}

// MARK: - Names the snippets leave to the reader

/// The error `fetch` throws for "b".
private struct FetchError: Error {
    var name: String
}

/// Stands for a download in CancelScopesAndNurseries.md, "Nurseries": fails for "b".
private func fetch(_ name: String) async throws -> String {
    try await LowLevel.checkpoint()
    if name == "b" { throw FetchError(name: name) }
    return name
}

// Docs.docc/StartHandshake.md, "Functions written for start": the function, verbatim.
private func runWorker(jobs: MemoryObjectReceiveStream<String>, status: consuming TaskStatus<Void>) async throws {
    status.started()
    for try await job in jobs { print("working on", job) }
}
