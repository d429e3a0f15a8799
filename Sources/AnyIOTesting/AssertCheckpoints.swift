//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import Testing
import AnyIO

/// Runs `body` and records an issue unless it passed at least one cancel point and one schedule
/// point of the library (a checkpoint).
///
/// A *cancel point* is where the library checks for cancellation (and would throw
/// `CancellationError`); a *schedule point* is where it yields or suspends, letting other tasks
/// run. Every `async` API of the library is both (SPEC C8), so this checks that code built on it
/// keeps that promise:
///
/// ```swift
/// let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
/// try await assertCheckpoints { try await send.send(1) }
/// ```
///
/// Only the library's checkpoints count: a `Task.yield()` or `Task.sleep` of your own does not.
/// Checkpoints of tasks started inside `body` count too (they inherit the measurement). When
/// `body` throws (a cancelled checkpoint throws before it yields), the error passes through and
/// nothing is checked.
///
/// - Parameters:
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - sourceLocation: Where the issue is reported; defaults to the call site.
///   - body: The code to check.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws.
/// - SeeAlso: Trio `trio.testing.assert_checkpoints`.
@discardableResult
public func assertCheckpoints<T>(
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async rethrows -> T {
    let probe = CheckpointProbe()
    // Checked only when the body returns: an error (a cancelled checkpoint throws before it
    // yields) passes through unchecked, as in Trio.
    let value = try await probe.measure(isolation: isolation, body)
    if probe.cancelPoints == 0 || probe.schedulePoints == 0 {
        Issue.record(
            """
            assertCheckpoints: the block did not checkpoint (cancel points: \(probe.cancelPoints), \
            schedule points: \(probe.schedulePoints)); every async library call must check for \
            cancellation and yield
            """,
            sourceLocation: sourceLocation
        )
    }
    return value
}

/// Runs `body` and records an issue if it passed any cancel point or schedule point of the
/// library.
///
/// Use it to check that code which must not be interrupted (a state update between two awaits,
/// a synchronous fast path) really has no checkpoint. Checked whether `body` returns or throws:
///
/// ```swift
/// let lock = Lock()
/// await assertNoCheckpoints { #expect(lock.tryAcquire()) }
/// ```
///
/// - Parameters:
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - sourceLocation: Where the issue is reported; defaults to the call site.
///   - body: The code to check.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws.
/// - SeeAlso: Trio `trio.testing.assert_no_checkpoints`.
@discardableResult
public func assertNoCheckpoints<T>(
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async rethrows -> T {
    let probe = CheckpointProbe()
    defer {
        if probe.cancelPoints != 0 || probe.schedulePoints != 0 {
            Issue.record(
                """
                assertNoCheckpoints: the block checkpointed (cancel points: \(probe.cancelPoints), \
                schedule points: \(probe.schedulePoints))
                """,
                sourceLocation: sourceLocation
            )
        }
    }
    return try await probe.measure(isolation: isolation, body)
}
