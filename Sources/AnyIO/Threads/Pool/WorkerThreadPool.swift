//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The library's own OS threads for blocking work (`ToThread.runSync`), so that blocking code
/// never runs on Swift's cooperative pool.
///
/// Threads are started on demand and reused: a submitted job goes to the most recently idled
/// thread (LIFO keeps its caches warm and lets the others time out), or to a new thread when none
/// is idle. A thread idle for `idleTimeout` exits. The pool itself has no size limit; callers bound
/// it with a `CapacityLimiter`, as AnyIO does.
///
/// Read with `WorkerThread.swift`.
final class WorkerThreadPool: Sendable {
    /// The pool `ToThread.runSync` uses: idle threads exit after 10 s, as in AnyIO.
    static let shared = WorkerThreadPool(idleTimeout: .seconds(10))

    /// How long an idle thread spins before it parks (see `WorkerThread`).
    static let defaultSpinTime = Duration.microseconds(50)

    struct State {
        /// Idle threads, the most recently idled last. A thread is added by
        /// `workerBecameIdle` and removed by `submit` (to run a job) or `retire` (to exit).
        /// Invariant: every thread here has no pending job.
        var idle: [WorkerThread] = []
        /// Threads started and not yet exited (busy or idle).
        var threadCount = 0
        /// `numberInUse[n - 1]` is true while a live thread is named "AnyIO worker n". The lowest
        /// free number is reused, which keeps names short.
        var numberInUse: [Bool] = []

        /// Takes the lowest free thread number.
        mutating func takeNumber() -> Int {
            if let index = numberInUse.firstIndex(of: false) {
                numberInUse[index] = true
                return index + 1
            }
            numberInUse.append(true)
            return numberInUse.count
        }
    }

    /// How long a thread may stay idle before it exits.
    let idleTimeout: Duration
    /// How long an idle thread spins, looking for a new job, before it parks.
    let spinTime: Duration
    let state = StateLock(State())

    init(idleTimeout: Duration, spinTime: Duration = WorkerThreadPool.defaultSpinTime) {
        self.idleTimeout = idleTimeout
        self.spinTime = spinTime
    }

    /// Runs `job` on an idle thread, or on a new one.
    func submit(_ job: any WorkerJob) {
        let (idleThread, newNumber) = state.withLock { state -> (WorkerThread?, Int) in
            if let thread = state.idle.popLast() { return (thread, 0) }
            state.threadCount += 1
            return (nil, state.takeNumber())
        }
        // Outside the lock: waking or starting a thread is a system call.
        if let idleThread {
            idleThread.assign(job)
        } else {
            WorkerThread.start(pool: self, number: newNumber, job: job)
        }
    }

    /// `thread` finished its job's blocking part and can take another job.
    func workerBecameIdle(_ thread: WorkerThread) {
        state.withLock { $0.idle.append(thread) }
    }

    /// `thread` has idled for `idleTimeout`: removes it from the pool unless a submitter has just
    /// taken it off the idle list (then a job is on its way to it).
    ///
    /// - Returns: `true` if the thread left the pool and must exit.
    func retire(_ thread: WorkerThread) -> Bool {
        state.withLock { state in
            guard let index = state.idle.firstIndex(where: { $0 === thread }) else { return false }
            state.idle.remove(at: index)
            state.threadCount -= 1
            state.numberInUse[thread.number - 1] = false
            return true
        }
    }

    /// The number of live threads, busy or idle.
    var threadCount: Int { state.withLock { $0.threadCount } }

    /// The number of idle threads.
    var idleCount: Int { state.withLock { $0.idle.count } }
}
