//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

@Suite("CancelScope", .timeLimit(.minutes(1)))
struct CancelScopeTests {
    // MARK: - Level-triggered cancellation (C1, C2)

    @Test("every checkpoint in a cancelled scope throws, and catching does not clear it")
    func levelTriggered() async throws {
        var thrown = 0
        var isCancelledInside: Bool?
        let result: Void? = try await withCancelScope { scope in
            scope.cancel()
            isCancelledInside = Task.isCancelled
            for _ in 0..<3 {
                do {
                    try await LowLevel.checkpoint()
                } catch is CancellationError {
                    thrown += 1
                }
            }
            try await LowLevel.checkpoint()
        }
        #expect(thrown == 3)
        #expect(isCancelledInside == true)
        #expect(result == nil)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_host_asyncgen
    // spec: C1

    @Test("a scope cancelled before it is entered is cancelled on entry")
    func cancelBeforeEnteringScope() async throws {
        let scope = CancelScope()
        scope.cancel()
        var reached = false
        let result: Void? = try await withCancelScope(scope) { _ in
            try await sleep(for: .seconds(30))
            reached = true
        }
        #expect(result == nil)
        #expect(!reached)
        #expect(scope.cancelCalled)
        #expect(scope.cancelledCaught)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_before_entering_scope

    @Test("cancel is idempotent, synchronous, and callable from another task")
    func cancelFromAnotherTask() async throws {
        let scope = CancelScope()
        var cancelCalledAfterDetached: Bool?
        var isCancelledAfterDetached: Bool?
        let result: Int? = try await withCancelScope(scope) { scope in
            await Task.detached {
                scope.cancel(reason: "first")
                scope.cancel(reason: "second")
                scope.cancel()
            }.value
            cancelCalledAfterDetached = scope.cancelCalled
            isCancelledAfterDetached = Task.isCancelled
            try await LowLevel.checkpoint()
            return 1
        }
        #expect(result == nil)
        #expect(cancelCalledAfterDetached == true)
        #expect(isCancelledAfterDetached == true)
        #expect(scope.cancelReason == "first")
        #expect(scope.cancelledCaught)
    }
    // spec: C2, C11

    @Test("Task.isCancelled in a scope body follows the scope")
    func isCancelledFollowsScope() async throws {
        var before: Bool?
        var after: Bool?
        var afterExit: Bool?
        try await withCancelScope { scope in
            before = Task.isCancelled
            scope.cancel()
            after = Task.isCancelled
        }
        afterExit = Task.isCancelled
        #expect(before == false)
        #expect(after == true)
        #expect(afterExit == false)
    }
    // spec: C1

    @Test("the LowLevel checkpoints: checkpointIfCancelled throws, cancelShieldedCheckpoint does not")
    func lowLevelCheckpoints() async throws {
        try await LowLevel.checkpoint()
        try await LowLevel.checkpointIfCancelled()
        await LowLevel.cancelShieldedCheckpoint()

        var shieldedReturned = false
        var ifCancelledThrew = false
        var sleepZeroThrew = false
        try await withCancelScope { scope in
            scope.cancel()
            await LowLevel.cancelShieldedCheckpoint()
            shieldedReturned = true
            do { try await LowLevel.checkpointIfCancelled() } catch is CancellationError { ifCancelledThrew = true }
            do { try await sleep(for: .zero) } catch is CancellationError { sleepZeroThrew = true }
        }
        #expect(shieldedReturned)
        #expect(ifCancelledThrew)
        #expect(sleepZeroThrew)
    }
    // spec: C8

    // MARK: - Which scope catches (C5, C10)

    @Test("a cancel without a later checkpoint leaves the result intact and cancelledCaught false")
    func cancelledNotCaught() async throws {
        var scope: CancelScope?
        let result: Int? = try await withCancelScope { s in
            scope = s
            s.cancel()
            return 7
        }
        #expect(result == 7)
        #expect(scope?.cancelCalled == true)
        #expect(scope?.cancelledCaught == false)
    }
    // anyio: tests/test_taskgroups.py::test_cancelled_not_caught

    @Test("a scope that caught its own cancellation returns nil")
    func caughtCancellationReturnsNil() async throws {
        let result: Int? = try await withCancelScope { scope in
            scope.cancel()
            try await LowLevel.checkpoint()
            return 7
        }
        #expect(result == nil)
    }
    // spec: C10

    @Test("a cancelled inner scope does not catch while a cancelled outer scope is visible")
    func cancelledScopeBasedCheckpoint() async throws {
        var inner: CancelScope?
        var reachedAfterInner = false
        let outer = CancelScope()
        try await withCancelScope(outer) { outer in
            outer.cancel()
            try await withCancelScope { scope in
                inner = scope
                scope.cancel()
                try await sleepForever()
            }
            reachedAfterInner = true
        }
        #expect(!reachedAfterInner)
        #expect(inner?.cancelledCaught == false)
        #expect(outer.cancelledCaught)
    }
    // anyio: tests/test_taskgroups.py::test_cancelled_scope_based_checkpoint

    @Test("cancelling the outer scope while the inner cancellation propagates moves the catch outward")
    func cancelledRaisesBeyondOriginUnshielded() async throws {
        var inner: CancelScope?
        var reachedAfterCheckpoint = false
        var reachedAfterInner = false
        let outer = CancelScope()
        try await withCancelScope(outer) { outer in
            try await withCancelScope { scope in
                inner = scope
                scope.cancel()
                do {
                    try await LowLevel.checkpoint()
                } catch {
                    outer.cancel()
                    throw error
                }
                reachedAfterCheckpoint = true
            }
            reachedAfterInner = true
        }
        #expect(!reachedAfterCheckpoint)
        #expect(!reachedAfterInner)
        #expect(inner?.cancelledCaught == false)
        #expect(outer.cancelledCaught)
    }
    // anyio: tests/test_taskgroups.py::test_cancelled_raises_beyond_origin_unshielded

    @Test("a shielded inner scope catches its own cancellation even when the outer is cancelled")
    func cancelledRaisesBeyondOriginShielded() async throws {
        var inner: CancelScope?
        var codeBetweenScopesRan = false
        let outer = CancelScope()
        try await withCancelScope(outer) { outer in
            try await withCancelScope(shield: true) { scope in
                inner = scope
                scope.cancel()
                do {
                    try await LowLevel.checkpoint()
                } catch {
                    outer.cancel()
                    throw error
                }
            }
            codeBetweenScopesRan = true
        }
        #expect(codeBetweenScopesRan)
        #expect(inner?.cancelledCaught == true)
        #expect(outer.cancelledCaught == false)
    }
    // anyio: tests/test_taskgroups.py::test_cancelled_raises_beyond_origin_shielded

    @Test("an unshielded inner scope inside a cancelled scope throws at every checkpoint")
    func innerScopeSeesOuterCancellation() async throws {
        var innerThrew = false
        var inner: CancelScope?
        let outer = CancelScope()
        try await withCancelScope(outer) { outer in
            outer.cancel()
            do {
                try await withCancelScope { scope in
                    inner = scope
                    #expect(Task.isCancelled)
                    try await LowLevel.checkpoint()
                }
            } catch is CancellationError {
                innerThrew = true
            }
        }
        #expect(innerThrew)
        #expect(inner?.cancelCalled == false)
        #expect(inner?.cancelledCaught == false)
    }
    // spec: C1, C5

    // MARK: - Shielding (C4, C7, C8)

    @Test("a shield blocks the nursery's cancellation until it exits")
    func shielding() async throws {
        let hostShielded = TestBox(false)
        var innerScope: CancelScope?
        var nurseryScope: CancelScope?
        var innerSleepCompleted = false
        var outerSleepCompleted = false
        var isCancelledInShield: Bool?
        try await withNursery { nursery in
            nurseryScope = nursery.cancelScope
            let cancelled = TestBox(false)
            nursery.startSoon {
                try await testWaitUntil("the host is shielded") { hostShielded.value }
                nursery.cancel()
                cancelled.value = true
            }
            try await moveOnAfter(.seconds(10), shield: true) { scope in
                innerScope = scope
                #expect(scope.shield)
                hostShielded.value = true
                try await testWaitUntil("the nursery is cancelled") { cancelled.value }
                isCancelledInShield = Task.isCancelled
                try await LowLevel.checkpoint()
                try await sleep(for: .milliseconds(10))
                innerSleepCompleted = true
            }
            try await sleep(for: .seconds(30))
            outerSleepCompleted = true
        }
        #expect(innerSleepCompleted)
        #expect(!outerSleepCompleted)
        #expect(isCancelledInShield == false)
        #expect(nurseryScope?.cancelCalled == true)
        #expect(innerScope?.cancelCalled == false)
    }
    // anyio: tests/test_taskgroups.py::test_shielding

    @Test("cancelling the nursery from inside a shield takes effect after the shield")
    func cancelFromShieldedScope() async throws {
        var deadlineInShield: ContinuousClock.Instant? = .now
        var isCancelledInShield: Bool?
        var deadlineAfterShield: ContinuousClock.Instant?
        var isCancelledAfterShield: Bool?
        var throwCount = 0
        try await withNursery { nursery in
            try await withCancelScope(shield: true) { scope in
                #expect(scope.shield)
                nursery.cancel()
                deadlineInShield = currentEffectiveDeadline()
                isCancelledInShield = Task.isCancelled
                try await LowLevel.checkpoint()
            }
            deadlineAfterShield = currentEffectiveDeadline()
            isCancelledAfterShield = Task.isCancelled
            for _ in 0..<2 {
                do { try await sleep(for: .milliseconds(10)) } catch is CancellationError { throwCount += 1 }
            }
        }
        #expect(deadlineInShield == nil)
        #expect(isCancelledInShield == false)
        #expect(deadlineAfterShield.map { $0 <= .now } == true)
        #expect(isCancelledAfterShield == true)
        #expect(throwCount == 2)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_from_shielded_scope

    @Test("a shielded scope's own cancel still applies")
    func cancelShieldedScope() async throws {
        var deadline: ContinuousClock.Instant?
        var isCancelled: Bool?
        var scope: CancelScope?
        let result: Void? = try await withCancelScope(shield: true) { s in
            scope = s
            #expect(s.shield)
            s.cancel()
            deadline = currentEffectiveDeadline()
            isCancelled = Task.isCancelled
            try await LowLevel.checkpoint()
        }
        #expect(result == nil)
        #expect(deadline.map { $0 <= .now } == true)
        #expect(isCancelled == true)
        #expect(scope?.cancelledCaught == true)
    }
    // anyio: tests/test_taskgroups.py::test_cancel_shielded_scope

    @Test("a shielded cleanup scope entered in a cancelled scope runs, then cancellation resumes")
    func shieldedCleanupAfterCancel() async throws {
        var inCatch: Bool?
        var inShield: Bool?
        var deadlineInShield: ContinuousClock.Instant? = .now
        var cleanupCheckpointPassed = false
        var afterShield: Bool?
        let outer = CancelScope()
        try await withCancelScope(outer) { outer in
            outer.cancel()
            do {
                try await LowLevel.checkpoint()
            } catch {
                inCatch = Task.isCancelled
                try await withCancelScope(shield: true) { _ in
                    inShield = Task.isCancelled
                    deadlineInShield = currentEffectiveDeadline()
                    try await LowLevel.checkpoint()
                    cleanupCheckpointPassed = true
                }
                afterShield = Task.isCancelled
                throw error
            }
        }
        #expect(inCatch == true)
        #expect(inShield == false)
        #expect(deadlineInShield == nil)
        #expect(cleanupCheckpointPassed)
        #expect(afterShield == true)
        #expect(outer.cancelledCaught)
    }
    // anyio: tests/test_taskgroups.py::test_shielded_cleanup_after_cancel

    @Test("after a shield exits inside cancelled scopes, the next checkpoint throws (checkpoint in outer)")
    func tripleNestedShieldCheckpointInOuter() async throws {
        let gotPastCheckpoint = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                try await withCancelScope { scope1 in
                    try await withCancelScope { scope2 in
                        try await withCancelScope(shield: true) { _ in
                            scope1.cancel()
                            scope2.cancel()
                            try await LowLevel.checkpoint()
                        }
                    }
                    try await LowLevel.checkpoint()
                    gotPastCheckpoint.value = true
                }
            }
        }
        #expect(!gotPastCheckpoint.value)
    }
    // anyio: tests/test_taskgroups.py::test_triple_nested_shield_checkpoint_in_outer

    @Test("after a shield exits inside cancelled scopes, the next checkpoint throws (checkpoint in middle)")
    func tripleNestedShieldCheckpointInMiddle() async throws {
        let gotPastCheckpoint = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                try await withCancelScope { scope1 in
                    try await withCancelScope { _ in
                        try await withCancelScope(shield: true) { _ in
                            scope1.cancel()
                            try await LowLevel.checkpoint()
                        }
                        try await LowLevel.checkpoint()
                        gotPastCheckpoint.value = true
                    }
                }
            }
        }
        #expect(!gotPastCheckpoint.value)
    }
    // anyio: tests/test_taskgroups.py::test_triple_nested_shield_checkpoint_in_middle

    @Test("cancelling a shielded scope from another task interrupts its sleep")
    func shieldingImmediateScopeCancelled() async throws {
        let shieldScope = TestBox<CancelScope?>(nil)
        var sleepCompleted = false
        try await withNursery { nursery in
            nursery.startSoon {
                try await testWaitUntil("the host is shielded") { shieldScope.value != nil }
                shieldScope.value?.cancel()
            }
            try await withCancelScope(shield: true) { scope in
                shieldScope.value = scope
                try await sleep(for: .seconds(30))
                sleepCompleted = true
            }
        }
        #expect(!sleepCompleted)
        #expect(shieldScope.value?.cancelledCaught == true)
    }
    // anyio: tests/test_taskgroups.py::test_shielding_immediate_scope_cancelled

    @Test("setting shield after entry protects the body from a later outer cancel")
    func shieldSetAfterEntry() async throws {
        var checkpointPassed = false
        var afterUnshieldThrew = false
        let outer = CancelScope()
        try await withCancelScope(outer) { outer in
            try await withCancelScope { scope in
                scope.shield = true
                outer.cancel()
                try await LowLevel.checkpoint()
                checkpointPassed = true
                scope.shield = false
                do {
                    try await LowLevel.checkpoint()
                } catch {
                    afterUnshieldThrew = true
                    throw error
                }
            }
        }
        #expect(checkpointPassed)
        #expect(afterUnshieldThrew)
        #expect(outer.cancelledCaught)
    }
    // anyio: tests/test_taskgroups.py::test_shielding_mutate (single-task variant)
    // spec: C4

    // MARK: - Reasons (C11)

    @Test("the cancel reason is kept and the cancellation is delivered")
    func cancelReason() async throws {
        var threw = false
        let scope = CancelScope()
        try await withCancelScope(scope) { scope in
            scope.cancel(reason: "test reason")
            do {
                try await LowLevel.checkpoint()
            } catch is CancellationError {
                threw = true
            }
        }
        #expect(threw)
        #expect(scope.cancelReason == "test reason")
    }
    // anyio: tests/test_taskgroups.py::test_cancel_reason

    @Test("cancelReason is the first reason given; nil after a plain cancel")
    func cancelReasonFirstWins() async throws {
        let scope = CancelScope()
        #expect(scope.cancelReason == nil)
        scope.cancel(reason: "first")
        scope.cancel(reason: "second")
        #expect(scope.cancelReason == "first")

        let plain = CancelScope()
        plain.cancel()
        #expect(plain.cancelCalled)
        #expect(plain.cancelReason == nil)
    }
    // spec: C11
}
