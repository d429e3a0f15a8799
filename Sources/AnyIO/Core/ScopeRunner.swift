//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Runs `body` as the body of `scope`, in a task boundary of its own, and returns how it ended.
///
/// The body runs in a `Task.immediate` isolated to `isolation`, so it starts synchronously on the
/// caller's actor and can touch its state; the task is the unit that the scope cancels natively.
/// The caller's task waits inside `withTaskCancellationHandler`: when it is natively cancelled
/// (because an enclosing scope was cancelled, or by `Task.cancel()`), the scope is told, and
/// cancels its body unless it is shielded. An unstructured task does not inherit cancellation,
/// which is how a shield escapes a cancelled task (Swift 6.3 has no cancellation shield).
///
/// `afterBody` runs in the caller's task, after the body, still under the cancellation handler
/// (a nursery waits for its children there). The caller must call `scope.exit` afterwards.
///
/// Invariant: the body task is always awaited before this returns, so the non-escaping body is
/// never used after `withoutActuallyEscaping` ends.
func runScopeBody<T>(
    _ scope: CancelScope,
    isolation: isolated (any Actor)?,
    _ body: (CancelScope) async throws -> T,
    afterBody: ((_ bodyError: (any Error)?) async -> Void)? = nil
) async -> Result<T, any Error> {
    let slot = ResultSlot<T>()
    await withoutActuallyEscaping(body) { body in
        // UnsafeTransfer: the closure is called only by the body task, which is awaited before
        // `withoutActuallyEscaping` ends.
        let transfer = UnsafeTransfer(body)
        await runScopeBodyTask(scope, isolation: isolation, afterBody: afterBody) {
            do {
                slot.result = .success(try await transfer.value(scope))
                return nil
            } catch {
                slot.result = .failure(error)
                return error
            }
        }
    }
    guard let result = slot.result else {
        fatalError("AnyIO: internal error: a scope body ended without a result")
    }
    return result
}

/// The non-generic part of `runScopeBody`: runs `body` (which reports its error, if any) in the
/// scope's task boundary.
private func runScopeBodyTask(
    _ scope: CancelScope,
    isolation: isolated (any Actor)?,
    afterBody: ((_ bodyError: (any Error)?) async -> Void)?,
    _ body: @escaping () async -> (any Error)?
) async {
    let enclosing = currentBoundary()
    // An outermost scope's body belongs to the foreign task that entered it (see `LogicalTask`).
    let root = enclosing == nil ? LogicalTask.currentForeign() : nil
    // UnsafeTransfer: see `runScopeBody`; the body closure runs only in the task created below.
    let transfer = UnsafeTransfer(body)
    await withTaskCancellationHandler {
        // The task-local is bound around the creation: `Task.immediate` copies task-locals, so
        // the body sees its scope without a `withValue` frame of its own.
        let task = TaskContext.$boundary.withValue(scope) {
            Task.immediate { [isolation] () async -> (any Error)? in
                _ = isolation  // capturing the isolated parameter isolates the task to it
                scope.bodyTaskStarted(enclosing: enclosing, root: root)
                return await transfer.value()
            }
        }
        let bodyError = await task.value
        if let afterBody { await afterBody(bodyError) }
    } onCancel: {
        scope.cancelFromOutside()
    }
}

/// Finishes a scope whose body ended with `result`: returns the value, `nil` if the scope caught
/// the cancellation, or rethrows.
func finishScope<T>(_ scope: CancelScope, _ result: Result<T, any Error>) throws -> T? {
    switch result {
    case .success(let value):
        _ = scope.exit(bodyThrewCancellation: false)
        return value
    case .failure(let error):
        let caught = scope.exit(bodyThrewCancellation: error is CancellationError)
        if caught { return nil }
        throw error
    }
}

/// The value a `Void`-returning scope-like API returns after catching its own cancellation, or
/// `CancellationError` when the body has a non-`Void` type and so no value to return (SPEC C10).
func valueAfterCaughtCancellation<T>(_: T.Type) throws -> T {
    if let unit = () as? T { return unit }
    throw CancellationError()
}
