//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The lock, the host task and the waiting of a ``BlockingPortal``.
///
/// Read with `BlockingPortalStateMachine.swift`: each lock section below runs exactly one of its
/// events, and every continuation (and blocked thread) is woken after the lock is released.
final class BlockingPortalStorage: Sendable {
    typealias HostWake = BlockingPortalHostWake<any PortalJob>
    typealias HostWaiter = ParkedContinuation<HostWake, Never>

    let state = StateLock(BlockingPortalStateMachine<any PortalJob, HostWaiter, ThreadLatch<Bool>>())
    /// Set when the portal stops, for `waitUntilStopped()`.
    let stopped = Event()
    /// Every resumption of the host goes through it (it matters only to Thread Sanitizer).
    private let handoff = ResumeHandoff()

    init() {}

    var isRunning: Bool { state.withLock { $0.isAccepting } }

    /// Hands `job` to the host.
    func submit(_ job: any PortalJob) throws {
        switch state.withLock({ $0.submit(job.task.id, job) }) {
        case .rejected:
            throw BlockingPortalStoppedError()
        case .queued:
            break
        case .resumeHost(let host, let wake):
            handoff.resume(host, returning: wake)
        }
    }

    /// Refuses new jobs from now on; with `cancelRemaining`, cancels every job not finished.
    func stop(cancelRemaining: Bool) {
        let action = state.withLock { $0.stop(cancelRemaining: cancelRemaining) }
        if action.stoppedNow { stopped.set() }
        if let host = action.host { handoff.resume(host, returning: .stop) }
        for job in action.cancel { job.task.cancel() }
    }

    /// The host: starts submitted jobs as children of `nursery` until the portal stops.
    ///
    /// Runs in the portal's nursery (`withBlockingPortal`), or as the body of the root task's
    /// nursery (`startBlockingPortal`). Only the host starts children, so no submission can race
    /// the nursery's end.
    func runHost(_ nursery: Nursery) async {
        while case .jobs(let jobs) = await nextHostWake() {
            for job in jobs { job.start(in: nursery, portal: self) }
        }
        wake(state.withLock { $0.hostFinished() })
    }

    private func nextHostWake() async -> HostWake {
        await withTaskCancellationHandler {
            let mark = WaitMark.begin(.portalHost)
            let wake = await withUnsafeContinuation { (continuation: UnsafeContinuation<HostWake, Never>) in
                let host = HostWaiter(continuation, mark)
                // Single resumption: the state machine hands the continuation out exactly once, to
                // a submission, a stop, the cancellation handler, or back here.
                if case .resume(let host, let wake) = state.withLock({ $0.hostWaiting(host) }) {
                    handoff.resume(host, returning: wake)
                }
            }
            handoff.resumed()
            return wake
        } onCancel: {
            // The portal's nursery was cancelled from outside: stop, and fail what never started.
            let action = state.withLock { $0.hostCancelled() }
            if action.stoppedNow { stopped.set() }
            // (The state machine removed them from its live jobs; the host has not ended yet, so
            // the portal is not finished and no blocked `stop()` is due.)
            for job in action.dropped { job.drop() }
            if let host = action.host { handoff.resume(host, returning: .stop) }
        }
    }

    /// A job's body ended.
    func taskFinished(_ id: UInt64) {
        wake(state.withLock { $0.taskFinished(id) })
    }

    /// Blocks the calling OS thread until the portal has stopped, its host has ended and every
    /// job has finished.
    func waitUntilFinishedBlocking() {
        let latch = ThreadLatch<Bool>()
        if state.withLock({ $0.waitUntilFinished(latch) }) { return }
        _ = latch.wait()
    }

    private func wake(_ waiters: [ThreadLatch<Bool>]) {
        for waiter in waiters { waiter.set(true) }
    }
}
