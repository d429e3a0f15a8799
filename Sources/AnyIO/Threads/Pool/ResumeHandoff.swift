//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if ANYIO_TSAN
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#endif

#if !ANYIO_TSAN

/// Resumes continuations whose task loops on suspensions resumed from other threads (a
/// `ToThread.runSync` caller, a portal's host).
///
/// Without `-DANYIO_TSAN` it is empty: `resume` resumes, `resumed` does nothing. See the
/// `ANYIO_TSAN` declaration for why the sanitizer build needs more.
struct ResumeHandoff: Sendable {
    init() {}

    /// Resumes `continuation` with `value`.
    @inline(__always)
    func resume<T>(_ continuation: UnsafeContinuation<T, Never>, returning value: sending T) {
        continuation.resume(returning: value)
    }

    /// Resumes a parked task's `continuation` with `value` (ending its wait mark first).
    @inline(__always)
    func resume<T>(_ continuation: ParkedContinuation<T, Never>, returning value: sending T) {
        continuation.mark.end()
        resume(continuation.continuation, returning: value)
    }

    /// Called by the resumed task as soon as it goes on.
    @inline(__always)
    func resumed() {}

    /// Runs `body`, which may resume continuations of tasks that call `resumed()` afterwards.
    @inline(__always)
    func around(_ body: () -> Void) {
        body()
    }

    /// For worker threads giving back limiter tokens, which may resume a `ToThread.runSync` caller
    /// waiting for one inside `CapacityLimiter`.
    static let limiterRelease = ResumeHandoff()
}

#else

/// The Thread Sanitizer build of `ResumeHandoff`.
///
/// The concurrency runtime orders `resume` before the resumed task goes on, but Thread Sanitizer
/// does not see that ordering here (Swift 6.3 on Linux): a task that suspends again and again on
/// continuations resumed from another thread is reported as racing with the resumer — the resumer
/// reads the continuation's context inside `resume`, the task later reuses that memory for its
/// next continuation — and so is data the resumer wrote before resuming. A four-line program
/// (a thread resuming a loop of `withUnsafeContinuation`) shows the same report.
///
/// Here the resumer holds a pthread mutex across `resume`, and the resumed task takes and drops
/// the same mutex before it goes on: an ordering Thread Sanitizer sees. The mutex is held only for
/// the duration of `resume` (which enqueues the task and never runs it inline), and nothing else
/// is locked inside it, so it cannot deadlock.
// @unchecked Sendable: the mutex is allocated once and used only through pthread calls.
struct ResumeHandoff: @unchecked Sendable {
    private final class Storage {
        let mutex: UnsafeMutablePointer<pthread_mutex_t>

        init() {
            mutex = .allocate(capacity: 1)
            mutex.initialize(to: pthread_mutex_t())
            pthread_mutex_init(mutex, nil)
        }

        deinit {
            pthread_mutex_destroy(mutex)
            mutex.deinitialize(count: 1)
            mutex.deallocate()
        }
    }

    private let storage = Storage()

    init() {}

    /// Resumes `continuation` with `value`, holding the mutex.
    func resume<T>(_ continuation: UnsafeContinuation<T, Never>, returning value: sending T) {
        pthread_mutex_lock(storage.mutex)
        continuation.resume(returning: value)
        pthread_mutex_unlock(storage.mutex)
    }

    /// Resumes a parked task's `continuation` with `value` (ending its wait mark first).
    func resume<T>(_ continuation: ParkedContinuation<T, Never>, returning value: sending T) {
        continuation.mark.end()
        resume(continuation.continuation, returning: value)
    }

    /// Called by the resumed task as soon as it goes on: waits until the resumer let go.
    func resumed() {
        pthread_mutex_lock(storage.mutex)
        pthread_mutex_unlock(storage.mutex)
    }

    /// Runs `body`, which may resume continuations of tasks that call `resumed()` afterwards,
    /// holding the mutex.
    func around(_ body: () -> Void) {
        pthread_mutex_lock(storage.mutex)
        body()
        pthread_mutex_unlock(storage.mutex)
    }

    /// For worker threads giving back limiter tokens, which may resume a `ToThread.runSync` caller
    /// waiting for one inside `CapacityLimiter`.
    static let limiterRelease = ResumeHandoff()
}

#endif
