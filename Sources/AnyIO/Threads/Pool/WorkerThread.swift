//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// One OS thread of a `WorkerThreadPool`, named "AnyIO worker N".
///
/// It runs one job at a time. Between jobs it sits in its pool's idle list: first it spins for a
/// few microseconds (a caller that submits again at once, as a loop of `ToThread.runSync` calls
/// does, then reaches it without a system call on either side), then it parks on its semaphore.
/// After the pool's idle timeout without a job it leaves the pool and exits.
///
/// Read with `WorkerThreadPool.swift`: a job reaches a thread only through `assign(_:)`, called by
/// the pool after taking the thread off its idle list, so at most one job is ever pending.
///
/// Parking uses a Dekker-style hand-shake on two sequentially consistent atomics: the thread
/// stores `isParking` then loads `hasJob`; `assign` stores `hasJob` then loads `isParking`. At
/// least one of them sees the other's store, so either the thread finds the job, or `assign`
/// signals the semaphore (possibly both: a stray signal only makes one later wait return early,
/// and the loop re-checks).
final class WorkerThread: Sendable {
    /// The pool this thread belongs to.
    let pool: WorkerThreadPool
    /// The N in the thread's name; unique among the pool's live threads.
    let number: Int
    /// The job assigned and not yet taken by the thread. Set by `assign(_:)` (only while the
    /// thread is off the idle list), taken by the thread.
    /// Invariant: non-nil only while the thread is not on the pool's idle list.
    private let pendingJob: StateLock<(any WorkerJob)?>
    /// Mirrors `pendingJob != nil` (both change together, under `pendingJob`'s lock), for the
    /// lock-free spin and the parking hand-shake.
    private let hasJob = Atomic<Bool>(false)
    /// True while the thread is parked on `wakeUp` or about to park.
    private let isParking = Atomic<Bool>(false)
    /// Where the thread sleeps when idle; `assign` signals it if the thread is parking.
    private let wakeUp = ThreadSemaphore()

    private init(pool: WorkerThreadPool, number: Int, job: any WorkerJob) {
        self.pool = pool
        self.number = number
        pendingJob = StateLock(job)
        hasJob.store(true, ordering: .relaxed)
    }

    /// The thread's name, as the OS shows it (at most 15 bytes on Linux).
    var name: String { "AnyIO worker \(number)" }

    /// Starts a new thread that runs `job` first.
    static func start(pool: WorkerThreadPool, number: Int, job: any WorkerJob) {
        let thread = WorkerThread(pool: pool, number: number, job: job)
        // The retain is handed to the new thread, which balances it when its loop ends.
        let context = Unmanaged.passRetained(thread).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if canImport(Darwin)
        var handle: pthread_t?
        #else
        var handle = pthread_t()
        #endif
        let result = pthread_create(&handle, &attributes, { context in
            #if canImport(Darwin)
            let thread = Unmanaged<WorkerThread>.fromOpaque(context).takeRetainedValue()
            #else
            let thread = Unmanaged<WorkerThread>.fromOpaque(context!).takeRetainedValue()
            #endif
            thread.main()
            return nil
        }, context)
        if result != 0 {
            Unmanaged<WorkerThread>.fromOpaque(context).release()
            fatalError("AnyIO: could not start a worker thread for ToThread.runSync: pthread_create failed (\(result))")
        }
    }

    /// Hands `job` to this thread. Called by the pool, which took the thread off its idle list.
    func assign(_ job: any WorkerJob) {
        pendingJob.withLock { pending in
            checkPrecondition(pending == nil, "AnyIO: internal error: a worker thread was given two jobs")
            pending = job
            // Under the lock, so that `hasJob` always equals `pendingJob != nil` once unlocked.
            hasJob.store(true, ordering: .sequentiallyConsistent)
        }
        // A spinning thread sees `hasJob` by itself; only a parking one needs the system call.
        if isParking.load(ordering: .sequentiallyConsistent) {
            wakeUp.signal()
        }
    }

    /// Puts this thread back on its pool's idle list. Called by the running job (see `WorkerJob`).
    func returnToPool() {
        pool.workerBecameIdle(self)
    }

    /// The thread's loop: runs jobs until it has been idle for the pool's idle timeout.
    private func main() {
        setThreadName()
        while let job = nextJob() {
            job.run(on: self)
        }
    }

    /// Takes the pending job, if any.
    private func takeJob() -> (any WorkerJob)? {
        pendingJob.withLock { pending in
            let job = pending
            pending = nil
            hasJob.store(false, ordering: .relaxed)
            return job
        }
    }

    /// Waits for the next job; `nil` once the thread has left the pool after idling too long.
    private func nextJob() -> (any WorkerJob)? {
        while true {
            if spinForJob(), let job = takeJob() { return job }
            isParking.store(true, ordering: .sequentiallyConsistent)
            if hasJob.load(ordering: .sequentiallyConsistent) {
                // `assign` stored its job before seeing `isParking`: take it without sleeping.
                isParking.store(false, ordering: .relaxed)
                if let job = takeJob() { return job }
                continue
            }
            let woken = wakeUp.wait(timeout: pool.idleTimeout)
            isParking.store(false, ordering: .relaxed)
            if let job = takeJob() { return job }
            if !woken {
                // Idle for the whole timeout. Leave the pool, unless a submitter took this thread
                // off the idle list meanwhile: then a job is on its way, and we wait for it.
                if pool.retire(self) { return nil }
            }
        }
    }

    /// Spins for up to the pool's spin time, yielding the CPU between looks. Returns whether a
    /// job arrived.
    private func spinForJob() -> Bool {
        if hasJob.load(ordering: .acquiring) { return true }
        guard pool.spinTime > .zero else { return false }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: pool.spinTime)
        repeat {
            // Yielding (rather than a busy loop) lets the submitting task run if it shares this
            // CPU, as on a one-core machine.
            sched_yield()
            if hasJob.load(ordering: .acquiring) { return true }
        } while clock.now < deadline
        return false
    }

    private func setThreadName() {
        #if canImport(Darwin)
        _ = pthread_setname_np(name)
        #else
        // Linux limits names to 15 bytes; the pool reuses the lowest free numbers, so this fits
        // for the first 99 threads. Longer names are cut rather than rejected.
        guard let setName = Self.setNameFunction else { return }
        let bytes = Array(name.utf8.prefix(15)).map { CChar(bitPattern: $0) } + [0]
        _ = setName(pthread_self(), bytes)
        #endif
    }

    #if !canImport(Darwin)
    /// glibc's `pthread_setname_np`, looked up at run time: the Glibc module does not export GNU
    /// extensions, and the core target has no C shim. `nil` if the C library lacks it (the thread
    /// then keeps its inherited name).
    private static let setNameFunction: (@convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(nil, "pthread_setname_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32).self)
    }()
    #endif
}
