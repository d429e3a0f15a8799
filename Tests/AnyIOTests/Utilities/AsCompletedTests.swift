//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

extension UtilitiesTests {
    @Suite("asCompleted", .timeLimit(.minutes(1)))
    struct AsCompletedTests {
        @Test("results come in completion order")
        func ordering() async throws {
            // The operations complete in the order 2, 3, 1: each result, once delivered, releases
            // the next operation. (Releasing it from inside the previous operation, as AnyIO's
            // single-threaded test can, races here: the released operation may run on the other
            // thread and deliver before the one that released it has returned.)
            let events: [Int: Event] = [1: Event(), 2: Event(), 3: Event()]
            let next: [Int: Int] = [2: 3, 3: 1]
            events[2]!.set()
            let operations: [@Sendable () async throws -> Int] = (1...3).map { value in
                {
                    try await events[value]!.wait()
                    return value
                }
            }
            let results = try await asCompleted(operations) { results in
                var collected: [Int] = []
                for try await result in results {
                    collected.append(result)
                    if let following = next[result] { events[following]!.set() }
                }
                return collected
            }
            #expect(results == [2, 3, 1])
        }
        // anyio: tests/test_concurrency_utils.py::test_as_completed_ordering

        @Test("failures are named after the operation's index and the call site")
        func naming() async throws {
            // Neither operation reaches a checkpoint, so both fail although the first failure
            // cancels the nursery.
            let operations: [@Sendable () async throws -> Int] = [
                { throw TestError("first") },
                { throw TestError("second") },
            ]
            let group = await #expect(throws: ErrorGroup.self) {
                try await asCompleted(operations) { results in
                    for try await _ in results {}
                }
            }
            let names = Set(group?.failures.map(\.taskName) ?? [])
            #expect(names.count == 2)
            #expect(names.contains { $0.hasPrefix("asCompleted[0] at AsCompletedTests.swift:") })
            #expect(names.contains { $0.hasPrefix("asCompleted[1] at AsCompletedTests.swift:") })
        }
        // anyio: tests/test_concurrency_utils.py::test_as_completed_naming

        @Test("no operations: the body runs and the sequence is empty")
        func noOperations() async throws {
            let count = try await asCompleted([] as [@Sendable () async throws -> Int]) { results in
                var count = 0
                for try await _ in results { count += 1 }
                return count
            }
            #expect(count == 0)
        }
        // anyio: tests/test_concurrency_utils.py::test_as_completed_no_coroutines
        // (deliberate difference: AnyIO raises ValueError; here the sequence is empty)

        @Test("a failing operation cancels the body and the others; asCompleted throws an ErrorGroup")
        func propagatesError() async throws {
            let waiterCancelled = TestBox(false)
            let operations: [@Sendable () async throws -> Int] = [
                {
                    do {
                        try await Event().wait()
                    } catch {
                        waiterCancelled.value = error is CancellationError
                        throw error
                    }
                    return 1
                },
                { throw TestError("boom") },
            ]
            let group = await #expect(throws: ErrorGroup.self) {
                try await asCompleted(operations) { results in
                    for try await _ in results {}
                }
            }
            #expect(group?.errors.count == 1)
            #expect(group?.errors.first as? TestError == TestError("boom"))
            #expect(waiterCancelled.value)
        }
        // anyio: tests/test_concurrency_utils.py::test_as_completed_propagates_exception

        @Test("leaving the body early cancels the unfinished operations and waits for them")
        func earlyExit() async throws {
            let neverCancelled = TestBox(false)
            let neverExited = TestBox(false)
            let operations: [@Sendable () async throws -> Int] = [
                { 1 },
                {
                    defer { neverExited.value = true }
                    do {
                        try await Event().wait()
                    } catch {
                        neverCancelled.value = error is CancellationError
                        throw error
                    }
                    return 2
                },
            ]
            let first = try await asCompleted(operations) { results -> Int? in
                for try await result in results { return result }
                return nil
            }
            #expect(first == 1)
            #expect(neverCancelled.value)
            #expect(neverExited.value)
        }
        // anyio: tests/test_concurrency_utils.py::test_as_completed_early_exit

        @Test("operations run concurrently: two that wait for each other both finish")
        func runsConcurrently() async throws {
            let a = Event()
            let b = Event()
            let operations: [@Sendable () async throws -> String] = [
                { a.set(); try await b.wait(); return "a" },
                { b.set(); try await a.wait(); return "b" },
            ]
            let results = try await asCompleted(operations) { results in
                var collected: Set<String> = []
                for try await result in results { collected.insert(result) }
                return collected
            }
            #expect(results == ["a", "b"])
        }
        // issue 5

        @Test("cancelling the caller cancels the body and every operation; all have ended on return",
              arguments: [CallerCancellation.native, .scope])
        func callerCancellation(_ how: CallerCancellation) async throws {
            let sleepers = SleepingOperations()
            let (started, exited, cancelled) = (sleepers.started, sleepers.exited, sleepers.cancelled)
            let operations = sleepers.operations(3)
            let bodyCancelled = TestBox(false)
            let outcome = TestBox<(threwCancellation: Bool, exitedAtReturn: Int)?>(nil)
            try await how.run {
                do {
                    try await asCompleted(operations) { results in
                        do {
                            for try await _ in results {}
                        } catch {
                            bodyCancelled.value = error is CancellationError
                            throw error
                        }
                    }
                } catch {
                    outcome.value = (error is CancellationError, exited.value)
                }
            } whenRunning: {
                try await testWaitUntil("every operation started") { started.value == 3 }
            }
            #expect(outcome.value?.threwCancellation == true)
            #expect(outcome.value?.exitedAtReturn == 3)
            #expect(bodyCancelled.value)
            #expect(cancelled.value == 3)
        }
        // issue 5

        @Test("an error thrown by the body cancels the operations and is thrown in an ErrorGroup")
        func bodyError() async throws {
            let cancelled = TestBox(0)
            let operations: [@Sendable () async throws -> Int] = (0..<2).map { _ in
                {
                    do {
                        try await sleepForever()
                    } catch {
                        if error is CancellationError { cancelled.update { $0 += 1 } }
                        throw error
                    }
                }
            }
            let group = await #expect(throws: ErrorGroup.self) {
                try await asCompleted(operations) { _ in throw TestError("body") }
            }
            #expect(group?.errors.count == 1)
            #expect(group?.errors.first as? TestError == TestError("body"))
            #expect(cancelled.value == 2)
        }
        // issue 5; spec: N3

        @Test("the body runs on the caller's actor")
        @MainActor
        func bodyIsIsolatedToCaller() async throws {
            let state = TestMainActorState()
            let operations: [@Sendable () async throws -> Int] = [{ 1 }, { 2 }]
            try await asCompleted(operations) { results in
                for try await result in results { state.counter += result }
            }
            #expect(state.counter == 3)
        }
        // spec: N1 (isolation)

        @Test("a sequence used after asCompleted returned throws ClosedResourceError")
        func escapedSequence() async throws {
            let operations: [@Sendable () async throws -> Int] = [{ 1 }]
            let escaped = try await asCompleted(operations) { results in results }
            var iterator = escaped.makeAsyncIterator()
            await #expect(throws: ClosedResourceError.self) {
                _ = try await iterator.next()
            }
        }
        // issue 5
    }
}
