//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// What wakes a portal's host task.
enum BlockingPortalHostWake<Job> {
    /// Start these jobs (in submission order), then wait again.
    case jobs([Job])
    /// The portal stopped and every submitted job was handed over: the host ends.
    case stop
}

/// The state of a ``BlockingPortal``: no locks, no `async`, no side effects. Each event returns
/// what must be done once the lock is released.
///
/// Threads submit jobs; the portal's *host*, a task in the portal's nursery, takes them in batches
/// and starts each as a nursery child. Only the host touches the nursery, so a submission never
/// races the nursery's end. Stopping refuses new jobs; the host still starts those already
/// submitted, then ends. The portal is *finished* once it is stopped, the host has ended and every
/// job has finished: blocking `stop()` calls wait for that.
///
/// Generic over the job, the host's continuation and a finish waiter so the tests can use plain
/// values. Jobs are identified by a `UInt64` id given at submission.
///
/// Invariant: `hostWaiter != nil` implies `queue.isEmpty` and `isAccepting` (a submission or a stop
/// hands the waiter out at once).
/// Invariant: every queued job is in `live`; `queue` is empty once the host has ended.
/// Invariant: `finishWaiters` is empty whenever `isFinished` (they are handed out when it becomes
/// true).
struct BlockingPortalStateMachine<Job, HostWaiter, FinishWaiter> {
    typealias HostWake = BlockingPortalHostWake<Job>

    /// True until the portal is stopped (`stop`, or the host's cancellation); never set back.
    private(set) var isAccepting = true
    /// Jobs submitted and not yet handed to the host, with their ids, in submission order.
    private var queue: [(id: UInt64, job: Job)] = []
    /// Jobs submitted and not finished (queued or running), by id, for `stop(cancelRemaining:)`.
    private var live: [UInt64: Job] = [:]
    /// The host, suspended until there is a job to start or the portal stops.
    private var hostWaiter: HostWaiter?
    /// Set when the host task has ended; never cleared.
    private var hostEnded = false
    /// Blocked `stop()` calls waiting until the portal is finished.
    private var finishWaiters: [FinishWaiter] = []

    init() {}

    /// Stopped, host ended, every job finished.
    var isFinished: Bool { !isAccepting && hostEnded && live.isEmpty }

    /// The number of jobs submitted and not finished.
    var liveCount: Int { live.count }

    /// Whether the host is suspended waiting for work (for tests).
    var isHostWaiting: Bool { hostWaiter != nil }

    /// What a submission must do.
    enum SubmitAction {
        /// Refused: the portal has stopped. Throw `BlockingPortalStoppedError`.
        case rejected
        /// Queued for the host, which is busy starting earlier jobs.
        case queued
        /// Resume the waiting host with this wake-up (it contains the job).
        case resumeHost(HostWaiter, HostWake)
    }

    /// What the host about to suspend must do with its continuation.
    enum HostWaitAction {
        /// Keep it suspended: it was stored.
        case suspend
        /// Resume it at once with this wake-up.
        case resume(HostWaiter, HostWake)
    }

    /// What `stop(cancelRemaining:)` must do.
    struct StopAction {
        /// Whether this call stopped the portal (set the "stopped" event).
        var stoppedNow = false
        /// The waiting host to resume with `.stop`.
        var host: HostWaiter?
        /// Jobs to cancel (with `cancelRemaining`): every job not finished.
        var cancel: [Job] = []
    }

    /// What the host's cancellation must do.
    struct HostCancelAction {
        /// Whether this call stopped the portal (set the "stopped" event).
        var stoppedNow = false
        /// The waiting host to resume with `.stop`.
        var host: HostWaiter?
        /// Jobs that will never start: complete each with `CancellationError`. Already removed.
        var dropped: [Job] = []
    }

    /// A thread submits `job` under `id`.
    mutating func submit(_ id: UInt64, _ job: Job) -> SubmitAction {
        guard isAccepting else {
            // Stopped: no new work (AnyIO: "This portal is not running").
            return .rejected
        }
        checkPrecondition(live[id] == nil, "AnyIO: internal error: portal job \(id) submitted twice")
        live[id] = job
        if let hostWaiter {
            // The host waits: hand the job over now (nothing else is queued, see the invariant).
            self.hostWaiter = nil
            return .resumeHost(hostWaiter, .jobs([job]))
        }
        // The host is busy starting jobs (or not running yet): it takes this one next.
        queue.append((id, job))
        return .queued
    }

    /// The host is about to suspend on `waiter`.
    mutating func hostWaiting(_ waiter: HostWaiter) -> HostWaitAction {
        checkPrecondition(hostWaiter == nil && !hostEnded, "AnyIO: internal error: a portal host waited twice")
        if !queue.isEmpty {
            // Jobs came in while the host was busy: start them all, in order.
            let jobs = queue.map(\.job)
            queue = []
            return .resume(waiter, .jobs(jobs))
        }
        if !isAccepting {
            // Stopped, and every submitted job was handed over: the host ends.
            return .resume(waiter, .stop)
        }
        // Nothing to do: wait for a submission or a stop.
        hostWaiter = waiter
        return .suspend
    }

    /// `stop(cancelRemaining:)`: refuse new jobs; optionally cancel those not finished.
    mutating func stop(cancelRemaining: Bool) -> StopAction {
        var action = StopAction()
        if isAccepting {
            // First stop: from now on submissions are refused.
            isAccepting = false
            action.stoppedNow = true
            // A waiting host has nothing queued (invariant): it can end now.
            action.host = hostWaiter
            hostWaiter = nil
        }
        if cancelRemaining {
            // Also after an earlier plain stop, as AnyIO's `stop(cancel_remaining=True)`.
            action.cancel = Array(live.values)
        }
        return action
    }

    /// The host task was cancelled (its nursery was cancelled from outside): stop, and drop the
    /// jobs it will never start.
    mutating func hostCancelled() -> HostCancelAction {
        var action = HostCancelAction()
        if isAccepting {
            isAccepting = false
            action.stoppedNow = true
        }
        action.host = hostWaiter
        hostWaiter = nil
        for (id, _) in queue {
            // Never started: their callers must not wait forever.
            live[id] = nil
        }
        action.dropped = queue.map(\.job)
        queue = []
        return action
    }

    /// The job `id` finished. Returns the finish waiters to wake, if the portal is now finished.
    mutating func taskFinished(_ id: UInt64) -> [FinishWaiter] {
        guard live.removeValue(forKey: id) != nil else {
            fatalError("AnyIO: internal error: portal job \(id) finished twice or was never submitted")
        }
        return takeFinishWaitersIfFinished()
    }

    /// The host task ended. Returns the finish waiters to wake, if the portal is now finished.
    mutating func hostFinished() -> [FinishWaiter] {
        checkPrecondition(queue.isEmpty, "AnyIO: internal error: a portal host ended with jobs queued")
        hostEnded = true
        // A host ends only after a stop (or its cancellation): make sure nothing comes in late.
        isAccepting = false
        return takeFinishWaitersIfFinished()
    }

    /// A blocking `stop()` waits until the portal is finished.
    ///
    /// - Returns: `true` if it is finished already (then `waiter` was not stored).
    mutating func waitUntilFinished(_ waiter: FinishWaiter) -> Bool {
        if isFinished { return true }
        finishWaiters.append(waiter)
        return false
    }

    private mutating func takeFinishWaitersIfFinished() -> [FinishWaiter] {
        guard isFinished, !finishWaiters.isEmpty else { return [] }
        let waiters = finishWaiters
        finishWaiters = []
        return waiters
    }
}
