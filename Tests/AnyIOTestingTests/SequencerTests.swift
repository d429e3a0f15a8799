//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization
import Testing

@testable import AnyIOTesting

@Suite("Sequencer", .timeLimit(.minutes(1)))
struct SequencerTests {
    @Test("bodies in several tasks run in position order")
    func sequencer() async throws {
        let sequencer = Sequencer()
        let record = SequencerRecord<String>()
        let expected = ["f2 0", "f1 1", "f2 2", "f1 3", "f1 4"]
        try await withNursery { nursery in
            nursery.startSoon {
                try await sequencer.step(1) { record.append("f1 1") }
                try await sequencer.step(3) { record.append("f1 3") }
                try await sequencer.step(4) { record.append("f1 4") }
            }
            nursery.startSoon {
                try await sequencer.step(0) { record.append("f2 0") }
                try await sequencer.step(2) { record.append("f2 2") }
            }
            // Trio waits for all tasks to block inside step 5; running after step 4 is the point.
            try await sequencer.step(5) {
                #expect(record.items == expected)
            }
        }
        #expect(record.items == expected)
    }
    // trio: src/trio/_tests/test_testing.py::test_Sequencer

    @Test("using a position twice throws positionReused and does not break the sequencer")
    func reuseFails() async throws {
        let sequencer = Sequencer()
        try await sequencer.step(0) {}
        await #expect(throws: SequencerError(code: .positionReused, position: 0)) {
            try await sequencer.step(0) { Issue.record("the reused position's body ran") }
        }
        #expect(!sequencer.isBroken)
        let value = try await sequencer.step(1) { 42 }
        #expect(value == 42)
    }
    // trio: src/trio/_tests/test_testing.py::test_Sequencer (the reuse check at its end)

    @Test("using a position that is still waiting throws at once; the waiter still runs in turn")
    func reuseWhileWaitingFails() async throws {
        let sequencer = Sequencer()
        let record = SequencerRecord<String>()
        try await withNursery { nursery in
            nursery.startSoon {
                try await sequencer.step(1) { record.append("waiter 1") }
            }
            try await waitUntil { sequencer.storage.tasksWaiting == 1 }
            await #expect(throws: SequencerError(code: .positionReused, position: 1)) {
                try await sequencer.step(1) { record.append("second 1") }
            }
            try await sequencer.step(0) { record.append("body 0") }
        }
        #expect(record.items == ["body 0", "waiter 1"])
        #expect(!sequencer.isBroken)
    }

    @Test("a cancelled waiter breaks the sequencer: it, the other waiter and later steps all fail")
    func cancelBreaksSequencer() async throws {
        let sequencer = Sequencer()
        let record = SequencerRecord<String>()
        try await withNursery { nursery in
            // Trio's body runs `seq(0)` before the children get to run; doing it before starting
            // them keeps that order on a multi-threaded executor.
            try await sequencer.step(0) {}
            for position in [1, 2] {
                nursery.startSoon {
                    try await withCancelScope { scope in
                        if position == 1 { scope.cancel() }
                        do {
                            try await sequencer.step(position) { Issue.record("body \(position) ran") }
                        } catch let error as SequencerError {
                            record.append("seq(\(position)) \(error.code)")
                        }
                    }
                }
            }
        }
        // The two children run in parallel: the order of their records is not fixed.
        #expect(record.items.sorted() == ["seq(1) cancelled", "seq(2) broken"])
        #expect(sequencer.isBroken)
        // Late arrivals also get errors.
        await #expect(throws: SequencerError(code: .broken, position: 3)) {
            try await sequencer.step(3) { Issue.record("late body ran") }
        }
    }
    // trio: src/trio/_tests/test_testing.py::test_Sequencer_cancel

    @Test("tasks started in reverse order still run their bodies in position order", arguments: [2, 10])
    func reverseStartOrder(count: Int) async throws {
        let sequencer = Sequencer()
        let record = SequencerRecord<String>()
        try await withNursery { nursery in
            for position in (0..<count).reversed() {
                nursery.startSoon {
                    try await sequencer.step(position) {
                        record.append("start \(position)")
                        // Gives a later position the chance to jump in, if the sequencer let it.
                        try await LowLevel.checkpoint()
                        record.append("end \(position)")
                    }
                }
            }
        }
        #expect(record.items == (0..<count).flatMap { ["start \($0)", "end \($0)"] })
        #expect(!sequencer.isBroken)
    }

    @Test("the documented example prints 0 to 5 in order")
    func documentedExample() async throws {
        let sequencer = Sequencer()
        let record = SequencerRecord<Int>()
        try await withNursery { nursery in
            nursery.startSoon {
                try await sequencer.step(0) { record.append(0) }
                try await sequencer.step(4) { record.append(4) }
            }
            nursery.startSoon {
                try await sequencer.step(2) { record.append(2) }
                try await sequencer.step(5) { record.append(5) }
            }
            nursery.startSoon {
                try await sequencer.step(1) { record.append(1) }
                try await sequencer.step(3) { record.append(3) }
            }
        }
        #expect(record.items == [0, 1, 2, 3, 4, 5])
    }
    // trio: src/trio/testing/_sequencer.py (the class docstring's example)

    @Test("cancelling a suspended waiter breaks the sequencer; waiting and later steps fail")
    func cancelSuspendedWaiter() async throws {
        let sequencer = Sequencer()
        let scope = CancelScope()
        let errors = SequencerRecord<SequencerError>()
        try await withNursery { nursery in
            nursery.startSoon {
                try await withCancelScope(scope) { _ in
                    do {
                        try await sequencer.step(1) { Issue.record("body 1 ran") }
                    } catch let error as SequencerError {
                        errors.append(error)
                    }
                }
            }
            nursery.startSoon {
                do {
                    try await sequencer.step(2) { Issue.record("body 2 ran") }
                } catch let error as SequencerError {
                    errors.append(error)
                }
            }
            try await waitUntil { sequencer.storage.tasksWaiting == 2 }
            #expect(!sequencer.isBroken)
            scope.cancel()
        }
        #expect(
            Set(errors.items) == [
                SequencerError(code: .cancelled, position: 1), SequencerError(code: .broken, position: 2),
            ])
        #expect(sequencer.isBroken)
        #expect(sequencer.storage.tasksWaiting == 0)
        // Even position 0, never used, now fails; reuse is still reported first, as in Trio.
        await #expect(throws: SequencerError(code: .broken, position: 0)) {
            try await sequencer.step(0) { Issue.record("body 0 ran") }
        }
        await #expect(throws: SequencerError(code: .positionReused, position: 1)) {
            try await sequencer.step(1) { Issue.record("body 1 ran again") }
        }
    }

    @Test("a moveOnAfter deadline on a waiter breaks the sequencer instead of moving on", .anyIO(clock: .mock(autojump: .zero)))  // virtual time: the timeout fires at once
    func deadlineBreaksSequencer() async throws {
        let sequencer = Sequencer()
        // Whether the deadline passes before or during the wait, the step is cancelled before its
        // body runs: the outcome does not depend on timing.
        await #expect(throws: SequencerError(code: .cancelled, position: 1)) {
            try await moveOnAfter(.milliseconds(10)) { _ in
                try await sequencer.step(1) { Issue.record("body 1 ran") }
            }
        }
        #expect(sequencer.isBroken)
        await #expect(throws: SequencerError(code: .broken, position: 2)) {
            try await sequencer.step(2) { Issue.record("body 2 ran") }
        }
    }

    @Test("step 0 is a checkpoint: cancelled, it does not run and breaks the sequencer")
    func cancelledStepZero() async throws {
        let sequencer = Sequencer()
        try await withCancelScope { scope in
            scope.cancel()
            await #expect(throws: SequencerError(code: .cancelled, position: 0)) {
                try await sequencer.step(0) { Issue.record("body 0 ran") }
            }
        }
        #expect(sequencer.isBroken)
        await #expect(throws: SequencerError(code: .broken, position: 1)) {
            try await sequencer.step(1) { Issue.record("body 1 ran") }
        }
    }

    @Test("a step whose turn has come is still a checkpoint when cancelled")
    func cancelledStepWhoseTurnCame() async throws {
        let sequencer = Sequencer()
        try await sequencer.step(0) {}
        try await withCancelScope { scope in
            scope.cancel()
            await #expect(throws: SequencerError(code: .cancelled, position: 1)) {
                try await sequencer.step(1) { Issue.record("body 1 ran") }
            }
        }
        #expect(sequencer.isBroken)
    }

    @Test("a body that throws still lets the next position go; its error propagates unchanged")
    func throwingBodyReleasesNext() async throws {
        struct BodyError: Error, Equatable {}
        let sequencer = Sequencer()
        await #expect(throws: BodyError()) {
            try await sequencer.step(0) { throw BodyError() }
        }
        #expect(!sequencer.isBroken)
        let value = try await sequencer.step(1) { "next" }
        #expect(value == "next")
    }

    @Test("cancellation inside a body is the body's own: the sequencer stays intact")
    func cancellationInsideBody() async throws {
        let sequencer = Sequencer()
        let result: Void? = try await withCancelScope { scope in
            try await sequencer.step(0) {
                scope.cancel()
                try await LowLevel.checkpoint()
            }
        }
        #expect(result == nil)
        #expect(!sequencer.isBroken)
        try await sequencer.step(1) {}
    }

    @MainActor
    @Test("the body runs on the caller's actor")
    func bodyRunsOnCallerActor() async throws {
        let sequencer = Sequencer()
        var counter = 0
        try await sequencer.step(0) {
            MainActor.assertIsolated()
            counter += 1
        }
        #expect(counter == 1)
    }

    @Test("errors and the sequencer describe themselves, naming the position")
    func descriptions() async throws {
        #expect(SequencerError(code: .positionReused, position: 3).description.contains("position 3 already used"))
        #expect(SequencerError(code: .cancelled, position: 4).description.contains("cancelled"))
        #expect(SequencerError(code: .broken, position: 5).description.contains("position 5"))
        #expect(SequencerError.Code.broken.description == "broken")
        let sequencer = Sequencer()
        #expect(sequencer.description == "Sequencer(intact, 0 waiting)")
    }

    @Test("a negative position traps")
    func negativePositionTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = try? await Sequencer().step(-1) {}
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("negative"), "stderr: \(stderr)")
    }
}

/// Synchronous state × event checks of the sequencer's state machine; gates are integers.
@Suite("Sequencer state machine", .timeLimit(.minutes(1)))
struct SequencerStateMachineTests {
    typealias Machine = SequencerStateMachine<Int>

    @Test func claim_whenIntact_position0_runsAfterCheckpoint() {
        var machine = Machine()
        guard case .runAfterCheckpoint = machine.claim(0, makeGate: { 0 }) else {
            Issue.record("position 0 did not run"); return
        }
        #expect(machine.allGates.isEmpty)
    }

    @Test func claim_whenIntact_andNoGate_makesGateAndWaits() {
        var machine = Machine()
        guard case .wait(let gate) = machine.claim(3, makeGate: { 30 }) else { Issue.record("did not wait"); return }
        #expect(gate == 30)
        #expect(machine.allGates == [30])
    }

    @Test func claim_whenIntact_andGateMadeByFinish_waitsOnThatGate() {
        var machine = Machine()
        _ = machine.claim(0, makeGate: { 0 })
        guard case .open(let opened) = machine.finish(0, makeGate: { 10 }) else { Issue.record("no gate"); return }
        guard case .wait(let gate) = machine.claim(1, makeGate: { 99 }) else { Issue.record("did not wait"); return }
        #expect(opened == 10)
        #expect(gate == 10)
    }

    @Test func claim_whenClaimed_failsReused() {
        var machine = Machine()
        _ = machine.claim(2, makeGate: { 20 })
        guard case .failReused = machine.claim(2, makeGate: { 21 }) else { Issue.record("reuse accepted"); return }
        #expect(!machine.isBroken)
    }

    @Test func claim_whenBroken_failsBroken_andReuseWins() {
        var machine = Machine()
        _ = machine.claim(1, makeGate: { 10 })
        _ = machine.breakSequence()
        guard case .failBroken = machine.claim(2, makeGate: { 20 }) else { Issue.record("claim accepted"); return }
        guard case .failReused = machine.claim(1, makeGate: { 11 }) else { Issue.record("reuse not reported"); return }
        // A failed claim does not claim: position 2 is still reported as broken, not reused.
        guard case .failBroken = machine.claim(2, makeGate: { 20 }) else { Issue.record("claim accepted"); return }
    }

    @Test func breakSequence_whenIntact_opensEveryGate() {
        var machine = Machine()
        _ = machine.claim(1, makeGate: { 10 })
        _ = machine.claim(2, makeGate: { 20 })
        guard case .openAll(let gates) = machine.breakSequence() else { Issue.record("no gates"); return }
        #expect(gates.sorted() == [10, 20])
        #expect(machine.isBroken)
        #expect(machine.allGates.isEmpty)
    }

    @Test func breakSequence_whenBroken_doesNothing() {
        var machine = Machine()
        _ = machine.claim(1, makeGate: { 10 })
        _ = machine.breakSequence()
        guard case .none = machine.breakSequence() else { Issue.record("second break acted"); return }
    }

    @Test func resumed_whenIntact_runs_andWhenBroken_fails() {
        var machine = Machine()
        _ = machine.claim(1, makeGate: { 10 })
        guard case .run = machine.resumed() else { Issue.record("did not run"); return }
        _ = machine.breakSequence()
        guard case .failBroken = machine.resumed() else { Issue.record("ran when broken"); return }
    }

    @Test func finish_whenIntact_opensNextGate_andDropsOwn() {
        var machine = Machine()
        _ = machine.claim(1, makeGate: { 10 })
        _ = machine.claim(2, makeGate: { 20 })
        guard case .open(let gate) = machine.finish(1, makeGate: { 99 }) else { Issue.record("no gate"); return }
        #expect(gate == 20)
        #expect(machine.allGates == [20])
    }

    @Test func finish_whenBroken_doesNothing() {
        var machine = Machine()
        _ = machine.claim(0, makeGate: { 0 })
        _ = machine.breakSequence()
        guard case .none = machine.finish(0, makeGate: { 10 }) else { Issue.record("finish acted"); return }
    }
}

/// A lock-protected array, to record what the tasks did and in which order.
private final class SequencerRecord<Element: Sendable>: Sendable {
    private let storage = StateLock<[Element]>([])  // a pthread mutex under -DANYIO_TSAN, which TSan sees

    func append(_ element: Element) {
        storage.withLock { $0.append(element) }
    }

    var items: [Element] { storage.withLock { $0 } }
}

/// Yields until `condition` holds; the suite's time limit bounds it.
private func waitUntil(_ condition: () -> Bool) async throws {
    while !condition() {
        try await LowLevel.checkpoint()
    }
}
