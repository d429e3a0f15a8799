//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
public import Testing
import Synchronization

/// Runs a test body inside a root cancel scope with a deadline, and reports the tasks it leaked.
///
/// - The body runs in a root cancel scope that is cancelled `timeLimit` from now: a test that
///   hangs is cancelled then, an issue is recorded that shows the test's task tree as it was at
///   the deadline (what each task was waiting on), and `TimeoutError` is thrown.
/// - The test's tasks are tagged: `waitAllTasksBlocked()` inside the body waits for this test's
///   tasks only, although Swift Testing runs tests in parallel in one process.
/// - After the body, any nursery still open in a task the test started (a `Task { }` that was not
///   awaited, a `BlockingPortal` that was not stopped) is a leak. After a grace of 100 ms an issue
///   is recorded with those tasks, and their nurseries are cancelled. Tasks started with
///   `Task.detached` are not seen: they do not inherit the test's task-locals.
///
/// - With a `clock`, the body runs on that ``MockClock``'s virtual time (see
///   ``withMockClock(_:isolation:_:)``). The time limit stays in real time.
///
/// Entering is not a checkpoint. The `.anyIO(timeLimit:)` trait (``AnyIOTestTrait``) runs every test of
/// a suite this way; use this function where a trait does not fit.
///
/// ```swift
/// @Test func serverStops() async throws {
///     try await withAnyIOTest(timeLimit: .seconds(5)) {
///         try await withNursery { nursery in
///             nursery.startSoon(name: "server") { try await sleepForever() }  // serves until cancelled
///             try await waitAllTasksBlocked()              // this test's tasks only: the server is parked
///             nursery.cancel()
///         }
///     }
/// }
/// ```
///
/// - Parameters:
///   - name: The name that reports use for the test; defaults to the calling function.
///   - timeLimit: How long the body may run, in real time; 20 s by default (AnyIO's own test
///     timeout).
///   - clock: A virtual clock for the body, or `nil` (the default) for real time.
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - sourceLocation: Where issues are reported; defaults to the call site.
///   - body: The test.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws; `TimeoutError` when the time limit cancelled it.
/// - SeeAlso: AnyIO's pytest plugin and its `timeout`; Trio's `trio.testing`.
public func withAnyIOTest<T>(
    _ name: String = #function,
    timeLimit: Duration = .seconds(20),
    clock: MockClock? = nil,
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async throws -> T {
    let tag = TaskTreeTag()
    let deadline = ContinuousClock.now + timeLimit
    let scope = CancelScope()
    // At the deadline a watcher first takes the test's task tree, while the stuck tasks are still
    // there, and only then cancels the test's root scope.
    let stuckTree = Mutex<TaskTree?>(nil)
    let watcher = Task.detached {
        try await Task.sleep(until: deadline, clock: .continuous)
        let tree = tag.taskTree
        stuckTree.withLock { $0 = tree }
        scope.cancel(reason: "time limit of \(timeLimit) exceeded")
    }
    let result: Result<T, any Error>
    do {
        let value = try await TaskTreeTag.$current.withValue(tag, operation: {
            try await withCancelScope(scope, isolation: isolation) { _ in
                guard let clock else { return try await body() }
                return try await withMockClock(clock, isolation: isolation, body)
            }
        }, isolation: isolation)
        watcher.cancel()
        if let stuck = stuckTree.withLock({ $0 }) {
            Issue.record("\(name) ran into its time limit of \(timeLimit); its tasks were:\n\(stuck)", sourceLocation: sourceLocation)
            result = value.map(Result.success) ?? .failure(TimeoutError())
        } else if let value {
            result = .success(value)
        } else {
            // Only the watcher cancels the scope, and it records the tree first.
            fatalError("AnyIOTesting: the test's root scope caught a cancellation it did not cause")
        }
    } catch {
        watcher.cancel()
        result = .failure(error)
    }
    await reportLeaks(tag: tag, name: name, sourceLocation: sourceLocation)
    return try result.get()
}

/// Records the nurseries of the test that are still open after a short grace, and cancels them.
private func reportLeaks(tag: TaskTreeTag, name: String, sourceLocation: SourceLocation) async {
    let graceEnd = ContinuousClock.now + .milliseconds(100)
    var leaked = tag.taskTree
    while !leaked.roots.isEmpty, ContinuousClock.now < graceEnd {
        try? await Task.sleep(for: .milliseconds(2))
        leaked = tag.taskTree
    }
    guard !leaked.roots.isEmpty else { return }
    Issue.record(
        """
        \(name) left tasks running after it returned (in a Task { } that was not awaited, or a \
        BlockingPortal that was not stopped); they are cancelled now:
        \(leaked)
        """,
        sourceLocation: sourceLocation
    )
    tag.cancelRoots(reason: "leaked by test \(name)")
}
