//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `WorkerCallStateMachine` (one `ToThread.runSync` call). Waiters are
/// integers, requests strings, outcomes integers.
@Suite("ToThread call state machine", .timeLimit(.minutes(1)))
struct ToThreadCallStateMachineTests {
    typealias Machine = WorkerCallStateMachine<Int, String, Int>
    typealias Wake = WorkerCallWake<String, Int>

    /// A machine whose worker has started the closure.
    private func running(abandonOnCancel: Bool = false) -> Machine {
        var machine = Machine(abandonOnCancel: abandonOnCancel)
        let start = machine.workerStarting()
        #expect(start == .run)
        return machine
    }

    private func isFinished(_ wake: Wake, _ outcome: Int, cancelledFirst: Bool) -> Bool {
        if case .finished(let value, let cancelled) = wake { return value == outcome && cancelled == cancelledFirst }
        return false
    }

    // MARK: workerStarting

    @Test func workerStarting_whenQueued_runs() {
        var machine = Machine(abandonOnCancel: false)
        let start = machine.workerStarting()
        #expect(start == .run)
        #expect(!machine.isCancelled)
    }

    @Test("a call cancelled before any thread picked it up is skipped", arguments: [false, true])
    func workerStarting_whenQueuedAndCancelled_skips(abandonOnCancel: Bool) {
        var machine = Machine(abandonOnCancel: abandonOnCancel)
        _ = machine.callerCancelled()
        let start = machine.workerStarting()
        #expect(start == .skip)
        #expect(machine.isCancelled)
    }

    @Test func workerStarting_whenRunning_traps() async {
        await #expect(processExitsWith: .failure) {
            var machine = WorkerCallStateMachine<Int, String, Int>(abandonOnCancel: false)
            _ = machine.workerStarting()
            _ = machine.workerStarting()
        }
    }

    // MARK: workerFinished

    @Test func workerFinished_whenCallerSuspended_resumesItWithTheOutcome() {
        var machine = running()
        guard case .suspend = machine.callerSuspending(1) else { Issue.record("caller not stored"); return }
        #expect(machine.isCallerSuspended)
        guard case .resume(let waiter, let wake) = machine.workerFinished(42) else {
            Issue.record("not resumed"); return
        }
        #expect(waiter == 1)
        #expect(isFinished(wake, 42, cancelledFirst: false))
        #expect(!machine.isCallerSuspended)
    }

    @Test func workerFinished_whenCallerNotSuspended_keepsTheOutcomeForIt() {
        var machine = running()
        guard case .none = machine.workerFinished(7) else { Issue.record("acted with nobody waiting"); return }
        guard case .resume(let waiter, let wake) = machine.callerSuspending(3) else {
            Issue.record("caller not resumed at once"); return
        }
        #expect(waiter == 3)
        #expect(isFinished(wake, 7, cancelledFirst: false))
    }

    @Test func workerFinished_afterCancellationWithoutAbandon_reportsCancelledFirst() {
        var machine = running()
        _ = machine.callerSuspending(1)
        guard case .none = machine.callerCancelled() else { Issue.record("cancel without abandon acted"); return }
        #expect(machine.isCallerSuspended, "without abandonOnCancel the caller keeps waiting")
        guard case .resume(_, let wake) = machine.workerFinished(5) else { Issue.record("not resumed"); return }
        #expect(isFinished(wake, 5, cancelledFirst: true))
    }

    @Test func workerFinished_beforeCancellation_completionWins() {
        var machine = running(abandonOnCancel: true)
        guard case .none = machine.workerFinished(9) else { Issue.record("acted with nobody waiting"); return }
        guard case .none = machine.callerCancelled() else { Issue.record("cancel after the end acted"); return }
        #expect(!machine.isAbandoned)
        guard case .resume(_, let wake) = machine.callerSuspending(2) else { Issue.record("not resumed"); return }
        #expect(isFinished(wake, 9, cancelledFirst: false), "the outcome came before the cancellation")
    }

    @Test func workerFinished_whenAbandoned_dropsTheOutcome() {
        var machine = running(abandonOnCancel: true)
        _ = machine.callerSuspending(1)
        _ = machine.callerCancelled()
        guard case .none = machine.workerFinished(3) else { Issue.record("resumed a caller that left"); return }
        #expect(!machine.isCallerSuspended)
    }

    @Test func workerFinished_withRequestOutstanding_traps() async {
        await #expect(processExitsWith: .failure) {
            var machine = WorkerCallStateMachine<Int, String, Int>(abandonOnCancel: false)
            _ = machine.workerStarting()
            _ = machine.workerPosting("request")
            _ = machine.workerFinished(1)
        }
    }

    @Test func workerFinished_whenQueued_traps() async {
        await #expect(processExitsWith: .failure) {
            var machine = WorkerCallStateMachine<Int, String, Int>(abandonOnCancel: false)
            _ = machine.workerFinished(1)
        }
    }

    // MARK: callerSuspending

    @Test("the caller suspends while queued or running", arguments: [false, true])
    func callerSuspending_whenNothingHappened_suspends(started: Bool) {
        var machine = Machine(abandonOnCancel: false)
        if started { _ = machine.workerStarting() }
        guard case .suspend = machine.callerSuspending(1) else { Issue.record("not stored"); return }
        #expect(machine.isCallerSuspended)
    }

    @Test func callerSuspending_whenRequestPending_resumesWithTheRequest() {
        var machine = running()
        guard case .posted = machine.workerPosting("ping") else { Issue.record("request not stored"); return }
        guard case .resume(let waiter, .request(let request)) = machine.callerSuspending(4) else {
            Issue.record("caller not handed the request"); return
        }
        #expect(waiter == 4)
        #expect(request == "ping")
        // The request is handed out once: the next suspension waits.
        guard case .suspend = machine.callerSuspending(5) else { Issue.record("request handed out twice"); return }
    }

    @Test func callerSuspending_whenAbandonedBeforeSuspending_leavesAtOnce() {
        var machine = running(abandonOnCancel: true)
        guard case .abandon(nil, rejected: nil) = machine.callerCancelled() else {
            Issue.record("cancel before suspend did not abandon"); return
        }
        guard case .resume(let waiter, .abandoned) = machine.callerSuspending(6) else {
            Issue.record("caller not told it is abandoned"); return
        }
        #expect(waiter == 6)
    }

    @Test func callerSuspending_whenAbandonedAndTheWorkerFinished_leaves() {
        var machine = running(abandonOnCancel: true)
        _ = machine.callerCancelled()
        guard case .none = machine.workerFinished(1) else { Issue.record("resumed a caller that left"); return }
        guard case .resume(2, .abandoned) = machine.callerSuspending(2) else {
            Issue.record("the abandoned caller did not leave"); return
        }
    }

    @Test func callerSuspending_whenDone_traps() async {
        await #expect(processExitsWith: .failure) {
            var machine = WorkerCallStateMachine<Int, String, Int>(abandonOnCancel: false)
            _ = machine.workerStarting()
            _ = machine.workerFinished(1)
            _ = machine.callerSuspending(1)
            _ = machine.callerSuspending(2)
        }
    }

    @Test func callerSuspending_twice_traps() async {
        await #expect(processExitsWith: .failure) {
            var machine = WorkerCallStateMachine<Int, String, Int>(abandonOnCancel: false)
            _ = machine.callerSuspending(1)
            _ = machine.callerSuspending(2)
        }
    }

    // MARK: callerCancelled

    @Test("without abandonOnCancel a cancellation only sets the flag", arguments: [false, true])
    func callerCancelled_withoutAbandon_setsTheFlagOnly(suspended: Bool) {
        var machine = running()
        if suspended { _ = machine.callerSuspending(1) }
        guard case .none = machine.callerCancelled() else { Issue.record("acted"); return }
        #expect(machine.isCancelled)
        #expect(!machine.isAbandoned)
        #expect(machine.isCallerSuspended == suspended)
    }

    @Test("with abandonOnCancel a suspended caller is resumed at once", arguments: [false, true])
    func callerCancelled_withAbandon_whenSuspended_resumesAbandoned(started: Bool) {
        var machine = Machine(abandonOnCancel: true)
        if started { _ = machine.workerStarting() }
        _ = machine.callerSuspending(8)
        guard case .abandon(8?, rejected: nil) = machine.callerCancelled() else {
            Issue.record("not abandoned"); return
        }
        #expect(machine.isAbandoned)
        #expect(machine.isCancelled)
        #expect(!machine.isCallerSuspended)
    }

    @Test func callerCancelled_withAbandon_rejectsTheRequestNotPickedUp() {
        var machine = running(abandonOnCancel: true)
        _ = machine.workerPosting("late")
        guard case .abandon(nil, rejected: "late"?) = machine.callerCancelled() else {
            Issue.record("pending request not rejected"); return
        }
        // The caller then learns it is abandoned, not about the request.
        guard case .resume(_, .abandoned) = machine.callerSuspending(1) else { Issue.record("not abandoned"); return }
    }

    @Test func callerCancelled_withAbandon_afterTheEnd_completionWins() {
        var machine = running(abandonOnCancel: true)
        _ = machine.workerFinished(1)
        guard case .none = machine.callerCancelled() else { Issue.record("abandoned a finished call"); return }
        #expect(machine.isCancelled)
        #expect(!machine.isAbandoned)
    }

    @Test func callerCancelled_twice_actsOnce() {
        var machine = running(abandonOnCancel: true)
        _ = machine.callerSuspending(1)
        guard case .abandon = machine.callerCancelled() else { Issue.record("first cancel did not abandon"); return }
        guard case .none = machine.callerCancelled() else { Issue.record("second cancel acted"); return }
    }

    @Test func callerCancelled_afterDone_onlySetsTheFlag() {
        var machine = running(abandonOnCancel: true)
        _ = machine.workerFinished(1)
        _ = machine.callerSuspending(1)
        guard case .none = machine.callerCancelled() else { Issue.record("acted after done"); return }
        #expect(machine.isCancelled)
    }

    // MARK: workerPosting

    @Test func workerPosting_whenCallerSuspended_handsTheRequestOver() {
        var machine = running()
        _ = machine.callerSuspending(3)
        guard case .resume(let waiter, .request(let request)) = machine.workerPosting("now") else {
            Issue.record("not handed over"); return
        }
        #expect(waiter == 3)
        #expect(request == "now")
        #expect(!machine.isCallerSuspended)
    }

    @Test func workerPosting_whenCallerBusy_storesIt() {
        var machine = running()
        guard case .posted = machine.workerPosting("later") else { Issue.record("not stored"); return }
        #expect(!machine.isCallerSuspended)
    }

    @Test func workerPosting_whenAbandoned_isRejected() {
        var machine = running(abandonOnCancel: true)
        _ = machine.callerCancelled()
        guard case .rejected = machine.workerPosting("too late") else { Issue.record("not rejected"); return }
    }

    @Test func workerPosting_whenCancelledWithoutAbandon_stillReachesTheCaller() {
        var machine = running()
        _ = machine.callerSuspending(1)
        _ = machine.callerCancelled()
        guard case .resume(1, .request("in cancelled scope")) = machine.workerPosting("in cancelled scope") else {
            Issue.record("request not handed to the waiting caller"); return
        }
    }

    @Test func workerPosting_whenQueued_traps() async {
        await #expect(processExitsWith: .failure) {
            var machine = WorkerCallStateMachine<Int, String, Int>(abandonOnCancel: false)
            _ = machine.workerPosting("too early")
        }
    }

    @Test func workerPosting_twice_traps() async {
        await #expect(processExitsWith: .failure) {
            var machine = WorkerCallStateMachine<Int, String, Int>(abandonOnCancel: false)
            _ = machine.workerStarting()
            _ = machine.workerPosting("one")
            _ = machine.workerPosting("two")
        }
    }

    // MARK: A whole call

    @Test func fullCall_withTwoRequests_thenOutcome() {
        var machine = running()
        guard case .suspend = machine.callerSuspending(1) else { Issue.record("1"); return }
        guard case .resume(1, .request("a")) = machine.workerPosting("a") else { Issue.record("2"); return }
        // While the caller runs "a", the worker is blocked; the caller suspends again.
        guard case .suspend = machine.callerSuspending(2) else { Issue.record("3"); return }
        guard case .resume(2, .request("b")) = machine.workerPosting("b") else { Issue.record("4"); return }
        guard case .suspend = machine.callerSuspending(3) else { Issue.record("5"); return }
        guard case .resume(3, let wake) = machine.workerFinished(99) else { Issue.record("6"); return }
        #expect(isFinished(wake, 99, cancelledFirst: false))
    }
}
