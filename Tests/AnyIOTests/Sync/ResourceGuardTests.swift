//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization
import Testing

@testable import AnyIO

@Suite("ResourceGuard", .timeLimit(.minutes(1)))
struct ResourceGuardTests {
    @Test("a second concurrent use throws BusyResourceError with the guard's action")
    func concurrentUseThrows() async throws {
        let resourceGuard = ResourceGuard(action: "reading from")
        let gate = TestGate()
        let secondBodyRan = RaceFlag()
        try await withNursery { nursery in
            nursery.startSoon {
                try await resourceGuard.withGuard { try await gate.wait() }
            }
            try await testWaitUntil("the first use is under way") { gate.waiterCount == 1 }
            #expect(resourceGuard.isInUse)
            do {
                try await resourceGuard.withGuard { secondBodyRan.set() }
                Issue.record("the second use did not throw")
            } catch let error as BusyResourceError {
                #expect(error.action == "reading from")
                #expect(error.description.contains("already reading from"))
            }
            #expect(!secondBodyRan.isSet)
            gate.open()
        }
        #expect(!resourceGuard.isInUse)
        // Free again: the next use runs.
        let value = try await resourceGuard.withGuard { 7 }
        #expect(value == 7)
    }
    // anyio: tests/test_sockets.py::TestTCPStream::test_concurrent_receive (ResourceGuard("reading from"))
    // spec: S6

    @Test("the default action is \"using\"")
    func defaultAction() async throws {
        let resourceGuard = ResourceGuard()
        #expect(resourceGuard.action == "using")
        await #expect(throws: BusyResourceError(action: "using")) {
            try await resourceGuard.withGuard {
                try await resourceGuard.withGuard {}
            }
        }
        #expect(!resourceGuard.isInUse)
    }

    @Test("the guard is released when the body throws")
    func releasedOnThrow() async throws {
        let resourceGuard = ResourceGuard()
        await #expect(throws: TestError("boom")) {
            try await resourceGuard.withGuard { throw TestError("boom") }
        }
        #expect(!resourceGuard.isInUse)
        try await resourceGuard.withGuard {}
    }

    @Test("the guard is released when the body is cancelled")
    func releasedOnCancel() async throws {
        let resourceGuard = ResourceGuard()
        let result: Void? = try await withCancelScope { scope in
            try await resourceGuard.withGuard {
                scope.cancel()
                try await LowLevel.checkpoint()
            }
        }
        #expect(result == nil)
        #expect(!resourceGuard.isInUse)
    }

    @Test("entering is not a checkpoint: a cancelled scope still runs the body")
    func notACheckpoint() async throws {
        let resourceGuard = ResourceGuard()
        let ran = RaceFlag()
        let result: Void? = try await withCancelScope { scope in
            scope.cancel()
            try await resourceGuard.withGuard { ran.set() }
        }
        #expect(ran.isSet)
        #expect(result != nil)
    }

    @Test("withGuard runs its body on the caller's actor")
    @MainActor
    func runsOnCallersActor() async throws {
        let state = TestMainActorState()
        let resourceGuard = ResourceGuard()
        try await resourceGuard.withGuard {
            MainActor.assertIsolated()
            state.counter += 1
        }
        #expect(state.counter == 1)
    }

    @Test("description shows the action and whether it is in use")
    func description() {
        #expect(ResourceGuard(action: "writing to").description == "ResourceGuard(\"writing to\", free)")
    }

    @Test("stress: many tasks race for the guard; never two bodies at once")
    func stress() async throws {
        for _ in 0..<max(1, raceIterations / 10) {
            let resourceGuard = ResourceGuard()
            let inside = RaceCounter(), overlaps = RaceCounter()
            let entered = RaceCounter(), refused = RaceCounter()
            let tasks = 8
            try await withNursery { nursery in
                for index in 0..<tasks {
                    nursery.startSoon {
                        for _ in 0..<(index % 3) { await Task.yield() }
                        do {
                            try await resourceGuard.withGuard {
                                if inside.atomic.wrappingAdd(1, ordering: .relaxed).newValue != 1 { overlaps.add() }
                                await Task.yield()
                                inside.add(-1)
                            }
                            entered.add()
                        } catch is BusyResourceError {
                            refused.add()
                        }
                    }
                }
            }
            #expect(overlaps.value == 0)
            #expect(entered.value >= 1)
            #expect(entered.value + refused.value == tasks)
            #expect(!resourceGuard.isInUse)
        }
    }
}
