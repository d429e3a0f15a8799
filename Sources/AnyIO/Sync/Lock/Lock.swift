//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A fair mutual-exclusion lock for tasks, owned by the task that acquired it.
///
/// Waiting tasks get the lock in the order they asked for it (FIFO): ``release()`` hands it
/// straight to the task that has waited longest, so a newcomer cannot barge in.
///
/// ```swift
/// let lock = Lock()
/// try await lock.withLock {
///     balance += amount     // only one task at a time runs this
/// }
/// ```
///
/// Ownership follows AnyIO and Trio:
/// - The lock belongs to the task that acquired it. That is the *logical* task: the nursery child
///   (or the task outside any nursery) whose code called ``acquire()``, also from inside the body
///   of a cancel scope or timeout, such as `failAfter { }`.
/// - ``release()`` from a task that does not hold the lock traps, and so does acquiring it again
///   from the task that holds it (a `Lock` is not reentrant: that would deadlock).
/// - If a task that AnyIO started (a nursery child) ends while holding the lock, the lock is
///   broken for good: every waiting and later ``acquire()`` throws `BrokenResourceError`
///   instead of hanging (Trio 0.27 semantics). A task that AnyIO did not start (`main`, a test,
///   a plain `Task { }`, also one created inside a nursery child) cannot be watched that way:
///   if it ends holding the lock, the lock stays held and its waiters wait until they are
///   cancelled. The task tree (``currentTaskTree()``, or `SIGUSR1` in the demo) shows each
///   waiter as `waiting in Lock.acquire() [held by Swift task swift-task@0x…; waiting: …]`, so a
///   stuck program names the holder. Release the lock before such a task ends, or take it in a
///   nursery child, which breaks it for you.
///
/// All members may be used from any task.
///
/// - SeeAlso: AnyIO `Lock`, Trio `Lock`.
public final class Lock: Sendable {
    let storage: LockStorage

    /// Creates an unlocked lock.
    ///
    /// - Parameter fastAcquire: Whether an uncontended ``acquire()`` skips its schedule point
    ///   (it still checks for cancellation). Faster when the lock is rarely contended, but a task
    ///   that acquires the lock in a loop without other awaits can then starve the others. The
    ///   default `false` makes every `acquire()` a full checkpoint, as in AnyIO.
    /// - SeeAlso: AnyIO `Lock(fast_acquire=...)`.
    public init(fastAcquire: Bool = false) {
        storage = LockStorage(fastAcquire: fastAcquire)
    }

    /// Acquires the lock, waiting until it is free. A checkpoint.
    ///
    /// Cancel-safe: a cancelled `acquire()` did not acquire the lock. If the lock was handed to
    /// the caller before the cancellation arrived, the acquisition stands and the call returns
    /// normally (release it as usual).
    ///
    /// - Throws: `CancellationError` if the enclosing cancel scope is cancelled before or while
    ///   waiting; `BrokenResourceError` if the task holding the lock ended without releasing it.
    /// - Precondition: The calling task does not hold the lock already.
    /// - SeeAlso: AnyIO `Lock.acquire()`.
    public nonisolated(nonsending) func acquire() async throws {
        try await storage.acquire()
    }

    /// Acquires the lock if it is free, without waiting. Not a checkpoint.
    ///
    /// - Returns: `true` if the calling task now holds the lock; `false` if another task holds
    ///   it, or the lock is broken.
    /// - Precondition: The calling task does not hold the lock already.
    /// - SeeAlso: AnyIO `Lock.acquire_nowait()`.
    public func tryAcquire() -> Bool {
        storage.tryAcquire()
    }

    /// Releases the lock, handing it to the task that has waited longest, if any.
    ///
    /// Synchronous; not a checkpoint.
    ///
    /// - Precondition: The calling task holds the lock.
    /// - SeeAlso: AnyIO `Lock.release()`.
    public func release() {
        storage.release()
    }

    /// Runs `body` while holding the lock, and releases it when `body` returns or throws.
    ///
    /// Acquiring is a checkpoint (see ``acquire()``); `body` runs in the calling task, on the
    /// caller's actor.
    ///
    /// - Returns: What `body` returns.
    /// - Throws: What ``acquire()`` throws, or what `body` throws.
    /// - SeeAlso: AnyIO `async with lock:`.
    public func withLock<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        try await storage.acquire()
        defer { storage.release() }
        return try await body()
    }

    /// Whether some task holds the lock (a broken lock counts as held).
    ///
    /// - SeeAlso: AnyIO `Lock.locked()`.
    public var isLocked: Bool { storage.isLocked }

    /// A snapshot of the lock's state, for debugging.
    ///
    /// - SeeAlso: AnyIO `Lock.statistics()`.
    public func statistics() -> LockStatistics {
        storage.statistics()
    }
}

/// What ``Lock/statistics()`` reports.
///
/// - SeeAlso: AnyIO `LockStatistics`.
public struct LockStatistics: Sendable, Hashable {
    /// Whether some task holds the lock.
    public var locked: Bool
    /// The number of tasks waiting in ``Lock/acquire()``.
    public var tasksWaiting: Int

    /// Creates a statistics record.
    public init(locked: Bool, tasksWaiting: Int) {
        self.locked = locked
        self.tasksWaiting = tasksWaiting
    }
}

extension Lock: CustomStringConvertible {
    /// Whether the lock is held, and how many tasks wait for it.
    public var description: String {
        let statistics = statistics()
        return "Lock(\(statistics.locked ? "locked" : "unlocked"), \(statistics.tasksWaiting) waiting)"
    }
}
