//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A lock plus a way to wait, holding it, until another task signals that something changed.
///
/// A task holding the lock calls ``wait()``, which releases the lock, sleeps until another task
/// calls ``notify(_:)`` or ``notifyAll()`` (also while holding the lock), and takes the lock back
/// before returning. Check the state you wait for in a loop, or use ``waitFor(isolation:_:)``:
///
/// ```swift
/// let condition = Condition()
/// // consumer
/// try await condition.withLock {
///     try await condition.waitFor { !queue.isEmpty }
///     handle(queue.removeFirst())
/// }
/// // producer
/// try await condition.withLock {
///     queue.append(item)
///     condition.notify()
/// }
/// ```
///
/// Waiters are notified in the order they started waiting. The lock follows ``Lock``'s ownership
/// rules.
///
/// - SeeAlso: AnyIO `Condition`, Trio `Condition`.
public final class Condition: Sendable {
    let storage: ConditionStorage
    /// The lock the condition uses.
    public let lock: Lock

    /// Creates a condition.
    ///
    /// - Parameter lock: The lock to use; by default a new one. Sharing a lock among conditions
    ///   lets several conditions guard the same state.
    /// - SeeAlso: AnyIO `Condition(lock=...)`.
    public init(lock: Lock = Lock()) {
        self.lock = lock
        storage = ConditionStorage(lock: lock.storage)
    }

    /// Acquires the underlying lock. A checkpoint; see ``Lock/acquire()``.
    ///
    /// - Throws: `CancellationError` if cancelled first; `BrokenResourceError` if the lock is
    ///   broken.
    /// - SeeAlso: AnyIO `Condition.acquire()`.
    public func acquire() async throws {
        try await lock.acquire()
    }

    /// Acquires the underlying lock if it is free, without waiting. See ``Lock/tryAcquire()``.
    ///
    /// - Returns: Whether the calling task now holds the lock.
    /// - SeeAlso: AnyIO `Condition.acquire_nowait()`.
    public func tryAcquire() -> Bool {
        lock.tryAcquire()
    }

    /// Releases the underlying lock. See ``Lock/release()``.
    ///
    /// - Precondition: The calling task holds the lock.
    /// - SeeAlso: AnyIO `Condition.release()`.
    public func release() {
        lock.release()
    }

    /// Runs `body` while holding the underlying lock. See ``Lock/withLock(isolation:_:)``.
    ///
    /// - Returns: What `body` returns.
    /// - Throws: What acquiring the lock throws, or what `body` throws.
    /// - SeeAlso: AnyIO `async with condition:`.
    public func withLock<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        try await lock.storage.acquire()
        // A `wait()` in the body throws `BrokenResourceError` if the lock broke while it waited
        // to get the lock back; the lock is not held then, and that error is what propagates.
        defer { lock.storage.release(brokenIsFine: true) }
        return try await body()
    }

    /// Whether some task holds the underlying lock.
    ///
    /// - SeeAlso: AnyIO `Condition.locked()`.
    public var isLocked: Bool { lock.isLocked }

    /// Wakes up to `count` tasks waiting in ``wait()``, longest-waiting first.
    ///
    /// Synchronous; not a checkpoint. The woken tasks run once they get the lock back, so after
    /// the caller releases it.
    ///
    /// - Parameter count: How many waiters to wake, at most.
    /// - Precondition: The calling task holds the lock, and `count >= 0`.
    /// - SeeAlso: AnyIO `Condition.notify(n)`.
    public func notify(_ count: Int = 1) {
        storage.notify(count)
    }

    /// Wakes every task waiting in ``wait()``.
    ///
    /// - Precondition: The calling task holds the lock.
    /// - SeeAlso: AnyIO `Condition.notify_all()`.
    public func notifyAll() {
        storage.notifyAll()
    }

    /// Releases the lock, waits for a notification, and takes the lock back. A checkpoint.
    ///
    /// The lock is taken back before `wait()` returns or throws, also when the wait is cancelled,
    /// so code after it (and a surrounding ``withLock(isolation:_:)``) always holds the lock. A
    /// notification that reached the waiter before its cancellation wins: the call then returns
    /// normally and the next checkpoint throws. Notified waiters get the lock back in the order
    /// they were notified (`notify` queues them for the lock, as Trio does).
    ///
    /// - Throws: `CancellationError` if the enclosing cancel scope is cancelled before or while
    ///   waiting (with the lock held again); `BrokenResourceError` if the lock broke meanwhile
    ///   (the lock is then not held, and a surrounding `withLock` leaves it alone).
    /// - Precondition: The calling task holds the lock.
    /// - SeeAlso: AnyIO `Condition.wait()`.
    public func wait() async throws {
        try await storage.wait()
    }

    /// Waits until `predicate` is true, checking it before each ``wait()``.
    ///
    /// When it returns, `predicate` was true and the caller holds the lock.
    ///
    /// - Parameters:
    ///   - isolation: The caller's actor, where `predicate` runs; inferred.
    ///   - predicate: Evaluated while holding the lock: first at once, then after each
    ///     notification.
    /// - Throws: What ``wait()`` throws.
    /// - Precondition: The calling task holds the lock.
    /// - SeeAlso: AnyIO `Condition.wait_for(predicate)`.
    public func waitFor(
        isolation: isolated (any Actor)? = #isolation,
        _ predicate: () throws -> Bool
    ) async throws {
        while try !predicate() {
            try await storage.wait()
        }
    }

    /// A snapshot of the condition's state, for debugging.
    ///
    /// - SeeAlso: AnyIO `Condition.statistics()`.
    public func statistics() -> ConditionStatistics {
        ConditionStatistics(tasksWaiting: storage.waitingCount, lockStatistics: lock.statistics())
    }
}

/// What ``Condition/statistics()`` reports.
///
/// - SeeAlso: AnyIO `ConditionStatistics`.
public struct ConditionStatistics: Sendable, Hashable {
    /// The number of tasks waiting in ``Condition/wait()``.
    public var tasksWaiting: Int
    /// The statistics of the underlying lock.
    public var lockStatistics: LockStatistics

    /// Creates a statistics record.
    public init(tasksWaiting: Int, lockStatistics: LockStatistics) {
        self.tasksWaiting = tasksWaiting
        self.lockStatistics = lockStatistics
    }
}

extension Condition: CustomStringConvertible {
    /// How many tasks wait, and the state of the lock.
    public var description: String {
        "Condition(\(storage.waitingCount) waiting, \(lock))"
    }
}
