//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A counter of permits that tasks acquire and release, waiting while none is free.
///
/// ``acquire()`` takes a permit, waiting if the ``value`` is 0; ``release()`` gives one back.
/// Waiters are woken first come, first served: a release hands its permit straight to the task
/// that has waited longest, so a later ``tryAcquire()`` cannot take it first. Permits are not
/// owned: any task may release.
///
/// ```swift
/// let downloads = Semaphore(initialValue: 3)   // at most 3 at a time
/// try await withNursery { nursery in
///     for url in urls {
///         nursery.startSoon {
///             try await downloads.withPermit { try await fetch(url) }
///         }
///     }
/// }
/// ```
///
/// All members may be used from any task or thread.
///
/// - SeeAlso: AnyIO `Semaphore`, Trio `Semaphore`.
public final class Semaphore: Sendable {
    let storage: SemaphoreStorage

    /// Creates a semaphore.
    ///
    /// - Parameters:
    ///   - initialValue: The number of permits free at first; at least 0.
    ///   - maxValue: The most permits that may ever be free, or `nil` for no limit. Releasing
    ///     past it traps (a bounded semaphore catches unbalanced releases).
    ///   - fastAcquire: If `true`, an ``acquire()`` that finds a free permit returns without
    ///     yielding to other tasks (it still checks for cancellation first). Faster, but a task
    ///     that acquires and releases in a loop can then starve the others.
    /// - Important: Traps if `initialValue` is negative or `maxValue` is less than `initialValue`.
    /// - SeeAlso: AnyIO `Semaphore(initial_value, max_value=, fast_acquire=)`.
    public init(initialValue: Int, maxValue: Int? = nil, fastAcquire: Bool = false) {
        checkPrecondition(
            initialValue >= 0,
            "AnyIO: Semaphore(initialValue:) must be >= 0, got \(initialValue)"
        )
        if let maxValue {
            checkPrecondition(
                maxValue >= initialValue,
                "AnyIO: Semaphore maxValue (\(maxValue)) must be equal to or higher than initialValue (\(initialValue))"
            )
        }
        storage = SemaphoreStorage(initialValue: initialValue, maxValue: maxValue, fastAcquire: fastAcquire)
    }

    /// Takes a permit, waiting until one is free. A checkpoint.
    ///
    /// Checks for cancellation first. With a free permit it takes it and yields once to let other
    /// tasks run (not with `fastAcquire`); otherwise it waits in line behind the tasks already
    /// waiting. Cancel-safe: a cancelled `acquire()` took no permit and leaves nothing behind. If
    /// a release handed it the permit before the cancellation arrived, the permit wins and the
    /// call returns normally (the caller must then release it).
    ///
    /// - Throws: `CancellationError` if the enclosing cancel scope is cancelled before or while
    ///   waiting; then no permit was taken.
    /// - SeeAlso: AnyIO `Semaphore.acquire()`.
    public nonisolated(nonsending) func acquire() async throws {
        try await storage.acquire()
    }

    /// Takes a permit if one is free now, without waiting. Not a checkpoint.
    ///
    /// - Returns: `true` if it took a permit; `false` if none is free (also when tasks are
    ///   waiting: they come first).
    /// - SeeAlso: AnyIO `Semaphore.acquire_nowait()`, which raises `WouldBlock` instead of
    ///   returning `false`.
    public func tryAcquire() -> Bool {
        storage.tryAcquire()
    }

    /// Gives a permit back, waking the task that has waited longest, if any.
    ///
    /// Synchronous; callable from any task or thread. Not a checkpoint.
    ///
    /// - Important: Traps if no task is waiting and ``value`` is already ``maxValue``.
    /// - SeeAlso: AnyIO `Semaphore.release()`.
    public func release() {
        storage.release()
    }

    /// Runs `body` holding a permit, and releases it when `body` returns or throws.
    ///
    /// Acquiring is a checkpoint, as in ``acquire()``; if it is cancelled, `body` does not run.
    /// The body runs in the calling task, on the caller's actor.
    ///
    /// ```swift
    /// let rows = try await connections.withPermit { try await database.query(sql) }
    /// ```
    ///
    /// - Parameters:
    ///   - isolation: The actor the body runs on; defaults to the caller's.
    ///   - body: The code to run while holding the permit.
    /// - Returns: What `body` returns.
    /// - Throws: `CancellationError` if acquiring was cancelled; otherwise what `body` throws.
    /// - SeeAlso: AnyIO `async with semaphore:`.
    public func withPermit<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        try await storage.acquire()
        defer { storage.release() }
        return try await body()
    }

    /// The number of permits free now.
    ///
    /// - SeeAlso: AnyIO `Semaphore.value`.
    public var value: Int { storage.value }

    /// The most permits that may be free at once, or `nil` for no limit.
    ///
    /// - SeeAlso: AnyIO `Semaphore.max_value`.
    public var maxValue: Int? { storage.maxValue }

    /// A snapshot of the semaphore's state, for debugging.
    ///
    /// - SeeAlso: AnyIO `Semaphore.statistics()`.
    public func statistics() -> SemaphoreStatistics {
        SemaphoreStatistics(tasksWaiting: storage.waitingCount)
    }
}

/// What ``Semaphore/statistics()`` reports.
///
/// - SeeAlso: AnyIO `SemaphoreStatistics`.
public struct SemaphoreStatistics: Sendable, Hashable {
    /// The number of tasks waiting in ``Semaphore/acquire()``.
    public var tasksWaiting: Int

    /// Creates a statistics record.
    public init(tasksWaiting: Int) {
        self.tasksWaiting = tasksWaiting
    }
}

extension Semaphore: CustomStringConvertible {
    /// The value, the maximum, and how many tasks wait.
    public var description: String {
        let maximum = maxValue.map { ", max \($0)" } ?? ""
        return "Semaphore(value \(value)\(maximum), \(statistics().tasksWaiting) waiting)"
    }
}
