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

/// A pthread mutex with one condition variable: how a thread that is not running a Swift task
/// (a worker thread, or any thread calling into a `BlockingPortal`) blocks until another thread
/// wakes it.
///
/// Only for blocking OS threads. Never wait on one from a Swift task: that would block a thread of
/// the cooperative pool.
// @unchecked Sendable: the mutex and condition are allocated once, never move, and are used only
// through pthread calls, which are thread-safe; the class itself has no other state.
final class ThreadCondition: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let mutexResult = pthread_mutex_init(mutex, nil)
        checkPrecondition(mutexResult == 0, "AnyIO: pthread_mutex_init failed (\(mutexResult))")
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        #if canImport(Darwin)
        let conditionResult = pthread_cond_init(condition, nil)
        #else
        // Timed waits measure a monotonic clock, so changing the wall clock does not stretch or
        // shorten a worker's idle timeout.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        let conditionResult = pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
        #endif
        checkPrecondition(conditionResult == 0, "AnyIO: pthread_cond_init failed (\(conditionResult))")
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deinitialize(count: 1)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func lock() {
        pthread_mutex_lock(mutex)
    }

    func unlock() {
        pthread_mutex_unlock(mutex)
    }

    /// Runs `body` with the mutex held.
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Releases the mutex, sleeps until signalled (or spuriously woken), and takes it back.
    /// The caller holds the mutex and re-checks its condition in a loop.
    func wait() {
        pthread_cond_wait(condition, mutex)
    }

    /// As `wait()`, but gives up after `timeout`.
    ///
    /// - Returns: `false` if the timeout passed, `true` if woken (possibly spuriously) before.
    func wait(timeout: Duration) -> Bool {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = attoseconds / 1_000_000_000
        #if canImport(Darwin)
        var relative = timespec(tv_sec: Int(seconds), tv_nsec: Int(nanoseconds))
        return pthread_cond_timedwait_relative_np(condition, mutex, &relative) != ETIMEDOUT
        #else
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        var deadline = timespec()
        var totalNanoseconds = Int64(now.tv_nsec) + nanoseconds
        deadline.tv_sec = now.tv_sec + Int(seconds) + Int(totalNanoseconds / 1_000_000_000)
        totalNanoseconds %= 1_000_000_000
        deadline.tv_nsec = Int(totalNanoseconds)
        return pthread_cond_timedwait(condition, mutex, &deadline) != ETIMEDOUT
        #endif
    }

    /// Wakes one waiting thread.
    func signal() {
        pthread_cond_signal(condition)
    }

    /// Wakes every waiting thread.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }
}

/// A value that is set once and that any number of OS threads can block waiting for.
///
/// The blocking counterpart of a continuation, for threads that are not running a Swift task.
// @unchecked Sendable: `value` is read and written only with `condition`'s mutex held.
final class ThreadLatch<Value: Sendable>: @unchecked Sendable {
    private let condition = ThreadCondition()
    /// The value, once set; never changes after that.
    private var value: Value?

    init() {}

    /// Sets the value and wakes every waiting thread, unless it was set before.
    ///
    /// - Returns: `true` if this call set it.
    @discardableResult
    func set(_ newValue: Value) -> Bool {
        let didSet = condition.withLock { () -> Bool in
            guard value == nil else { return false }
            value = newValue
            return true
        }
        // After unlocking: a woken waiter must not block at once on the mutex we hold.
        if didSet { condition.broadcast() }
        return didSet
    }

    /// The value, if set.
    var currentValue: Value? {
        condition.withLock { value }
    }

    /// Blocks the calling OS thread until the value is set, and returns it.
    func wait() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let value { return value }
            condition.wait()
        }
    }
}
