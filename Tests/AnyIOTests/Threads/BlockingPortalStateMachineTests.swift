//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `BlockingPortalStateMachine`. Jobs are strings, the host's continuation and
/// the finish waiters integers.
@Suite("BlockingPortal state machine", .timeLimit(.minutes(1)))
struct BlockingPortalStateMachineTests {
    typealias Machine = BlockingPortalStateMachine<String, Int, Int>

    private func jobs(_ wake: BlockingPortalHostWake<String>) -> [String]? {
        if case .jobs(let jobs) = wake { return jobs }
        return nil
    }

    // MARK: submit

    @Test func submit_whenHostWaiting_resumesItWithTheJob() {
        var machine = Machine()
        guard case .suspend = machine.hostWaiting(1) else { Issue.record("host not stored"); return }
        #expect(machine.isHostWaiting)
        guard case .resumeHost(1, let wake) = machine.submit(10, "a") else { Issue.record("host not woken"); return }
        #expect(jobs(wake) == ["a"])
        #expect(!machine.isHostWaiting)
        #expect(machine.liveCount == 1)
    }

    @Test func submit_whenHostBusy_queuesInOrder() {
        var machine = Machine()
        guard case .queued = machine.submit(1, "a") else { Issue.record("not queued"); return }
        guard case .queued = machine.submit(2, "b") else { Issue.record("not queued"); return }
        guard case .resume(7, let wake) = machine.hostWaiting(7) else { Issue.record("host not resumed"); return }
        #expect(jobs(wake) == ["a", "b"])
        #expect(machine.liveCount == 2)
        // Handed out once: the host waits again.
        guard case .suspend = machine.hostWaiting(8) else { Issue.record("jobs handed out twice"); return }
    }

    @Test func submit_whenStopped_isRejected() {
        var machine = Machine()
        _ = machine.stop(cancelRemaining: false)
        guard case .rejected = machine.submit(1, "late") else { Issue.record("accepted after stop"); return }
        #expect(machine.liveCount == 0)
        #expect(!machine.isAccepting)
    }

    @Test func submit_whenHostCancelled_isRejected() {
        var machine = Machine()
        _ = machine.hostCancelled()
        guard case .rejected = machine.submit(1, "late") else { Issue.record("accepted after cancel"); return }
    }

    @Test func submit_sameIDTwice_traps() async {
        await #expect(processExitsWith: .failure) {
            var machine = BlockingPortalStateMachine<String, Int, Int>()
            _ = machine.submit(1, "a")
            _ = machine.submit(1, "b")
        }
    }

    // MARK: hostWaiting

    @Test func hostWaiting_whenStoppedAndDrained_ends() {
        var machine = Machine()
        _ = machine.stop(cancelRemaining: false)
        guard case .resume(3, .stop) = machine.hostWaiting(3) else { Issue.record("host not ended"); return }
    }

    @Test func hostWaiting_whenStoppedWithJobsQueued_startsThemFirst() {
        var machine = Machine()
        _ = machine.submit(1, "a")
        _ = machine.stop(cancelRemaining: false)
        guard case .resume(_, let wake) = machine.hostWaiting(1) else { Issue.record("host not resumed"); return }
        #expect(jobs(wake) == ["a"], "jobs submitted before the stop still start")
        guard case .resume(_, .stop) = machine.hostWaiting(2) else { Issue.record("host not ended"); return }
    }

    @Test func hostWaiting_twice_traps() async {
        await #expect(processExitsWith: .failure) {
            var machine = BlockingPortalStateMachine<String, Int, Int>()
            _ = machine.hostWaiting(1)
            _ = machine.hostWaiting(2)
        }
    }

    // MARK: stop

    @Test func stop_whenHostWaiting_endsTheHost() {
        var machine = Machine()
        _ = machine.hostWaiting(4)
        let action = machine.stop(cancelRemaining: false)
        #expect(action.stoppedNow)
        #expect(action.host == 4)
        #expect(action.cancel.isEmpty)
        #expect(!machine.isHostWaiting)
    }

    @Test func stop_withCancelRemaining_cancelsEveryLiveJob() {
        var machine = Machine()
        _ = machine.submit(1, "queued")
        _ = machine.hostWaiting(1)  // takes "queued" (now running)
        _ = machine.submit(2, "second")
        let action = machine.stop(cancelRemaining: true)
        #expect(action.stoppedNow)
        #expect(action.host == nil, "the host is busy")
        #expect(Set(action.cancel) == ["queued", "second"])
    }

    @Test func stop_twice_canStillCancel() {
        var machine = Machine()
        _ = machine.submit(1, "a")
        let first = machine.stop(cancelRemaining: false)
        #expect(first.stoppedNow && first.cancel.isEmpty)
        let second = machine.stop(cancelRemaining: true)
        #expect(!second.stoppedNow)
        #expect(second.cancel == ["a"])
    }

    @Test func stop_afterEverythingFinished_cancelsNothing() {
        var machine = Machine()
        _ = machine.submit(1, "a")
        _ = machine.hostWaiting(1)
        _ = machine.taskFinished(1)
        let stop = machine.stop(cancelRemaining: true)
        #expect(stop.cancel.isEmpty)
    }

    // MARK: hostCancelled

    @Test func hostCancelled_dropsQueuedJobsAndStops() {
        var machine = Machine()
        _ = machine.submit(1, "running")
        _ = machine.hostWaiting(1)
        _ = machine.submit(2, "queued")
        let action = machine.hostCancelled()
        #expect(action.stoppedNow)
        #expect(action.dropped == ["queued"])
        #expect(action.host == nil)
        #expect(machine.liveCount == 1, "the running job is still live")
    }

    @Test func hostCancelled_whenWaiting_resumesTheHost() {
        var machine = Machine()
        _ = machine.hostWaiting(5)
        let action = machine.hostCancelled()
        #expect(action.host == 5)
        #expect(action.dropped.isEmpty)
    }

    @Test func hostCancelled_afterStop_doesNotStopAgain() {
        var machine = Machine()
        _ = machine.stop(cancelRemaining: false)
        let cancel = machine.hostCancelled()
        #expect(!cancel.stoppedNow)
    }

    // MARK: taskFinished, hostFinished, waitUntilFinished

    @Test func waitUntilFinished_wakesWhenTheLastPieceEnds() {
        var machine = Machine()
        _ = machine.submit(1, "a")
        _ = machine.hostWaiting(1)
        _ = machine.stop(cancelRemaining: false)
        let finishedAlready100 = machine.waitUntilFinished(100)
        #expect(!finishedAlready100)
        let finishedAlready101 = machine.waitUntilFinished(101)
        #expect(!finishedAlready101)
        let woken = machine.taskFinished(1)
        #expect(woken.isEmpty, "the host has not ended yet")
        #expect(!machine.isFinished)
        guard case .resume(_, .stop) = machine.hostWaiting(2) else { Issue.record("host not ended"); return }
        let wokenByHost = machine.hostFinished()
        #expect(Set(wokenByHost) == [100, 101])
        #expect(machine.isFinished)
        let finishedAlready102 = machine.waitUntilFinished(102)
        #expect(finishedAlready102, "finished: no wait")
    }

    @Test func waitUntilFinished_whenTaskEndsLast() {
        var machine = Machine()
        _ = machine.submit(1, "a")
        _ = machine.hostWaiting(1)
        _ = machine.stop(cancelRemaining: false)
        _ = machine.hostWaiting(2)
        let wokenByHost = machine.hostFinished()
        #expect(wokenByHost.isEmpty)
        let finishedAlready = machine.waitUntilFinished(7)
        #expect(!finishedAlready)
        let woken = machine.taskFinished(1)
        #expect(woken == [7])
    }

    @Test func waitUntilFinished_whileRunning_waits() {
        var machine = Machine()
        let finishedAlready = machine.waitUntilFinished(1)
        #expect(!finishedAlready)
        #expect(!machine.isFinished)
    }

    @Test func hostFinished_stopsTheAcceptingOfWork() {
        var machine = Machine()
        _ = machine.stop(cancelRemaining: false)
        _ = machine.hostWaiting(1)
        _ = machine.hostFinished()
        #expect(machine.isFinished)
        guard case .rejected = machine.submit(1, "a") else { Issue.record("accepted after the end"); return }
    }

    @Test func taskFinished_unknownID_traps() async {
        await #expect(processExitsWith: .failure) {
            var machine = BlockingPortalStateMachine<String, Int, Int>()
            _ = machine.taskFinished(42)
        }
    }

    @Test func hostFinished_withJobsQueued_traps() async {
        await #expect(processExitsWith: .failure) {
            var machine = BlockingPortalStateMachine<String, Int, Int>()
            _ = machine.submit(1, "a")
            _ = machine.hostFinished()
        }
    }
}
