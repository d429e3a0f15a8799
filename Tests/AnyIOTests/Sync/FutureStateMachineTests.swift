//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `FutureStateMachine`; values are strings and waiters integers.
///
/// States: pending, finished, failed, cancelled. A `wait()` is registered, parked, cancelled
/// early, or gone. Events: finish, cancelFuture, wait, park, cancelWaiter.
@Suite("Future state machine", .timeLimit(.minutes(1)))
struct FutureStateMachineTests {
    typealias Machine = FutureStateMachine<String, Int>

    /// Moves `machine` to `status` (from pending); returns the waiters the finishing resumed.
    @discardableResult
    private static func finish(_ machine: inout Machine, as status: Machine.Status) -> [Int] {
        let action: Machine.FinishAction
        switch status {
        case .pending: return []
        case .finished: action = machine.finish(.success("value"))
        case .failed: action = machine.finish(.failure(TestError("boom")))
        case .cancelled: action = machine.cancelFuture()
        }
        guard case .resumeAll(let waiters) = action else {
            Issue.record("did not finish as \(status)")
            return []
        }
        return waiters
    }

    /// A machine in each terminal state.
    private static func terminal(_ status: Machine.Status) -> Machine {
        var machine = Machine()
        finish(&machine, as: status)
        return machine
    }

    /// Registers a `wait()`, expecting the future to be pending.
    private func register(_ machine: inout Machine, sourceLocation: SourceLocation = #_sourceLocation) -> QueueTicket? {
        guard case .park(let ticket) = machine.wait() else {
            Issue.record("wait did not register", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    /// Registers a `wait()` and parks `waiter` for it, expecting it to stay parked.
    @discardableResult
    private func registerAndPark(
        _ machine: inout Machine, _ waiter: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) -> QueueTicket? {
        guard let ticket = register(&machine, sourceLocation: sourceLocation) else { return nil }
        guard case .parked = machine.park(ticket, waiter) else {
            Issue.record("waiter \(waiter) was not stored", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    @Test func finish_whenPending_storesValueAndResumesAll() {
        var machine = Machine()
        registerAndPark(&machine, 10)
        registerAndPark(&machine, 20)
        #expect(machine.waitingCount == 2)
        guard case .resumeAll(let waiters) = machine.finish(.success("v")) else { Issue.record("not resumed"); return }
        #expect(waiters == [10, 20])
        #expect(machine.status == .finished)
        #expect(machine.waitingCount == 0)
        guard case .success("v")? = machine.outcome else { Issue.record("value lost"); return }
    }

    @Test func finish_withError_whenPending_fails() {
        var machine = Machine()
        #expect(machine.status == .pending)
        #expect(machine.outcome == nil)
        guard case .resumeAll([]) = machine.finish(.failure(TestError("boom"))) else { Issue.record("not finished"); return }
        #expect(machine.status == .failed)
        guard case .failure(let error)? = machine.outcome else { Issue.record("error lost"); return }
        #expect(error as? TestError == TestError("boom"))
    }

    @Test("finish when already finished is refused and keeps the first outcome",
          arguments: [Machine.Status.finished, .failed, .cancelled])
    func finish_whenTerminal_isRefused(status: Machine.Status) {
        var machine = Self.terminal(status)
        guard case .alreadyFinished(let reported) = machine.finish(.success("second")) else {
            Issue.record("second outcome accepted"); return
        }
        #expect(reported == status)
        #expect(machine.status == status)
        if case .success("second")? = machine.outcome { Issue.record("outcome replaced") }
    }

    @Test func cancelFuture_whenPending_resumesAll() {
        var machine = Machine()
        registerAndPark(&machine, 10)
        guard case .resumeAll([10]) = machine.cancelFuture() else { Issue.record("not resumed"); return }
        #expect(machine.status == .cancelled)
        #expect(machine.outcome == nil)
    }

    @Test("cancel on a finished future changes nothing", arguments: [Machine.Status.finished, .failed, .cancelled])
    func cancelFuture_whenTerminal_doesNothing(status: Machine.Status) {
        var machine = Self.terminal(status)
        guard case .alreadyFinished(status) = machine.cancelFuture() else { Issue.record("cancel acted"); return }
        #expect(machine.status == status)
    }

    @Test("wait on a finished future is ready at once", arguments: [Machine.Status.finished, .failed, .cancelled])
    func wait_whenTerminal_isReady(status: Machine.Status) {
        var machine = Self.terminal(status)
        guard case .ready = machine.wait() else { Issue.record("not ready"); return }
        #expect(machine.waitingCount == 0)
    }

    @Test("finishing wakes the parked waiters only; the others resume when they park",
          arguments: [Machine.Status.finished, .failed, .cancelled])
    func finish_beforePark_resumesOnPark(status: Machine.Status) {
        var machine = Machine()
        registerAndPark(&machine, 10)
        guard let registered = register(&machine) else { return }
        #expect(Self.finish(&machine, as: status) == [10])
        #expect(machine.waitingCount == 0)
        guard case .resume(20) = machine.park(registered, 20) else { Issue.record("not resumed on park"); return }
    }

    @Test func cancelWaiter_whenParked_cancelsThatWaiterOnly() {
        var machine = Machine()
        guard let first = registerAndPark(&machine, 10) else { return }
        registerAndPark(&machine, 20)
        #expect(machine.cancelWaiter(first) == 10)
        #expect(machine.waitingCount == 1)
        guard case .resumeAll([20]) = machine.finish(.success("v")) else { Issue.record("wrong waiters"); return }
    }

    @Test func cancelWaiter_beforePark_failsOnPark() {
        var machine = Machine()
        guard let ticket = register(&machine) else { return }
        #expect(machine.cancelWaiter(ticket) == nil)
        #expect(machine.waitingCount == 0)
        guard case .fail(30, let error) = machine.park(ticket, 30) else { Issue.record("early-cancelled waiter stored"); return }
        #expect(error is CancellationError)
        #expect(machine.waitingCount == 0)
    }

    @Test("a cancel after the future finished does nothing: the outcome wins",
          arguments: [Machine.Status.finished, .failed, .cancelled])
    func cancelWaiter_whenTerminal_doesNothing(status: Machine.Status) {
        var machine = Machine()
        guard let parked = registerAndPark(&machine, 10) else { return }
        guard let registered = register(&machine) else { return }
        #expect(Self.finish(&machine, as: status) == [10])
        #expect(machine.cancelWaiter(parked) == nil)
        #expect(machine.cancelWaiter(registered) == nil)
        guard case .resume(20) = machine.park(registered, 20) else { Issue.record("not resumed on park"); return }
        #expect(machine.status == status)
    }

    @Test func cancelWaiterBeforePark_thenFinished_stillFailsOnPark() {
        // The cancellation came first: the outcome does not revive the waiter.
        var machine = Machine()
        guard let ticket = register(&machine) else { return }
        _ = machine.cancelWaiter(ticket)
        guard case .resumeAll([]) = machine.finish(.success("v")) else { Issue.record("wrong waiters"); return }
        guard case .fail(40, let error) = machine.park(ticket, 40) else { Issue.record("not cancelled on park"); return }
        #expect(error is CancellationError)
    }
}
