//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A one-shot flag that tasks can wait for.
///
/// ``set()`` wakes every waiting task and leaves the event set for good: later ``wait()`` calls
/// return at once. There is no `clear()`; make a new `Event` for the next occurrence.
///
/// ```swift
/// let ready = Event()
/// try await withNursery { nursery in
///     nursery.startSoon {
///         try await ready.wait()
///         print("go")
///     }
///     ready.set()
/// }
/// ```
///
/// All members may be used from any task or thread.
///
/// - SeeAlso: AnyIO `Event`, Trio `Event`.
public final class Event: Sendable {
    let storage = EventStorage()

    /// Creates an event that is not set.
    public init() {}

    /// Sets the event and wakes every task waiting in ``wait()``.
    ///
    /// Synchronous and idempotent; callable from any task or thread. Not a checkpoint.
    ///
    /// - SeeAlso: AnyIO `Event.set()`.
    public func set() {
        storage.set()
    }

    /// Whether ``set()`` has been called.
    ///
    /// - SeeAlso: AnyIO `Event.is_set()`.
    public var isSet: Bool { storage.isSet }

    /// Waits until the event is set. A checkpoint.
    ///
    /// Returns at once (after yielding) if the event is already set. Cancel-safe: a cancelled
    /// `wait()` leaves nothing behind. An event set before the cancellation arrived wins: the
    /// call then returns normally.
    ///
    /// - Throws: `CancellationError` if the enclosing cancel scope is cancelled before or while
    ///   waiting, also when the event is already set.
    /// - SeeAlso: AnyIO `Event.wait()`.
    public nonisolated(nonsending) func wait() async throws {
        try await storage.wait()
    }

    /// A snapshot of the event's state, for debugging.
    ///
    /// - SeeAlso: AnyIO `Event.statistics()`.
    public func statistics() -> EventStatistics {
        EventStatistics(tasksWaiting: storage.waitingCount)
    }
}

/// What ``Event/statistics()`` reports.
///
/// - SeeAlso: AnyIO `EventStatistics`.
public struct EventStatistics: Sendable, Hashable {
    /// The number of tasks waiting in ``Event/wait()``.
    public var tasksWaiting: Int

    /// Creates a statistics record.
    public init(tasksWaiting: Int) {
        self.tasksWaiting = tasksWaiting
    }
}

extension Event: CustomStringConvertible {
    /// Whether the event is set, and how many tasks wait for it.
    public var description: String {
        "Event(\(isSet ? "set" : "not set"), \(statistics().tasksWaiting) waiting)"
    }
}
