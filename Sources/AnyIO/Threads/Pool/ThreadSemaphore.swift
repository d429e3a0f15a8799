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

/// A counting semaphore for parking an OS thread: `signal()` wakes one `wait()`.
///
/// On Linux a POSIX semaphore: waking a thread costs one futex call, and the woken thread takes no
/// mutex (a condition variable's waiter must re-take its mutex, which glibc marks contended, so
/// its unlock costs another system call: that showed in the `to_thread` benchmark). Elsewhere a
/// mutex, a condition variable and a counter.
///
/// Only for blocking OS threads, never from a Swift task.
// @unchecked Sendable: the semaphore (or the mutex, condition and `count`) is allocated once and
// used only through thread-safe calls; `count` is read and written only with the mutex held.
final class ThreadSemaphore: @unchecked Sendable {
    #if os(Linux)
    private let semaphore: UnsafeMutablePointer<sem_t>

    init() {
        semaphore = .allocate(capacity: 1)
        semaphore.initialize(to: sem_t())
        let result = sem_init(semaphore, 0, 0)
        checkPrecondition(result == 0, "AnyIO: sem_init failed (\(errno))")
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deinitialize(count: 1)
        semaphore.deallocate()
    }

    /// Adds one to the count, waking one waiting thread if any.
    func signal() {
        sem_post(semaphore)
    }

    /// Blocks until the count is positive, then takes one.
    func wait() {
        while sem_wait(semaphore) != 0 {}  // EINTR: wait again
    }

    /// As `wait()`, but gives up after `timeout`.
    ///
    /// - Returns: `true` if it took one, `false` if the timeout passed first.
    func wait(timeout: Duration) -> Bool {
        // `sem_timedwait` measures the wall clock; only idle timeouts use it, where a clock change
        // merely makes an idle thread exit earlier or later.
        let (seconds, attoseconds) = timeout.components
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var totalNanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var deadline = timespec()
        deadline.tv_sec = now.tv_sec + Int(seconds) + totalNanoseconds / 1_000_000_000
        totalNanoseconds %= 1_000_000_000
        deadline.tv_nsec = totalNanoseconds
        while true {
            if sem_timedwait(semaphore, &deadline) == 0 { return true }
            if errno != EINTR { return false }
        }
    }
    #else
    private let condition = ThreadCondition()
    /// Signals not yet consumed by a `wait`.
    private var count = 0

    init() {}

    /// Adds one to the count, waking one waiting thread if any.
    func signal() {
        condition.withLock { count += 1 }
        condition.signal()
    }

    /// Blocks until the count is positive, then takes one.
    func wait() {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 { condition.wait() }
        count -= 1
    }

    /// As `wait()`, but gives up after `timeout`.
    ///
    /// - Returns: `true` if it took one, `false` if the timeout passed first.
    func wait(timeout: Duration) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 {
            if !condition.wait(timeout: timeout) && count == 0 { return false }
        }
        count -= 1
        return true
    }
    #endif
}
