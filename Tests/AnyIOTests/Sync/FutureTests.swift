//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

@Suite("Future", .timeLimit(.minutes(1)))
struct FutureTests {
    @Test("a value set before awaiting is returned")
    func result() async throws {
        let future = Future<Int>()
        try future.setReturnValue(1)
        #expect(try await future.value == 1)
        #expect(future.status == .finished)
    }
    // anyio: tests/test_futures.py::test_result

    @Test("a second return value is refused; the first stays")
    func disallowingMultipleResults() async throws {
        let future = Future<Int>()
        try future.setReturnValue(1)
        #expect(throws: FutureAlreadyFinishedError(failed: false)) { try future.setReturnValue(0) }
        #expect(throws: FutureAlreadyFinishedError.self) { try future.setError(TestError("late")) }
        #expect(try future.returnValue == 1)
        do {
            try future.setReturnValue(2)
        } catch let error as FutureAlreadyFinishedError {
            #expect(error.description.contains("future has already finished"))
        }
    }
    // anyio: tests/test_futures.py::test_disallowing_multiple_results

    @Test("a value set by another task wakes the waiter")
    func waitingForResult() async throws {
        let future = Future<Int>()
        try await withNursery { nursery in
            nursery.startSoon {
                try await LowLevel.checkpoint()
                try future.setReturnValue(2)
            }
            let value = try await future.value
            #expect(value == 2)
        }
    }
    // anyio: tests/test_futures.py::test_waiting_for_result

    @Test("wait() then returnValue")
    func waitingWithWait() async throws {
        let future = Future<Int>()
        try await withNursery { nursery in
            nursery.startSoon {
                try await LowLevel.checkpoint()
                try future.setReturnValue(2)
            }
            try await future.wait()
            #expect(try future.returnValue == 2)
        }
    }
    // anyio: tests/test_futures.py::test_waiting_with_wait

    @Test("an error set by another task reaches the waiter wrapped in FutureFailedError")
    func raisingError() async throws {
        let future = Future<Int>()
        try await withNursery { nursery in
            nursery.startSoon {
                try await LowLevel.checkpoint()
                try future.setError(TestError("testing runtime error"))
            }
            do {
                _ = try await future.value
                Issue.record("no error")
            } catch let error as FutureFailedError {
                #expect(error.error as? TestError == TestError("testing runtime error"))
                #expect(error.description.contains("the future raised an error"))
            }
        }
        #expect(future.status == .failed)
    }
    // anyio: tests/test_futures.py::test_raising_exception

    @Test("setting a value on a cancelled future throws FutureCancelledError")
    func alreadyCancelled() {
        let future = Future<Int>()
        future.cancel()
        #expect(throws: FutureCancelledError()) { try future.setReturnValue(1) }
        #expect(throws: FutureCancelledError()) { try future.setError(TestError("x")) }
        #expect(future.status == .cancelled)
    }
    // anyio: tests/test_futures.py::test_already_cancelled
    // anyio: tests/test_futures.py::test_cancelling_with_result

    @Test("awaiting a cancelled future throws FutureCancelledError")
    func cancelledWait() async throws {
        let future = Future<Int>()
        future.cancel()
        await #expect(throws: FutureCancelledError()) { try await future.value }
        try await future.wait()  // wait() itself returns: the future has finished
    }
    // anyio: tests/test_futures.py::test_cancelled_wait

    @Test("returnValue and error of a pending future throw FutureNotFinishedError")
    func notFinished() {
        let future = Future<Int>()
        #expect(throws: FutureNotFinishedError()) { try future.returnValue }
        #expect(throws: FutureNotFinishedError()) { try future.error }
        #expect(future.status == .pending)
    }
    // anyio: tests/test_futures.py::test_return_value_when_future_not_finished
    // anyio: tests/test_futures.py::test_exception_when_future_not_finished

    @Test("error of a failed future is the error set; of a finished one, nil")
    func errorWhenFailed() throws {
        let failed = Future<Int>()
        try failed.setError(TestError("foo"))
        #expect(try failed.error as? TestError == TestError("foo"))
        let finished = Future<Int>()
        try finished.setReturnValue(3)
        #expect(try finished.error == nil)
    }
    // anyio: tests/test_futures.py::test_exception_when_future_failed

    @Test("error of a cancelled future throws FutureCancelledError")
    func errorWhenCancelled() {
        let future = Future<Int>()
        future.cancel()
        #expect(throws: FutureCancelledError()) { try future.error }
        #expect(throws: FutureCancelledError()) { try future.returnValue }
    }
    // anyio: tests/test_futures.py::test_exception_when_future_cancelled

    @Test("cancelling a finished future changes nothing")
    func cancellingFinished() async throws {
        let future = Future<String>()
        try future.setReturnValue("Item")
        future.cancel()
        #expect(try await future.value == "Item")
        let failed = Future<String>()
        try failed.setError(TestError("Failed"))
        failed.cancel()
        await #expect(throws: FutureFailedError.self) { try await failed.value }
        #expect(failed.status == .failed)
    }
    // anyio: tests/test_futures.py::test_cancelling_already_set_return_value
    // anyio: tests/test_futures.py::test_cancelling_already_set_exception

    @Test("description shows status and name")
    func description() throws {
        #expect(Future<Int>(name: "name").description == "Future(pending, name: \"name\")")
        let future = Future<Int>()
        try future.setReturnValue(1)
        #expect(future.description == "Future(finished)")
    }
    // anyio: tests/test_futures.py::test_repr

    @Test("every waiter gets the value")
    func multipleWaiters() async throws {
        let future = Future<String>()
        try await withNursery { nursery in
            let handles = (0..<2).map { _ in nursery.startSoon { try await future.value } }
            try await testWaitUntil("both wait") { future.statistics().tasksWaiting == 2 }
            try future.setReturnValue("Finished")
            for handle in handles { #expect(try await handle.value == "Finished") }
        }
        #expect(future.statistics().tasksWaiting == 0)
    }
    // anyio: tests/test_futures.py::test_multiple_waiters

    @Test("a cancelled waiter does not affect the others")
    func cancelledWaiterAllowsOther() async throws {
        let future = Future<String>()
        try await withNursery { nursery in
            let first = nursery.startSoon { try await future.value }
            let second = nursery.startSoon { try await future.value }
            try await testWaitUntil("both wait") { future.statistics().tasksWaiting == 2 }
            first.cancel()
            await #expect(throws: CancellationError.self) { try await first.value }
            #expect(future.statistics().tasksWaiting == 1)
            try future.setReturnValue("Finished")
            #expect(try await second.value == "Finished")
        }
    }
    // anyio: tests/test_futures.py::test_cancelled_waiter_allows_other

    @Test("waiting on a finished future is still a checkpoint")
    func waitIsCheckpoint() async throws {
        let future = Future<Int>()
        try future.setReturnValue(5)
        let result: Int? = try await withCancelScope { scope in
            scope.cancel()
            return try await future.value
        }
        #expect(result == nil)
        #expect(try await future.value == 5)
    }
    // spec: C8

    @Test("a CancellationError set on a future is not the waiter's cancellation")
    func cancellationErrorAsOutcome() async throws {
        let future = Future<Int>()
        try future.setError(CancellationError())
        do {
            _ = try await future.value
            Issue.record("no error")
        } catch let error as FutureFailedError {
            #expect(error.error is CancellationError)
        }
    }

    @Test("a cancelled wait leaves no waiter behind")
    func cancelledWaitLeavesNothing() async throws {
        let future = Future<Int>()
        let result: Void? = try await withCancelScope { scope in
            try await withNursery { nursery in
                nursery.startSoon {
                    try await testWaitUntil("the body waits") { future.statistics().tasksWaiting == 1 }
                    scope.cancel()
                }
                try await future.wait()
            }
        }
        #expect(result == nil)
        #expect(future.statistics().tasksWaiting == 0)
        #expect(future.status == .pending)
    }
    // spec: C9

    @Test("stress: many waiters, random cancellation, one setter racing them", arguments: [0, 1])
    func stress(seed: Int) async throws {
        var generator = SystemRandomNumberGenerator()
        for iteration in 0..<max(1, raceIterations / 10) {
            let future = Future<Int>()
            let gotValue = RaceCounter(), wrongValue = RaceCounter(), cancelled = RaceCounter()
            let waiters = 10
            let spins = (0..<waiters).map { _ in Int.random(in: 0..<4, using: &generator) }
            let cancels = (0..<waiters).map { _ in Int.random(in: 0..<3, using: &generator) == 0 }
            let setterSpin = Int.random(in: 0..<5, using: &generator)
            try await withNursery { nursery in
                for index in 0..<waiters {
                    nursery.startSoon {
                        let scope = CancelScope()
                        if cancels[index] {
                            nursery.startSoon {
                                for _ in 0..<spins[index] { await Task.yield() }
                                scope.cancel()
                            }
                        }
                        if let value = try await withCancelScope(scope, { _ in try await future.value }) {
                            if value == iteration { gotValue.add() } else { wrongValue.add() }
                        } else {
                            cancelled.add()
                        }
                    }
                }
                nursery.startSoon {
                    for _ in 0..<setterSpin { await Task.yield() }
                    try future.setReturnValue(iteration)
                }
            }
            // Every waiter ended exactly one way; every one not cancelled got the value.
            #expect(gotValue.value + cancelled.value == waiters)
            #expect(wrongValue.value == 0)
            #expect(gotValue.value >= waiters - cancels.filter { $0 }.count)
            #expect(future.statistics().tasksWaiting == 0)
        }
    }
}
