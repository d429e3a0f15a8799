//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization
import Testing

@testable import AnyIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many times each race loop runs: short by default, `ANYIO_STRESS_ITERATIONS` for more.
let raceIterations: Int = {
    if let text = getenv("ANYIO_STRESS_ITERATIONS"), let count = Int(String(cString: text)), count > 0 {
        return count
    }
    return 300
}()

/// An atomic counter that escaping closures can share.
final class RaceCounter: Sendable {
    let atomic = Atomic<Int>(0)
    func add(_ delta: Int = 1) { atomic.add(delta, ordering: .relaxed) }
    var value: Int { atomic.load(ordering: .acquiring) }
}

/// An atomic flag that escaping closures can share.
final class RaceFlag: Sendable {
    let atomic = Atomic<Bool>(false)
    func set() { atomic.store(true, ordering: .releasing) }
    var isSet: Bool { atomic.load(ordering: .acquiring) }
}

/// Races between cancellation and the operations it can interrupt, repeated many times, each
/// iteration checking the invariants that must hold whatever the interleaving.
@Suite("Races", .timeLimit(.minutes(2)))
struct RaceTests {
    @Test("start racing the caller's cancellation: the value arrives iff started returned true")
    func startVersusCallerCancellation() async throws {
        for iteration in 0..<raceIterations {
            let startedResult = TestBox<Bool?>(nil)
            let startOutcome = TestBox<String>("none")
            let spin = iteration % 7
            try await withNursery { nursery in
                let caller = CancelScope()
                nursery.startSoon {
                    for _ in 0..<spin { await Task.yield() }
                    caller.cancel()
                }
                try await withCancelScope(caller) { _ in
                    do {
                        let value: Int = try await nursery.start { status in
                            for _ in 0..<(spin % 3) { await Task.yield() }
                            let delivered = status.started(iteration)
                            startedResult.value = delivered
                            try await sleepForever()
                        }
                        startOutcome.value = value == iteration ? "value" : "wrong value"
                    } catch is CancellationError {
                        startOutcome.value = "cancelled"
                    }
                }
                nursery.cancel()
            }
            switch (startOutcome.value, startedResult.value) {
            case ("value", true?):
                break  // started won: the child was moved and the value delivered
            case ("cancelled", false?), ("cancelled", nil):
                break  // the caller's cancellation won: started (if reached) reported false
            default:
                Issue.record("iteration \(iteration): start \(startOutcome.value), started \(String(describing: startedResult.value))")
            }
        }
    }

    @Test("a cancel from another task is seen by every checkpoint after cancel() returned")
    func cancelFromAnotherTaskIsLevelTriggered() async throws {
        for iteration in 0..<raceIterations {
            let cancelReturned = RaceFlag()
            let scope = CancelScope()
            let checkpointsAfterCancel = TestBox(0)
            let missed = TestBox(0)
            try await withNursery { nursery in
                nursery.startSoon {
                    for _ in 0..<(iteration % 5) { await Task.yield() }
                    scope.cancel()
                    cancelReturned.set()
                }
                try await withCancelScope(scope) { _ in
                    while true {
                        let cancelledBefore = cancelReturned.isSet
                        do {
                            try await LowLevel.checkpoint()
                            if cancelledBefore { missed.update { $0 += 1 } }
                        } catch let error as CancellationError {
                            checkpointsAfterCancel.update { $0 += 1 }
                            // Level-triggered: the next checkpoint throws too.
                            do {
                                try await LowLevel.checkpoint()
                                missed.update { $0 += 1 }
                            } catch {}
                            #expect(Task.isCancelled)
                            throw error
                        }
                    }
                }
            }
            #expect(missed.value == 0, "iteration \(iteration): a checkpoint after cancel() returned did not throw")
            #expect(checkpointsAfterCancel.value == 1)
            #expect(scope.cancelledCaught)
        }
    }

    @Test("cancelling a nursery while children are being started: all end, none is left running")
    func nurseryCancelVersusSpawn() async throws {
        for iteration in 0..<raceIterations {
            let exited = RaceCounter()
            let children = 20
            try await withNursery { nursery in
                nursery.startSoon {
                    for _ in 0..<(iteration % 4) { await Task.yield() }
                    nursery.cancel()
                }
                for _ in 0..<children {
                    nursery.startSoon {
                        defer { exited.add() }
                        try await sleepForever()
                    }
                }
            }
            #expect(exited.value == children)
        }
    }

    @Test("deadlines racing the body: caught iff the body was interrupted, result intact otherwise")
    func deadlineVersusCompletion() async throws {
        for iteration in 0..<raceIterations {
            let delay = Duration.microseconds(iteration % 50)
            let steps = iteration % 6
            let scope = CancelScope(deadline: .now + delay)
            let finished = TestBox(false)
            let result = try await withCancelScope(scope) { _ -> Int in
                for _ in 0..<steps { try await LowLevel.checkpoint() }
                finished.value = true
                return iteration
            }
            if let result {
                #expect(result == iteration)
                #expect(finished.value)
                #expect(!scope.cancelledCaught)
            } else {
                #expect(!finished.value)
                #expect(scope.cancelledCaught)
                #expect(scope.cancelCalled)
                #expect(scope.cancelReason == "deadline")
            }
        }
    }

    @Test("a handle's value waiter cancelled while the task finishes: no waiter lost, no double resume")
    func handleValueWaiterVersusCompletion() async throws {
        for iteration in 0..<raceIterations {
            try await withNursery { nursery in
                let handle = nursery.startSoon { () -> Int in
                    for _ in 0..<(iteration % 3) { await Task.yield() }
                    return iteration
                }
                let waiter = CancelScope()
                nursery.startSoon {
                    for _ in 0..<(iteration % 4) { await Task.yield() }
                    waiter.cancel()
                }
                let value = try await withCancelScope(waiter) { _ in try await handle.value }
                if let value { #expect(value == iteration) }
                // Whatever happened to the waiter, the task itself finished with its value.
                #expect(try await handle.value == iteration)
                #expect(handle.status == .finished)
            }
        }
    }

    @Test("many scopes arm and disarm deadlines concurrently; only the due ones fire")
    func concurrentDeadlines() async throws {
        let fired = RaceCounter()
        let expectedToFire = 50
        try await withNursery { nursery in
            for index in 0..<400 {
                let shortDeadline = index < expectedToFire
                nursery.startSoon {
                    let result = try await moveOnAfter(shortDeadline ? .milliseconds(1) : .seconds(60)) { _ in
                        if shortDeadline { try await sleepForever() }
                        for _ in 0..<(index % 5) { try await LowLevel.checkpoint() }
                        return index
                    }
                    if result == nil { fired.add() }
                }
            }
        }
        #expect(fired.value == expectedToFire)
    }
}
