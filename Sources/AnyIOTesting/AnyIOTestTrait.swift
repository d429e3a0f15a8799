//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import Testing
import AnyIO

/// A Swift Testing trait that runs each test inside ``withAnyIOTest(_:timeLimit:clock:isolation:sourceLocation:_:)``:
/// a root scope with a deadline, `waitAllTasksBlocked()` limited to the test's own tasks, and a
/// report of leaked tasks.
///
/// With `clock: .mock(…)` each test case runs on a new ``MockClock`` (virtual time; reach it
/// with ``MockClock/current``), and the test body runs as a task of the library, so that the
/// clock's autojump sees when the body itself is blocked.
///
/// Apply it to a test or to a whole suite (it then applies to every test in it):
///
/// ```swift
/// @Suite(.anyIO(timeLimit: .seconds(5)))
/// struct ServerTests {
///     @Test func stops() async throws { try await LowLevel.checkpoint() }
/// }
/// ```
///
/// - SeeAlso: ``withAnyIOTest(_:timeLimit:clock:isolation:sourceLocation:_:)``, which this runs.
public struct AnyIOTestTrait: TestTrait, SuiteTrait, TestScoping {
    /// How long each test may run, in real time.
    public var timeLimit: Duration

    /// The clock each test runs on.
    public var clock: AnyIOTestClock

    /// Applies to every test of a suite it is attached to.
    public var isRecursive: Bool { true }

    /// Creates the trait.
    ///
    /// - Parameters:
    ///   - timeLimit: How long each test may run, in real time.
    ///   - clock: The clock each test runs on; real time by default.
    public init(timeLimit: Duration, clock: AnyIOTestClock = .continuous) {
        self.timeLimit = timeLimit
        self.clock = clock
    }

    /// Runs one test case inside ``withAnyIOTest(_:timeLimit:clock:isolation:sourceLocation:_:)``;
    /// a suite itself runs unchanged.
    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil else {
            try await function()
            return
        }
        guard let clock = clock.makeMockClock() else {
            try await withAnyIOTest(test.name, timeLimit: timeLimit, sourceLocation: test.sourceLocation) {
                try await function()
            }
            return
        }
        try await withAnyIOTest(test.name, timeLimit: timeLimit, clock: clock, sourceLocation: test.sourceLocation) {
            try await runAsLibraryTask(name: test.name, function)
        }
    }
}

/// Runs `function` as a nursery child (a task the library watches: an autojump sees it blocked or
/// running), and returns or throws as it did, unwrapped from the nursery's `ErrorGroup`.
///
/// Invariant: the child's Swift task is awaited to its end before `withoutActuallyEscaping`
/// ends, so the non-escaping closure is released by then.
func runAsLibraryTask(name: String, _ function: @Sendable () async throws -> Void) async throws {
    try await withoutActuallyEscaping(function) { function in
        var bodyTask: Task<Void, Never>?
        let result: Result<Void, any Error>
        do {
            try await withNursery { nursery in
                bodyTask = nursery.startSoonInTask(name: name) { try await function() }.task
            }
            result = .success(())
        } catch let group as ErrorGroup where group.errors.count == 1 {
            result = .failure(group.errors[0])
        } catch {
            result = .failure(error)
        }
        await bodyTask?.value
        try result.get()
    }
}

/// The clock the tests of an ``AnyIOTestTrait`` run on.
///
/// ```swift
/// @Test(.anyIO(clock: .mock(autojump: .zero)))
/// func hourLongTimeout() async throws { … }
/// ```
public struct AnyIOTestClock: Sendable {
    private enum Kind: Sendable {
        case continuous
        case mock(autojump: Duration?, rate: Double)
    }

    private let kind: Kind

    /// Real time (`ContinuousClock`): the default.
    public static var continuous: AnyIOTestClock { AnyIOTestClock(kind: .continuous) }

    /// A new ``MockClock`` for each test case.
    ///
    /// - Parameters:
    ///   - autojump: The clock's ``MockClock/autojumpThreshold``: how long every task must have
    ///     been blocked (real time) before it jumps to the next deadline; `nil` (the default) for
    ///     no autojump, `.zero` to jump as soon as everything is blocked.
    ///   - rate: Virtual seconds per real second; 0 (frozen) by default.
    /// - Important: A negative threshold or rate traps when the test starts.
    public static func mock(autojump: Duration? = nil, rate: Double = 0) -> AnyIOTestClock {
        AnyIOTestClock(kind: .mock(autojump: autojump, rate: rate))
    }

    /// The clock for one test case, or `nil` for real time.
    func makeMockClock() -> MockClock? {
        switch kind {
        case .continuous:
            return nil
        case .mock(let autojump, let rate):
            return MockClock(rate: rate, autojumpThreshold: autojump)
        }
    }
}

extension Trait where Self == AnyIOTestTrait {
    /// Runs each test inside a root cancel scope with a deadline, limits `waitAllTasksBlocked()`
    /// to the test's own tasks, and reports the tasks the test leaked.
    ///
    /// ```swift
    /// @Test(.anyIO(timeLimit: .seconds(5)))
    /// func drains() async throws {
    ///     try await withNursery { nursery in nursery.startSoon { try await LowLevel.checkpoint() } }
    /// }
    /// ```
    ///
    /// On `clock: .mock(…)` each test runs on virtual time:
    ///
    /// ```swift
    /// @Test(.anyIO(clock: .mock(autojump: .zero)))
    /// func timesOut() async throws {
    ///     await #expect(throws: TimeoutError.self) {
    ///         try await failAfter(.seconds(3600)) { _ -> Void in try await sleepForever() }
    ///     }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - timeLimit: How long each test may run, in real time; 20 s by default.
    ///   - clock: The clock each test runs on: real time by default, or a new ``MockClock`` per
    ///     test with `.mock(autojump:rate:)`.
    /// - SeeAlso: ``withAnyIOTest(_:timeLimit:clock:isolation:sourceLocation:_:)``.
    public static func anyIO(timeLimit: Duration = .seconds(20), clock: AnyIOTestClock = .continuous) -> Self {
        AnyIOTestTrait(timeLimit: timeLimit, clock: clock)
    }
}
