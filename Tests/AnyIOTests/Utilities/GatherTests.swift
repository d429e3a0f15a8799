//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

extension UtilitiesTests {
    @Suite("gather", .timeLimit(.minutes(1)))
    struct GatherTests {
        @Test("results come back in input order, not completion order")
        func resultsInOrder() async throws {
            // Chained events make the operations complete in reverse order (3, 2, 1).
            let events = [Event(), Event(), Event()]
            events[2].set()
            let operations: [@Sendable () async throws -> Int] = (1...3).map { value in
                {
                    try await events[value - 1].wait()
                    if value > 1 { events[value - 2].set() }
                    return value
                }
            }
            let results = try await gather(operations)
            #expect(results == [1, 2, 3])
        }
        // anyio: tests/test_concurrency_utils.py::test_gather_results_in_order

        @Test("the tuple form returns its values in input order, from the main actor")
        @MainActor
        func tupleResultsInOrder() async throws {
            let first = Event()
            let second = Event()
            let third = Event()
            third.set()
            let results = try await gather(
                { try await first.wait(); return 1 },
                { try await second.wait(); first.set(); return "two" },
                { try await third.wait(); second.set(); return true }
            )
            #expect(results.0 == 1)
            #expect(results.1 == "two")
            #expect(results.2 == true)
        }
        // anyio: tests/test_concurrency_utils.py::test_gather_results_in_order

        @Test("every tuple form, from two to six operations, returns its values in order")
        func tupleArities() async throws {
            let two = try await gather({ 1 }, { "2" })
            #expect(two == (1, "2"))
            let three = try await gather({ 1 }, { "2" }, { 3.0 })
            #expect(three == (1, "2", 3.0))
            let four = try await gather({ 1 }, { "2" }, { 3.0 }, { true })
            #expect(four == (1, "2", 3.0, true))
            let five = try await gather({ 1 }, { "2" }, { 3.0 }, { true }, { [5] })
            #expect(five.0 == 1 && five.1 == "2" && five.2 == 3.0 && five.3 && five.4 == [5])
            let six = try await gather({ 1 }, { "2" }, { 3.0 }, { true }, { [5] }, { 6 as UInt8 })
            #expect(six.0 == 1 && six.1 == "2" && six.2 == 3.0 && six.3 && six.4 == [5] && six.5 == 6)
        }
        // anyio: tests/test_concurrency_utils.py::test_gather_results_in_order (AnyIO's typed overloads)

        @Test("a failing operation makes gather throw an ErrorGroup")
        func propagatesError() async throws {
            let operations: [@Sendable () async throws -> Int] = [
                { 1 },
                { throw TestError("boom") },
            ]
            let group = await #expect(throws: ErrorGroup.self) {
                try await gather(operations)
            }
            #expect(group?.errors.count == 1)
            #expect(group?.errors.first as? TestError == TestError("boom"))
        }
        // anyio: tests/test_concurrency_utils.py::test_gather_propagates_exception

        @Test("the tuple form also throws an ErrorGroup")
        func tuplePropagatesError() async throws {
            let group = await #expect(throws: ErrorGroup.self) {
                _ = try await gather({ 1 }, { () async throws -> String in throw TestError("boom") })
            }
            #expect(group?.errors.first as? TestError == TestError("boom"))
        }
        // anyio: tests/test_concurrency_utils.py::test_gather_propagates_exception

        @Test("operations run concurrently: two that wait for each other both finish")
        func runsConcurrently() async throws {
            let a = Event()
            let b = Event()
            let results = try await gather(
                { a.set(); try await b.wait(); return "a" },
                { b.set(); try await a.wait(); return 2 }
            )
            #expect(results == ("a", 2))
        }
        // issue 5

        @Test("an error cancels the other operations, and gather waits for them")
        func errorCancelsOthers() async throws {
            let waiterCancelled = TestBox(false)
            let waiterExited = TestBox(false)
            let waiterStarted = Event()
            let operations: [@Sendable () async throws -> Int] = [
                {
                    defer { waiterExited.value = true }
                    do {
                        waiterStarted.set()
                        try await sleepForever()
                    } catch {
                        waiterCancelled.value = error is CancellationError
                        throw error
                    }
                },
                {
                    try await waiterStarted.wait()
                    throw TestError("boom")
                },
            ]
            let group = await #expect(throws: ErrorGroup.self) {
                try await gather(operations)
            }
            #expect(group?.errors.count == 1)
            #expect(waiterCancelled.value)
            #expect(waiterExited.value)
        }
        // issue 5; spec: N3

        @Test("cancelling the caller cancels every operation; all have ended when gather returns",
              arguments: [CallerCancellation.native, .scope])
        func callerCancellation(_ how: CallerCancellation) async throws {
            let sleepers = SleepingOperations()
            let (started, exited, cancelled) = (sleepers.started, sleepers.exited, sleepers.cancelled)
            let operations = sleepers.operations(3)
            // What `gather` threw, and how many operations had ended at that moment.
            let outcome = TestBox<(threwCancellation: Bool, exitedAtReturn: Int)?>(nil)
            try await how.run {
                do {
                    _ = try await gather(operations)
                } catch {
                    outcome.value = (error is CancellationError, exited.value)
                }
            } whenRunning: {
                try await testWaitUntil("every operation started") { started.value == 3 }
            }
            #expect(outcome.value?.threwCancellation == true)
            #expect(outcome.value?.exitedAtReturn == 3)
            #expect(cancelled.value == 3)
            #expect(exited.value == 3)
        }
        // issue 5

        @Test("an operation that throws CancellationError by itself leaves no value: gather throws it")
        func operationThrowsCancellation() async throws {
            let operations: [@Sendable () async throws -> Int] = [{ 1 }, { throw CancellationError() }]
            await #expect(throws: CancellationError.self) {
                try await gather(operations)
            }
        }
        // spec: N4

        @Test("empty input gives an empty result")
        func emptyInput() async throws {
            let results = try await gather([] as [@Sendable () async throws -> Int])
            #expect(results.isEmpty)
        }
        // issue 5

        @Test("failures are named after the operation's index and the call site")
        func failuresAreNamed() async throws {
            // Neither operation reaches a checkpoint, so both fail although the first failure
            // cancels the nursery.
            let operations: [@Sendable () async throws -> Int] = [
                { throw TestError("first") },
                { throw TestError("second") },
            ]
            let group = await #expect(throws: ErrorGroup.self) {
                try await gather(operations)
            }
            let names = Set(group?.failures.map(\.taskName) ?? [])
            #expect(names.count == 2)
            #expect(names.contains { $0.hasPrefix("gather[0] at GatherTests.swift:") })
            #expect(names.contains { $0.hasPrefix("gather[1] at GatherTests.swift:") })
        }
        // anyio: tests/test_concurrency_utils.py::test_as_completed_naming (for gather)
    }
}
