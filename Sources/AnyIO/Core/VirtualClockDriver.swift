//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one thread that drives every virtual clock in use: it makes time pass at a non-zero rate
/// and autojumps (`VirtualClock.driverStep`), for each run registered with `add`.
///
/// A thread, not a task: the cooperative pool can be busy for long stretches (other tests'
/// stress loops), and a step only reads atomics and takes leaf locks before it cancels scopes
/// and resumes sleepers, which any thread may do (as `DeadlineTimer`'s thread does). One thread
/// for all runs, so that many tests on virtual time at once cost one thread's wake-ups, not one
/// each (a thread per run polled often enough to slow the whole test suite down).
///
/// Invariant: after `remove(run)` returns, no step of `run` is running or will run.
// @unchecked Sendable: every mutable property is read and written only while holding
// `condition`'s mutex, except `Run.look`, which only the driver thread touches.
package final class VirtualClockDriver: @unchecked Sendable {
    /// One run driven by the thread.
    // @unchecked Sendable: `clock` and `tag` are immutable; `look` is used by the driver thread
    // only; `nextLook` is guarded by the driver's mutex.
    package final class Run: @unchecked Sendable {
        let clock: VirtualClock
        let tag: TaskTreeTag?
        /// The autojump's memory between steps. Driver thread only.
        var look = VirtualClock.DriverLook()
        /// When the next step is due. Guarded by the driver's mutex.
        var nextLook = ContinuousClock.now

        init(clock: VirtualClock, tag: TaskTreeTag?) {
            self.clock = clock
            self.tag = tag
        }
    }

    package static let shared = VirtualClockDriver()

    private let condition = ThreadCondition()
    /// The runs being driven, by identity. Guarded by `condition`.
    private var runs: [ObjectIdentifier: Run] = [:]
    /// The run whose step is running now (outside the mutex). Guarded by `condition`.
    private var stepping: Run?
    /// Whether the thread runs. Guarded by `condition`.
    private var threadStarted = false

    private init() {}

    /// Starts driving `clock` for the tasks under `tag` (all library tasks when `nil`).
    package func add(_ clock: VirtualClock, tag: TaskTreeTag?) -> Run {
        let run = Run(clock: clock, tag: tag)
        condition.withLock {
            runs[ObjectIdentifier(run)] = run
            if !threadStarted {
                threadStarted = true
                startThread()
            }
        }
        condition.broadcast()
        return run
    }

    /// Stops driving `run`; returns once no step of it runs. Blocks the caller for at most the
    /// rest of one step (a look at the task tree and what it fires).
    package func remove(_ run: Run) {
        condition.withLock {
            runs[ObjectIdentifier(run)] = nil
            while stepping === run { condition.wait() }
        }
    }

    private func startThread() {
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { _ in
            VirtualClockDriver.shared.loop()
            return nil
        }, nil)
        checkPrecondition(result == 0, "AnyIO: cannot start the virtual clocks' driver thread (pthread_create: \(result))")
        pthread_detach(thread)
    }

    private func loop() {
        condition.lock()
        while true {
            guard let next = runs.values.min(by: { $0.nextLook < $1.nextLook }) else {
                condition.wait()
                continue
            }
            let now = ContinuousClock.now
            if next.nextLook > now {
                _ = condition.wait(timeout: next.nextLook - now)
                continue
            }
            stepping = next
            condition.unlock()
            var look = next.look
            let pause = next.clock.driverStep(tag: next.tag, &look)
            next.look = look
            condition.lock()
            stepping = nil
            next.nextLook = ContinuousClock.now + pause
            // Wakes a `remove` waiting for this step.
            condition.broadcast()
        }
    }
}
