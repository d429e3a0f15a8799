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

/// The guarantee of SPEC C2 under concurrent cancellation: once *any* cancellation of a scope has
/// returned (`cancel()`, a fired deadline, `TaskHandle.cancel()`, a native `Task.cancel()`), every
/// checkpoint that starts later inside the scope throws, also while another cancellation of the
/// same scopes is still propagating down the tree.
///
/// Each trial has two OS threads: X starts a cancellation, Y waits until X's has begun, makes a
/// second one (which returns at once, the scope being cancelled already), and raises `returned`.
/// The body, 64 scopes deep so that X's walk down the tree takes a while, checkpoints in a loop
/// and records a checkpoint that passed although `returned` was raised before it started.
///
/// Before the fix, about 10 trials in 3000 saw such a checkpoint (2-core machine).
@Suite("Cancel visibility under concurrent cancellation", .serialized, .timeLimit(.minutes(3)))
struct CancelVisibilityStressTests {
    /// How many trials each variant runs at most, and for how long.
    static let trials = max(raceIterations, 3000)
    static let timeBound: Duration = .seconds(6)

    /// How deep the body runs below the cancelled scope.
    static let depth = 64

    /// Runs `trial` until `trials` trials or `timeBound` have passed (at least 100 trials);
    /// returns how many trials saw a checkpoint pass after a cancellation returned.
    static func runTrials(_ trial: (_ index: Int, _ bug: RaceFlag) async throws -> Void) async throws -> (trials: Int, failures: Int) {
        let clock = ContinuousClock()
        let end = clock.now + timeBound
        var failures = 0
        var count = 0
        while count < trials, count < 100 || clock.now < end {
            let bug = RaceFlag()
            try await trial(count, bug)
            if bug.isSet { failures += 1 }
            count += 1
        }
        print("cancel visibility: \(count) trials, \(failures) saw a checkpoint pass after a cancellation returned")
        return (count, failures)
    }

    /// Runs `body` under `levels` nested cancel scopes.
    static func nested(_ levels: Int, _ body: () async throws -> Void) async throws {
        if levels == 0 {
            try await body()
            return
        }
        try await withCancelScope { _ in try await nested(levels - 1, body) }
    }

    /// The body of every trial: raise `ready`, then checkpoint until a checkpoint throws; a
    /// checkpoint that passes although `returned` was set before it started is the bug.
    static func checkpointLoop(ready: RaceFlag, returned: RaceFlag, bug: RaceFlag) async throws {
        ready.set()
        while true {
            let wasReturned = returned.isSet
            try await LowLevel.checkpointIfCancelled()
            if wasReturned {
                bug.set()
                // Keep going: the first canceller's walk ends the loop soon.
            }
        }
    }

    @Test("two cancel() calls of one scope: the second returns, every later checkpoint throws")
    func twoCancelsOfOneScope() async throws {
        let (count, failures) = try await Self.runTrials { _, bug in
            let ready = RaceFlag()
            let returned = RaceFlag()
            let scope = CancelScope()
            try await withNursery { nursery in
                nursery.startSoon {
                    await testOnForeignThreadPair(
                        first: {
                            testSpin { ready.isSet }
                            scope.cancel()
                        },
                        second: {
                            testSpin { scope.cancelCalled }
                            scope.cancel()
                            returned.set()
                        }
                    )
                }
                try await withCancelScope(scope) { _ in
                    try await Self.nested(Self.depth) {
                        try await Self.checkpointLoop(ready: ready, returned: returned, bug: bug)
                    }
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(count) trials saw a checkpoint pass after cancel() returned")
    }

    @Test("cancel() of an outer scope while an inner scope's cancellation propagates")
    func outerCancelDuringInnerPropagation() async throws {
        let (count, failures) = try await Self.runTrials { _, bug in
            let ready = RaceFlag()
            let returned = RaceFlag()
            let outer = CancelScope()
            let inner = CancelScope()
            try await withNursery { nursery in
                nursery.startSoon {
                    await testOnForeignThreadPair(
                        first: {
                            testSpin { ready.isSet }
                            inner.cancel()
                        },
                        second: {
                            testSpin { inner.cancelCalled }
                            outer.cancel()
                            returned.set()
                        }
                    )
                }
                try await withCancelScope(outer) { _ in
                    try await withCancelScope(inner) { _ in
                        try await Self.nested(Self.depth) {
                            try await Self.checkpointLoop(ready: ready, returned: returned, bug: bug)
                        }
                    }
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(count) trials saw a checkpoint pass after the outer cancel() returned")
    }

    @Test("cancel() while the scope's deadline is firing")
    func cancelWhileDeadlineFires() async throws {
        let (count, failures) = try await Self.runTrials { _, bug in
            let ready = RaceFlag()
            let returned = RaceFlag()
            try await withNursery { nursery in
                let scope = CancelScope()
                nursery.startSoon {
                    await testOnForeignThread {
                        testSpin { scope.cancelCalled }
                        scope.cancel()
                        returned.set()
                    }
                }
                try await withCancelScope(scope) { scope in
                    try await Self.nested(Self.depth) {
                        // The deadline timer is the first canceller.
                        scope.deadline = .now + .microseconds(300)
                        try await Self.checkpointLoop(ready: ready, returned: returned, bug: bug)
                    }
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(count) trials saw a checkpoint pass after cancel() returned during a deadline")
    }

    @Test("two TaskHandle.cancel() calls of one child")
    func twoHandleCancels() async throws {
        let (count, failures) = try await Self.runTrials { _, bug in
            let ready = RaceFlag()
            let returned = RaceFlag()
            try await withNursery { nursery in
                let handle = nursery.startSoon {
                    try await Self.nested(Self.depth) {
                        try await Self.checkpointLoop(ready: ready, returned: returned, bug: bug)
                    }
                }
                nursery.startSoon {
                    await testOnForeignThreadPair(
                        first: {
                            testSpin { ready.isSet }
                            handle.cancel()
                        },
                        second: {
                            testSpin { handle.status != .pending }
                            handle.cancel()
                            returned.set()
                        }
                    )
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(count) trials saw a checkpoint pass after TaskHandle.cancel() returned")
    }

    @Test("a native Task.cancel() of the task running a nursery, racing the nursery's own cancel()")
    func nativeCancelVersusNurseryCancel() async throws {
        let (count, failures) = try await Self.runTrials { index, bug in
            let ready = RaceFlag()
            let returned = RaceFlag()
            let nurseryBox = TestBox<Nursery?>(nil)
            let task = Task {
                try await withNursery { nursery in
                    nurseryBox.value = nursery
                    nursery.startSoon {
                        try await Self.nested(Self.depth) {
                            try await Self.checkpointLoop(ready: ready, returned: returned, bug: bug)
                        }
                    }
                }
            }
            // Odd trials: the nursery's cancel() first, then Task.cancel(); even: the reverse.
            let nativeFirst = index % 2 == 0
            await testOnForeignThreadPair(
                first: {
                    testSpin { ready.isSet }
                    if nativeFirst { task.cancel() } else { nurseryBox.value!.cancel() }
                },
                second: {
                    if nativeFirst {
                        testSpin { task.isCancelled }
                        nurseryBox.value!.cancel()
                    } else {
                        testSpin { nurseryBox.value?.cancelScope.cancelCalled ?? false }
                        task.cancel()
                    }
                    returned.set()
                }
            )
            _ = await task.result
        }
        #expect(failures == 0, "\(failures) of \(count) trials saw a checkpoint pass after a cancellation returned")
    }

    @Test("two native Task.cancel() calls of the task running a nursery")
    func twoNativeCancels() async throws {
        let (count, failures) = try await Self.runTrials { _, bug in
            let ready = RaceFlag()
            let returned = RaceFlag()
            let task = Task {
                try await withNursery { nursery in
                    nursery.startSoon {
                        try await Self.nested(Self.depth) {
                            try await Self.checkpointLoop(ready: ready, returned: returned, bug: bug)
                        }
                    }
                }
            }
            await testOnForeignThreadPair(
                first: {
                    testSpin { ready.isSet }
                    task.cancel()
                },
                second: {
                    testSpin { task.isCancelled }
                    task.cancel()
                    returned.set()
                }
            )
            _ = await task.result
        }
        #expect(failures == 0, "\(failures) of \(count) trials saw a checkpoint pass after Task.cancel() returned")
    }
}

/// Runs `first` and `second` on two new OS threads at once and returns when both have returned.
func testOnForeignThreadPair(first: @escaping @Sendable () -> Void, second: @escaping @Sendable () -> Void) async {
    async let one: Void = testOnForeignThread(first)
    async let two: Void = testOnForeignThread(second)
    _ = await (one, two)
}

/// Spins (on an OS thread) until `condition` holds, yielding the CPU between looks (the machine
/// may have fewer cores than spinning threads), for at most 10 seconds.
func testSpin(until condition: () -> Bool) {
    let end = ContinuousClock.now + .seconds(10)
    while !condition() {
        sched_yield()
        if ContinuousClock.now > end {
            Issue.record("testSpin: the condition did not hold within 10 s")
            return
        }
    }
}
