//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Runs blocking code on worker threads, off Swift's cooperative thread pool.
///
/// Swift's cooperative pool has about one thread per CPU core; a blocking call (file I/O, a C
/// library, `sleep`, a lock held by a thread) on it stalls every task scheduled there. Move such
/// calls to a worker thread with ``runSync(limiter:abandonOnCancel:_:)``:
///
/// ```swift
/// let text = try await ToThread.runSync {
///     try legacyBlockingRead(path)          // runs on an "AnyIO worker N" thread
/// }
/// ```
///
/// The worker threads belong to the library: they are started on demand, reused, and exit after
/// 10 s idle. How many run at once is bounded by a ``CapacityLimiter``, by default
/// ``currentDefaultThreadLimiter()`` (40 tokens). From inside the closure, ``FromThread/run(_:)``
/// runs async code back in the calling task, and ``FromThread/checkCancelled()`` tells whether the
/// caller was cancelled.
///
/// - SeeAlso: AnyIO `anyio.to_thread`, Trio `trio.to_thread`.
public enum ToThread {
    /// The limiter shared by every call that does not name one: 40 tokens, as in AnyIO.
    static let defaultLimiter = CapacityLimiter(totalTokens: 40)

    /// Runs `body` on a worker thread and returns its result. A checkpoint.
    ///
    /// The closure runs on one of the library's worker OS threads, never on Swift's cooperative
    /// pool, while the calling task is suspended (other tasks keep running). Each call holds a
    /// token of `limiter` from before the closure starts until it has ended, so at most
    /// `limiter.totalTokens` closures run at once; a call waits for a token first if none is free.
    /// Idle threads are reused, and exit after 10 s without work.
    ///
    /// Cancellation (the caller's cancel scope, or native cancellation of its task):
    /// - Checked first: a call made in a cancelled scope throws at once and runs nothing; so does
    ///   a call cancelled while it waits for a token, or before a thread has started the closure.
    /// - Once the closure runs, it cannot be interrupted. Without `abandonOnCancel` the caller
    ///   waits until the closure has ended, then throws `CancellationError` (the closure's value
    ///   is dropped; an error the closure threw is rethrown instead). With `abandonOnCancel` the
    ///   caller throws `CancellationError` at once and the thread finishes on its own, keeping its
    ///   limiter token until it does; its result is dropped.
    /// - The closure can poll ``FromThread/checkCancelled()`` to stop early.
    ///
    /// Virtual time (`AnyIOTesting`'s `MockClock`): while the call waits for a token and while
    /// the closure runs, even after an abandoning caller left, the run's clock does not autojump, so a deadline around a thread
    /// doing real work is not reached early. (While the closure waits in ``FromThread/run(_:)``
    /// it does not hold the clock: the task running the request is watched instead.)
    /// - If the closure ended before the cancellation arrived, the call returns its value.
    ///
    /// The closure may call ``FromThread/run(_:)`` to run async code in this call's task (its
    /// cancel scopes and task-locals apply); the caller runs such code while it waits.
    ///
    /// ```swift
    /// let limiter = CapacityLimiter(totalTokens: 4)          // at most 4 threads for this job
    /// try await withNursery { nursery in
    ///     for path in paths {
    ///         nursery.startSoon {
    ///             let digest = try await ToThread.runSync(limiter: limiter) { try sha256(ofFileAt: path) }
    ///             await results.record(path, digest)
    ///         }
    ///     }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - limiter: Bounds how many closures run at once; `nil` for
    ///     ``currentDefaultThreadLimiter()``.
    ///   - abandonOnCancel: Whether a cancelled caller leaves at once instead of waiting for the
    ///     closure to end.
    ///   - body: The blocking code. It runs on another thread, so it must be `@Sendable`.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, unchanged; `CancellationError` if the caller is cancelled
    ///   (as described above).
    /// - SeeAlso: AnyIO `to_thread.run_sync(func, abandon_on_cancel=..., limiter=...)`, Trio
    ///   `to_thread.run_sync`.
    public nonisolated(nonsending) static func runSync<T: Sendable>(
        limiter: CapacityLimiter? = nil,
        abandonOnCancel: Bool = false,
        _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await runSync(limiter: limiter, abandonOnCancel: abandonOnCancel, pool: .shared, body)
    }

    /// `runSync` on a given pool (the tests use one with a short idle timeout).
    nonisolated(nonsending) static func runSync<T: Sendable>(
        limiter: CapacityLimiter?,
        abandonOnCancel: Bool,
        pool: WorkerThreadPool,
        _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try throwIfCancelled()
        let limiter = limiter ?? defaultLimiter
        // On virtual time the call holds the run's clock (no autojump) from here until its worker
        // has ended it (`WorkerCall.run(on:)`): a wait for a token is a wait for threads doing
        // real work too (other tests share the default limiter).
        let clock = RunClock.current
        clock?.threadCallBegan()
        // The token is borrowed for the call, not the task: with abandonOnCancel the task may
        // leave while the thread still holds it.
        let borrower = WorkerCallBorrowers.take()
        if !limiter.tryAcquire(onBehalfOf: borrower) {
            // No free token: wait in line (a checkpoint; cancelled, it took nothing).
            do {
                try await limiter.acquire(onBehalfOf: borrower)
            } catch {
                WorkerCallBorrowers.giveBack(borrower)
                clock?.threadCallEnded()
                throw error
            }
            // The token may have come from a worker thread (see `WorkerCall.run(on:)`).
            ResumeHandoff.limiterRelease.resumed()
        }
        // On virtual time the call holds the run's clock while the thread works (no autojump).
        let call = WorkerCall(
            limiter: limiter, borrower: borrower, abandonOnCancel: abandonOnCancel, clock: clock
        ) { try body() }
        // The suspension below is the call's schedule point, so the fast path needs no yield.
        // The worker thread gives the token back, whatever happens from here on.
        let value = try await call.submitAndWait(to: pool)
        // The closure returned a `T`; only its type was erased on the way.
        return value as! T
    }

    /// The limiter that ``runSync(limiter:abandonOnCancel:_:)`` uses when given none.
    ///
    /// One limiter for the whole process, with 40 tokens: at most 40 closures run at once through
    /// it. Change its ``CapacityLimiter/totalTokens`` to allow more or fewer; the change applies at
    /// once.
    ///
    /// ```swift
    /// ToThread.currentDefaultThreadLimiter().totalTokens = 100
    /// ```
    ///
    /// - Returns: The shared default limiter.
    /// - SeeAlso: AnyIO `to_thread.current_default_thread_limiter()` (one per event loop there).
    public static func currentDefaultThreadLimiter() -> CapacityLimiter {
        defaultLimiter
    }
}
