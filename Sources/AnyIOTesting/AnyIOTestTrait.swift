//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import Testing

/// A Swift Testing trait that runs each test inside ``withAnyIOTest(_:timeLimit:isolation:sourceLocation:_:)``:
/// a root scope with a deadline, `waitAllTasksBlocked()` limited to the test's own tasks, and a
/// report of leaked tasks.
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
/// - SeeAlso: ``withAnyIOTest(_:timeLimit:isolation:sourceLocation:_:)``, which this runs.
public struct AnyIOTestTrait: TestTrait, SuiteTrait, TestScoping {
    /// How long each test may run.
    public var timeLimit: Duration

    /// Applies to every test of a suite it is attached to.
    public var isRecursive: Bool { true }

    /// Creates the trait.
    ///
    /// - Parameter timeLimit: How long each test may run.
    public init(timeLimit: Duration) {
        self.timeLimit = timeLimit
    }

    /// Runs one test case inside ``withAnyIOTest(_:timeLimit:isolation:sourceLocation:_:)``;
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
        try await withAnyIOTest(test.name, timeLimit: timeLimit, sourceLocation: test.sourceLocation) {
            try await function()
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
    /// - Parameter timeLimit: How long each test may run; 20 s by default.
    /// - SeeAlso: ``withAnyIOTest(_:timeLimit:isolation:sourceLocation:_:)``.
    public static func anyIO(timeLimit: Duration = .seconds(20)) -> Self {
        AnyIOTestTrait(timeLimit: timeLimit)
    }
}
