//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `FutureStateMachine`; values are strings and waiters integers.
@Suite("Future state machine", .timeLimit(.minutes(1)))
struct FutureStateMachineTests {
    typealias Machine = FutureStateMachine<String, Int>

    private func id(_ raw: UInt64) -> WaiterID { WaiterID(rawValue: raw) }

    /// A machine in each terminal state.
    private static func terminal(_ status: Machine.Status) -> Machine {
        var machine = Machine()
        switch status {
        case .pending: break
        case .finished: _ = machine.finish(.success("value"))
        case .failed: _ = machine.finish(.failure(TestError("boom")))
        case .cancelled: _ = machine.cancelFuture()
        }
        return machine
    }

    @Test func finish_whenPending_storesValueAndResumesAll() {
        var machine = Machine()
        guard case .suspend = machine.suspend(id(1), 10) else { Issue.record("not stored"); return }
        guard case .suspend = machine.suspend(id(2), 20) else { Issue.record("not stored"); return }
        #expect(machine.waitingCount == 2)
        guard case .resumeAll(let waiters) = machine.finish(.success("v")) else { Issue.record("not resumed"); return }
        #expect(waiters.sorted() == [10, 20])
        #expect(machine.status == .finished)
        #expect(machine.waitingCount == 0)
        guard case .success("v")? = machine.outcome else { Issue.record("value lost"); return }
    }

    @Test func finish_withError_whenPending_fails() {
        var machine = Machine()
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
        _ = machine.suspend(id(1), 10)
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

    @Test("suspend on a finished future resumes at once", arguments: [Machine.Status.finished, .failed, .cancelled])
    func suspend_whenTerminal_resumesAtOnce(status: Machine.Status) {
        var machine = Self.terminal(status)
        guard case .resume(7) = machine.suspend(id(1), 7) else { Issue.record("not resumed"); return }
    }

    @Test func cancelWaiter_whenSuspended_cancelsThatWaiterOnly() {
        var machine = Machine()
        _ = machine.suspend(id(1), 10)
        _ = machine.suspend(id(2), 20)
        guard case .cancel(10) = machine.cancelWaiter(id(1)) else { Issue.record("not cancelled"); return }
        #expect(machine.waitingCount == 1)
        guard case .resumeAll([20]) = machine.finish(.success("v")) else { Issue.record("wrong waiters"); return }
    }

    @Test func cancelWaiter_beforeSuspend_cancelsOnSuspend() {
        var machine = Machine()
        guard case .none = machine.cancelWaiter(id(3)) else { Issue.record("early cancel acted"); return }
        guard case .cancel(30) = machine.suspend(id(3), 30) else { Issue.record("early-cancelled waiter stored"); return }
        #expect(machine.waitingCount == 0)
    }

    @Test("a cancel after the future finished does nothing: the outcome wins",
          arguments: [Machine.Status.finished, .failed, .cancelled])
    func cancelWaiter_whenTerminal_doesNothing(status: Machine.Status) {
        var machine = Self.terminal(status)
        guard case .none = machine.cancelWaiter(id(1)) else { Issue.record("cancel after finish acted"); return }
    }

    @Test func cancelWaiterBeforeSuspend_thenFinished_resumesNormally() {
        var machine = Machine()
        _ = machine.cancelWaiter(id(4))
        _ = machine.finish(.success("v"))
        guard case .resume(40) = machine.suspend(id(4), 40) else { Issue.record("not resumed"); return }
    }
}
