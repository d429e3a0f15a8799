//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Runs `body` in a new cancel scope.
///
/// The body runs in the calling task's context and on the caller's actor (so it can be called
/// from `@MainActor` code), in a Swift task of its own that the scope cancels natively. Entering
/// the scope is not a checkpoint: a shielded cleanup scope entered inside a cancelled scope runs.
///
/// ```swift
/// let result = try await withCancelScope(deadline: currentTime() + .seconds(1)) { scope in
///     try await fetchSomething()
/// }
/// if result == nil { print("gave up after 1 s") }
/// ```
///
/// - Parameters:
///   - deadline: When the scope cancels itself; `nil` for none.
///   - shield: Whether the scope ignores cancellation from outside.
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code to run; it receives the scope, to cancel it or move its deadline.
/// - Returns: The body's value, or `nil` if the scope caught a cancellation (its own
///   ``CancelScope/cancel(reason:)`` or deadline).
/// - Throws: What the body throws, including `CancellationError` when an enclosing scope (or
///   native task cancellation) cancelled it.
/// - SeeAlso: AnyIO `CancelScope` used as `with CancelScope(...)`.
@discardableResult
public func withCancelScope<T>(
    deadline: ContinuousClock.Instant? = nil,
    shield: Bool = false,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (CancelScope) async throws -> T
) async throws -> T? {
    try await withCancelScope(CancelScope(deadline: deadline, shield: shield), isolation: isolation, body)
}

/// Runs `body` in a cancel scope created beforehand.
///
/// Use this to hand a scope out before entering it, for example with `status.started(scope)` in
/// `Nursery.start`. A scope cancelled before it is entered is cancelled on entry: the body's
/// first checkpoint throws. Entering is not a checkpoint. A scope can be entered only once.
///
/// - Parameters:
///   - scope: A scope that has not been entered yet.
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code to run.
/// - Returns: The body's value, or `nil` if `scope` caught a cancellation.
/// - Throws: What the body throws, including `CancellationError` from enclosing cancellation.
/// - Important: Entering a scope twice traps.
/// - SeeAlso: AnyIO `with scope:` on a `CancelScope` created beforehand.
@discardableResult
public func withCancelScope<T>(
    _ scope: CancelScope,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (CancelScope) async throws -> T
) async throws -> T? {
    let result = await runScopeBody(scope, isolation: isolation, body)
    return try finishScope(scope, result)
}

/// Runs `body` with a deadline `delay` from now, and moves on if the deadline cancels it.
///
/// Inside the scope, the timeout is ordinary cancellation. Entering is not a checkpoint.
///
/// ```swift
/// if try await moveOnAfter(.seconds(2), { _ in try await waitForReply() }) == nil {
///     print("no reply within 2 s")
/// }
/// ```
///
/// - Parameters:
///   - delay: How long the body may run.
///   - shield: Whether the scope ignores cancellation from outside.
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code to run.
/// - Returns: The body's value, or `nil` if the scope caught a cancellation (the deadline or its
///   own `cancel()`).
/// - Throws: What the body throws, including `CancellationError` from enclosing cancellation.
/// - SeeAlso: AnyIO `move_on_after`.
@discardableResult
public func moveOnAfter<T>(
    _ delay: Duration,
    shield: Bool = false,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (CancelScope) async throws -> T
) async throws -> T? {
    try await withCancelScope(CancelScope(deadline: currentTime() + delay, shield: shield), isolation: isolation, body)
}

/// Runs `body` with a deadline, and moves on if the deadline cancels it.
///
/// Behaves as ``moveOnAfter(_:shield:isolation:_:)`` with an absolute deadline: inside the scope,
/// the deadline is ordinary cancellation, and entering is not a checkpoint.
///
/// - Parameters:
///   - deadline: When the scope cancels itself.
///   - shield: Whether the scope ignores cancellation from outside.
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code to run.
/// - Returns: The body's value, or `nil` if the scope caught a cancellation.
/// - Throws: What the body throws, including `CancellationError` from enclosing cancellation.
/// - SeeAlso: AnyIO `move_on_at` (`CancelScope(deadline=...)`).
@discardableResult
public func moveOnAt<T>(
    _ deadline: ContinuousClock.Instant,
    shield: Bool = false,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (CancelScope) async throws -> T
) async throws -> T? {
    try await withCancelScope(CancelScope(deadline: deadline, shield: shield), isolation: isolation, body)
}

/// Runs `body` with a deadline `delay` from now, and throws ``TimeoutError`` if it is exceeded.
///
/// Inside the scope, the timeout is ordinary cancellation; when the scope catches it and the
/// deadline has passed, `TimeoutError` is thrown instead (this wins over an explicit cancel).
/// If the scope catches a cancellation caused only by its own `cancel()`, a `Void` body returns
/// normally and any other body throws `CancellationError`, since there is no value to return
/// (wrap the call in ``moveOnAfter(_:shield:isolation:_:)`` if you need one).
///
/// ```swift
/// let reply = try await failAfter(.seconds(2)) { _ in try await waitForReply() }
/// ```
///
/// - Parameters:
///   - delay: How long the body may run.
///   - shield: Whether the scope ignores cancellation from outside.
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code to run.
/// - Returns: The body's value.
/// - Throws: ``TimeoutError`` when the deadline cancelled the body; `CancellationError` from
///   enclosing cancellation (or, for a non-`Void` body, from the scope's own `cancel()`); what the
///   body throws.
/// - SeeAlso: AnyIO `fail_after`.
public func failAfter<T>(
    _ delay: Duration,
    shield: Bool = false,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (CancelScope) async throws -> T
) async throws -> T {
    try await failAt(currentTime() + delay, shield: shield, isolation: isolation, body)
}

/// Runs `body` with a deadline, and throws ``TimeoutError`` if it is exceeded.
///
/// Behaves as ``failAfter(_:shield:isolation:_:)`` with an absolute deadline.
///
/// - Parameters:
///   - deadline: When the scope cancels itself.
///   - shield: Whether the scope ignores cancellation from outside.
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code to run.
/// - Returns: The body's value.
/// - Throws: ``TimeoutError`` when the deadline cancelled the body; `CancellationError` from
///   enclosing cancellation (or, for a non-`Void` body, from the scope's own `cancel()`); what the
///   body throws.
/// - SeeAlso: AnyIO `fail_after` with an absolute deadline.
public func failAt<T>(
    _ deadline: ContinuousClock.Instant,
    shield: Bool = false,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (CancelScope) async throws -> T
) async throws -> T {
    let scope = CancelScope(deadline: deadline, shield: shield)
    let result = await runScopeBody(scope, isolation: isolation, body)
    if let value = try finishScope(scope, result) { return value }
    // The scope caught a cancellation.
    if scope.deadlineHasPassed { throw TimeoutError() }
    return try valueAfterCaughtCancellation(T.self)
}
