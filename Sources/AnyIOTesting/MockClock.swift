//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

package import AnyIO

/// A virtual clock for tests: time moves only when you say so, or when every task is blocked.
///
/// Under a mock clock, every timing of the library reads virtual time: `currentTime()`,
/// `sleep(for:)` and `sleep(until:)`, the deadlines of cancel scopes (`moveOnAfter`, `failAfter`,
/// `withCancelScope(deadline:)`, `CancelScope.deadline`) and `currentEffectiveDeadline()`.
/// Instants are still `ContinuousClock.Instant`s, but virtual ones: every mock clock starts at
/// ``initialInstant``, and they are not comparable with `ContinuousClock.now`.
///
/// Time moves:
/// - by hand, with ``advance(by:)`` and ``jump(to:)``, which fire every deadline they pass before
///   they return;
/// - at ``rate`` virtual seconds per real second (0, the default, is frozen; 1 is real time);
/// - by **autojump**: with an ``autojumpThreshold``, once every task of the test has been blocked
///   for that much *real* time, the clock jumps to the earliest pending deadline. An hour of
///   timeouts then runs in milliseconds. It never jumps while a worker-thread call
///   (`ToThread.runSync`, and so file I/O) is running: a thread doing real work holds the clock,
///   so `failAfter(.seconds(1)) { try await ToThread.runSync { usleep(200_000) } }` returns
///   normally. (Trio's autojump does jump then.)
///
/// Use it with the `.anyIO(clock:)` trait, which gives each test a new clock and reaches it
/// through ``current``, or with ``withMockClock(_:isolation:_:)``:
///
/// ```swift
/// @Test(.anyIO(clock: .mock(autojump: .zero)))
/// func givesUp() async throws {
///     await #expect(throws: TimeoutError.self) {
///         try await failAfter(.seconds(3600)) { _ -> Void in try await sleepForever() }
///     }   // in well under a second of real time
/// }
///
/// @Test(.anyIO(clock: .mock()))
/// func manual() async throws {
///     let clock = try #require(MockClock.current)
///     try await withNursery { nursery in
///         nursery.startSoon { try await sleep(for: .seconds(10)) }
///         try await waitAllTasksBlocked()
///         clock.advance(by: .seconds(10))    // wakes the sleeper
///     }
/// }
/// ```
///
/// "Blocked" is `waitAllTasksBlocked()`'s: tasks the library started, waiting in a library
/// primitive or a library sleep. A task waiting in code outside the library (`Task.sleep`,
/// an `AsyncStream`, SwiftNIO) counts as running, and a task inside `waitAllTasksBlocked()` too.
/// Threads the library did not start (a `Thread` that calls into a `BlockingPortal` between
/// stretches of work) are not seen: move such work into `ToThread.runSync`.
///
/// `MockClock` is a handle: copies share one clock. It also conforms to Swift's `Clock`, so it
/// can be handed to code that takes a clock.
///
/// - SeeAlso: Trio `trio.testing.MockClock`.
public struct MockClock: Clock, Sendable, Hashable {
    /// The engine in the core that every timing of the library reads under this clock.
    package let engine: VirtualClock

    /// Creates a clock at ``initialInstant``.
    ///
    /// - Parameters:
    ///   - rate: Virtual seconds per real second; 0 (the default) is frozen.
    ///   - autojumpThreshold: How long every task must have been blocked, in real time, before
    ///     the clock jumps to the next deadline; `nil` (the default) never jumps. `.zero` jumps as
    ///     soon as everything is blocked.
    /// - Important: A negative `rate` or threshold traps.
    public init(rate: Double = 0, autojumpThreshold: Duration? = nil) {
        engine = VirtualClock(rate: rate, autojumpThreshold: autojumpThreshold)
    }

    /// A clock whose real time comes from `realNow` (for tests of the clock itself).
    package init(
        rate: Double = 0,
        autojumpThreshold: Duration? = nil,
        realNow: @escaping @Sendable () -> ContinuousClock.Instant
    ) {
        engine = VirtualClock(rate: rate, autojumpThreshold: autojumpThreshold, realNow: realNow)
    }

    package init(engine: VirtualClock) {
        self.engine = engine
    }

    /// The instant every mock clock starts at (fixed for the process).
    public static var initialInstant: ContinuousClock.Instant { VirtualClock.origin }

    /// The mock clock of the running test or task tree, or `nil` when time is real.
    ///
    /// Inside a test with `.anyIO(clock: .mock(…))`, this is that test's clock.
    public static var current: MockClock? {
        RunClock.current.map(MockClock.init(engine:))
    }

    /// The current virtual time.
    public var now: ContinuousClock.Instant { engine.now }

    /// The smallest step of the clock: a nanosecond.
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Virtual seconds per real second: 0 is frozen, 1 is real time.
    ///
    /// Changing it keeps the current virtual time and applies from now on.
    ///
    /// - Important: A negative rate traps.
    public var rate: Double {
        get { engine.rate }
        nonmutating set { engine.rate = newValue }
    }

    /// How long (real time) every task must have been blocked before the clock jumps to the next
    /// deadline; `nil` for no autojump. Takes effect at once.
    ///
    /// - Important: A negative threshold traps.
    public var autojumpThreshold: Duration? {
        get { engine.autojumpThreshold }
        nonmutating set { engine.autojumpThreshold = newValue }
    }

    /// Moves the clock forward by `duration`.
    ///
    /// Every deadline and sleep that the new time reaches fires before this returns, earliest
    /// first: their scopes are cancelled and their sleepers woken (they run when scheduled). Not
    /// a checkpoint; callable from any task or thread.
    ///
    /// - Parameter duration: How far; zero fires only what is already due.
    /// - Important: A negative duration traps (time cannot go backwards).
    /// - SeeAlso: Trio `MockClock.jump(seconds)`.
    public func advance(by duration: Duration) {
        engine.advance(by: duration)
    }

    /// Moves the clock forward to `instant`, firing what it reaches, as ``advance(by:)`` does.
    ///
    /// - Parameter instant: The new virtual time.
    /// - Important: An instant before ``now`` traps (time cannot go backwards).
    public func jump(to instant: ContinuousClock.Instant) {
        engine.jump(to: instant)
    }

    /// Waits until this clock reaches `deadline`, a checkpoint (Swift's `Clock` requirement).
    ///
    /// The same as the library's `sleep(until:)` under this clock, whichever clock the caller
    /// runs on.
    ///
    /// - Parameters:
    ///   - deadline: The virtual instant to wait for.
    ///   - tolerance: Ignored.
    /// - Throws: `CancellationError` if cancelled before or while waiting.
    public func sleep(until deadline: ContinuousClock.Instant, tolerance: Duration? = nil) async throws {
        try await RunClock.withClock(engine) {
            try await AnyIO.sleep(until: deadline)
        }
    }

    /// Two handles are equal when they are the same clock.
    public static func == (lhs: MockClock, rhs: MockClock) -> Bool {
        lhs.engine === rhs.engine
    }

    /// Hashes the clock's identity.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(engine))
    }
}

extension MockClock: CustomStringConvertible {
    /// The virtual time since ``initialInstant`` and the rate.
    public var description: String {
        "MockClock(time: \(now - Self.initialInstant), rate: \(rate))"
    }
}

/// Runs `body` with `clock` as the clock of its task tree.
///
/// Every timing of the library inside `body`, and in every task it starts (nursery children,
/// `Task { }`; not `Task.detached`), reads `clock` (see ``MockClock``). While `body` runs, the
/// clock's rate and autojump are driven by the library's helper thread, which stops driving it
/// before this returns. Not
/// a checkpoint.
///
/// The `.anyIO(clock:)` test trait does this for each test. Use this function elsewhere, for
/// example around the body of `Runner.run` or inside `withAnyIOTest`:
///
/// ```swift
/// let clock = MockClock(autojumpThreshold: .zero)
/// try await withMockClock(clock) {
///     try await withNursery { nursery in
///         nursery.startSoon { try await sleep(for: .seconds(60)) }
///     }   // returns at once, and clock.now is a minute later
/// }
/// ```
///
/// Autojump watches the tasks the library started inside `body` (see `waitAllTasksBlocked()`,
/// which inside `body` also looks at these tasks only, unless a test's tags them already); the task that
/// calls this function is not one of them unless it is a nursery child, so keep a body that
/// does work of its own between timeouts inside a nursery (the trait runs the test so).
///
/// - Parameters:
///   - clock: The clock; a new frozen one without autojump by default.
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code to run on virtual time.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws.
@discardableResult
public func withMockClock<T>(
    _ clock: MockClock = MockClock(),
    isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws -> T
) async throws -> T {
    let engine = clock.engine
    // The run is the task tree under the current tag (a test's), or under a new one: autojump
    // looks at these tasks only, not at everything else in the process.
    let tag = TaskTreeTag.current ?? TaskTreeTag()
    let driver = VirtualClockDriver.shared.add(engine, tag: tag)
    let result: Result<T, any Error>
    do {
        result = .success(try await TaskTreeTag.$current.withValue(tag, operation: {
            try await RunClock.withClock(engine, isolation: isolation, body)
        }, isolation: isolation))
    } catch {
        result = .failure(error)
    }
    // The driver stops before this returns: no autojump outlives the call.
    VirtualClockDriver.shared.remove(driver)
    return try result.get()
}
