//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A pool of tokens that bounds how many tasks (or other borrowers) do something at once.
///
/// Each borrower holds at most one token. By default the borrower is the running task — the
/// task, not the cancel scope or timeout inside it that the call happens in — so a token acquired
/// by a task must be released by that same task. ``acquire(onBehalfOf:)`` and
/// ``release(onBehalfOf:)`` borrow for any hashable value instead (a job id, a worker thread).
/// Borrowing twice with the same borrower is refused. Waiters get tokens first come, first
/// served; raising ``totalTokens`` hands the new tokens to waiters at once.
///
/// ```swift
/// let limiter = CapacityLimiter(totalTokens: 10)
/// try await withNursery { nursery in
///     for request in requests {
///         nursery.startSoon {
///             try await limiter.withToken { try await handle(request) }
///         }
///     }
/// }
/// ```
///
/// Unlike a ``Semaphore``, a limiter knows who holds its tokens (see
/// ``CapacityLimiterStatistics/borrowers``), and its size can change while in use. All members
/// may be used from any task or thread.
///
/// - SeeAlso: AnyIO `CapacityLimiter`, Trio `CapacityLimiter`.
public final class CapacityLimiter: Sendable {
    let storage: CapacityLimiterStorage

    /// Creates a limiter with `totalTokens` tokens.
    ///
    /// - Parameter totalTokens: How many borrowers may hold a token at once: 0 or more,
    ///   `Int.max` for no limit. With 0, every acquire waits until the total is raised.
    /// - Important: Traps if `totalTokens` is negative.
    /// - SeeAlso: AnyIO `CapacityLimiter(total_tokens)`, where `math.inf` is `Int.max` here.
    public init(totalTokens: Int) {
        Self.checkTotalTokens(totalTokens)
        storage = CapacityLimiterStorage(totalTokens: totalTokens)
    }

    /// How many borrowers may hold a token at once; `Int.max` means no limit.
    ///
    /// Settable at any time, from any task or thread (not a checkpoint). Raising it hands the new
    /// tokens to the longest-waiting borrowers at once. Lowering it takes no token back: holders
    /// keep theirs, and new borrowers wait until enough are released.
    ///
    /// - Important: Setting a negative value traps.
    /// - SeeAlso: AnyIO `CapacityLimiter.total_tokens`.
    public var totalTokens: Int {
        get { storage.totalTokens }
        set {
            Self.checkTotalTokens(newValue)
            storage.setTotalTokens(newValue)
        }
    }

    /// The number of tokens borrowed now.
    ///
    /// - SeeAlso: AnyIO `CapacityLimiter.borrowed_tokens`.
    public var borrowedTokens: Int { storage.counts.borrowed }

    /// The number of tokens that could be borrowed now: ``totalTokens`` minus
    /// ``borrowedTokens``, and never negative (0 while the total is lowered below the borrowed
    /// count).
    ///
    /// - SeeAlso: AnyIO `CapacityLimiter.available_tokens`.
    public var availableTokens: Int {
        let counts = storage.counts
        return max(0, counts.total - counts.borrowed)
    }

    /// Borrows a token for the running task, waiting until one is free. A checkpoint.
    ///
    /// Checks for cancellation first. With a free token (and nobody waiting before it) it takes
    /// it and yields once; otherwise it waits in line. Cancel-safe: a cancelled `acquire()`
    /// borrowed nothing and leaves nothing behind. If a token was handed to it before the
    /// cancellation arrived, the token wins and the call returns normally (the task must then
    /// release it).
    ///
    /// - Throws: `CancellationError` if the enclosing cancel scope is cancelled before or while
    ///   waiting; ``AlreadyBorrowingError`` if the task already holds one of this limiter's tokens.
    /// - SeeAlso: AnyIO `CapacityLimiter.acquire()`.
    public nonisolated(nonsending) func acquire() async throws {
        try await storage.acquire(Borrower(task: currentLogicalTask()))
    }

    /// Borrows a token for `borrower`, waiting until one is free. A checkpoint.
    ///
    /// Behaves as ``acquire()``, for an explicit borrower instead of the running task. Release the
    /// token with ``release(onBehalfOf:)`` and an equal borrower, from any task or thread.
    ///
    /// - Parameter borrower: Who holds the token: any hashable, sendable value.
    /// - Throws: `CancellationError` if the enclosing cancel scope is cancelled before or while
    ///   waiting; ``AlreadyBorrowingError`` if `borrower` already holds one of this limiter's
    ///   tokens or is already waiting for one.
    /// - SeeAlso: AnyIO `CapacityLimiter.acquire_on_behalf_of(borrower)`.
    public nonisolated(nonsending) func acquire(onBehalfOf borrower: some Hashable & Sendable) async throws {
        try await storage.acquire(Borrower(borrower))
    }

    /// Borrows a token for the running task if one is free now, without waiting. Not a
    /// checkpoint.
    ///
    /// - Returns: `true` if the task now holds a token; `false` if none is free, or other
    ///   borrowers are waiting (they come first).
    /// - Important: Traps if the task already holds one of this limiter's tokens (the async
    ///   ``acquire()`` throws ``AlreadyBorrowingError`` instead).
    /// - SeeAlso: AnyIO `CapacityLimiter.acquire_nowait()`, which raises `WouldBlock` instead of
    ///   returning `false`.
    public func tryAcquire() -> Bool {
        storage.tryAcquire(Borrower(task: currentLogicalTask()), function: "tryAcquire()")
    }

    /// Borrows a token for `borrower` if one is free now, without waiting. Not a checkpoint.
    ///
    /// - Parameter borrower: Who holds the token: any hashable, sendable value.
    /// - Returns: `true` if `borrower` now holds a token; `false` if none is free, or other
    ///   borrowers are waiting (they come first).
    /// - Important: Traps if `borrower` already holds one of this limiter's tokens or waits for
    ///   one.
    /// - SeeAlso: AnyIO `CapacityLimiter.acquire_on_behalf_of_nowait(borrower)`.
    public func tryAcquire(onBehalfOf borrower: some Hashable & Sendable) -> Bool {
        storage.tryAcquire(Borrower(borrower), function: "tryAcquire(onBehalfOf:)")
    }

    /// Gives back the running task's token, handing it to the longest-waiting borrower if the
    /// total allows.
    ///
    /// Synchronous. Not a checkpoint.
    ///
    /// - Important: Traps if the running task holds no token of this limiter (for example when
    ///   called from another task than the one that acquired it).
    /// - SeeAlso: AnyIO `CapacityLimiter.release()`.
    public func release() {
        storage.release(Borrower(task: currentLogicalTask()), function: "release()")
    }

    /// Gives back `borrower`'s token, handing it to the longest-waiting borrower if the total
    /// allows.
    ///
    /// Synchronous; callable from any task or thread. Not a checkpoint.
    ///
    /// - Parameter borrower: A borrower given to ``acquire(onBehalfOf:)`` or
    ///   ``tryAcquire(onBehalfOf:)`` (an equal value).
    /// - Important: Traps if `borrower` holds no token of this limiter.
    /// - SeeAlso: AnyIO `CapacityLimiter.release_on_behalf_of(borrower)`.
    public func release(onBehalfOf borrower: some Hashable & Sendable) {
        storage.release(Borrower(borrower), function: "release(onBehalfOf:)")
    }

    /// Runs `body` while the running task holds a token, and releases it when `body` returns or
    /// throws.
    ///
    /// Acquiring is a checkpoint, as in ``acquire()``; if it is cancelled, `body` does not run.
    /// The body runs in the calling task, on the caller's actor.
    ///
    /// ```swift
    /// let page = try await limiter.withToken { try await crawl(url) }
    /// ```
    ///
    /// - Parameters:
    ///   - isolation: The actor the body runs on; defaults to the caller's.
    ///   - body: The code to run while holding the token.
    /// - Returns: What `body` returns.
    /// - Throws: `CancellationError` if acquiring was cancelled; ``AlreadyBorrowingError`` if the
    ///   task already holds a token of this limiter; otherwise what `body` throws.
    /// - SeeAlso: AnyIO `async with limiter:`.
    public func withToken<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        let borrower = Borrower(task: currentLogicalTask())
        try await storage.acquire(borrower)
        defer { storage.release(borrower, function: "withToken(_:)") }
        return try await body()
    }

    /// A snapshot of the limiter's state, for debugging.
    ///
    /// - SeeAlso: AnyIO `CapacityLimiter.statistics()`.
    public func statistics() -> CapacityLimiterStatistics {
        storage.statistics()
    }

    private static func checkTotalTokens(_ value: Int) {
        checkPrecondition(
            value >= 0,
            "AnyIO: CapacityLimiter totalTokens must be >= 0 (Int.max for no limit), got \(value)"
        )
    }
}

/// What ``CapacityLimiter/statistics()`` reports.
///
/// - SeeAlso: AnyIO `CapacityLimiterStatistics`.
public struct CapacityLimiterStatistics: Sendable, Hashable {
    /// The number of tokens borrowed now.
    public var borrowedTokens: Int
    /// The limiter's ``CapacityLimiter/totalTokens``.
    public var totalTokens: Int
    /// The number of borrowers waiting in ``CapacityLimiter/acquire()`` or
    /// ``CapacityLimiter/acquire(onBehalfOf:)``.
    public var tasksWaiting: Int
    /// Who holds the borrowed tokens, in no particular order.
    public var borrowers: [CapacityLimiter.Borrower]

    /// Creates a statistics record.
    public init(
        borrowedTokens: Int,
        totalTokens: Int,
        tasksWaiting: Int,
        borrowers: [CapacityLimiter.Borrower] = []
    ) {
        self.borrowedTokens = borrowedTokens
        self.totalTokens = totalTokens
        self.tasksWaiting = tasksWaiting
        self.borrowers = borrowers
    }
}

extension CapacityLimiter: CustomStringConvertible {
    /// The borrowed and total tokens, and how many borrowers wait.
    public var description: String {
        let counts = storage.counts
        let total = counts.total == .max ? "unlimited" : String(counts.total)
        return "CapacityLimiter(\(counts.borrowed)/\(total) borrowed, \(counts.waiting) waiting)"
    }
}
