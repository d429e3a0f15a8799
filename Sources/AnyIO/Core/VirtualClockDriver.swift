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

/// The thread that drives one virtual clock for one run: it makes time pass at a non-zero rate
/// and autojumps (`VirtualClock.driverStep`).
///
/// A thread of its own, not a task: the cooperative pool can be busy for long stretches (other
/// tests' stress loops), and the driver only looks at atomics and locks, then cancels scopes and
/// resumes sleepers, which any thread may do (as `DeadlineTimer`'s thread does).
// @unchecked Sendable: `clock` and `tag` are immutable; `stopRequested` and `finished` are read
// and written only while holding `condition`'s mutex.
package final class VirtualClockDriver: @unchecked Sendable {
    private let clock: VirtualClock
    private let tag: TaskTreeTag?
    private let condition = ThreadCondition()
    /// Set by `stop()`; never cleared. Guarded by `condition`.
    private var stopRequested = false
    /// Set by the thread as it leaves; never cleared. Guarded by `condition`.
    private var finished = false

    private init(clock: VirtualClock, tag: TaskTreeTag?) {
        self.clock = clock
        self.tag = tag
    }

    /// Starts a driver of `clock` that watches the tasks under `tag` (all when `nil`).
    package static func start(_ clock: VirtualClock, tag: TaskTreeTag?) -> VirtualClockDriver {
        let driver = VirtualClockDriver(clock: clock, tag: tag)
        var thread = pthread_t()
        // The thread owns one reference until it leaves `run`.
        let result = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<VirtualClockDriver>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, Unmanaged.passRetained(driver).toOpaque())
        checkPrecondition(result == 0, "AnyIO: cannot start a virtual clock's driver thread (pthread_create: \(result))")
        pthread_detach(thread)
        return driver
    }

    private func run() {
        var look = VirtualClock.DriverLook()
        while true {
            let pause = clock.driverStep(tag: tag, &look)
            let stop = condition.withLock { () -> Bool in
                if !stopRequested, pause > .zero { _ = condition.wait(timeout: pause) }
                return stopRequested
            }
            if stop { break }
        }
        condition.withLock { finished = true }
        condition.broadcast()
    }

    /// Stops the driver and returns once its thread has left: no step runs after this returns.
    /// Blocks the caller for at most one step (a look at the task tree and what it fires).
    package func stop() {
        condition.withLock {
            stopRequested = true
            condition.broadcast()
            while !finished { condition.wait() }
        }
    }
}
