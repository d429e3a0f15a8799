//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Runs operations concurrently and lets `body` iterate over their results in the order the
/// operations finish.
///
/// The operations run as child tasks of a nursery that `asCompleted` opens and closes; `body` runs
/// inside that nursery, on the caller's actor, and receives an ``AsCompletedSequence`` that
/// yields each operation's value as soon as it is available and ends once every operation has
/// finished. The call is scoped, so nothing outlives it: when `body` returns (also early, before
/// every result was taken) the operations still running are cancelled, and `asCompleted`
/// returns `body`'s value only after all of them have finished.
///
/// Errors follow nursery semantics (AnyIO's `as_completed` runs in a task group): if an
/// operation throws an error other than `CancellationError`, the other operations and `body` are
/// cancelled (the sequence's next step throws `CancellationError`), and once all have finished
/// `asCompleted` throws an ``ErrorGroup`` with every such error, `body`'s own included. A failed
/// operation yields no element. Failures are named `asCompleted[i] at File.swift:42`, after the
/// operation's index and the call site.
///
/// Cancellation and checkpoints: cancelling the caller cancels the operations and `body`, and
/// `asCompleted` throws `CancellationError` once all have finished. Entering is not a checkpoint
/// (the operations always start; on a cancelled caller they are cancelled at their first
/// checkpoint); each step of the sequence is one.
///
/// With no operations the sequence is empty: `body` still runs and its iteration ends at once.
/// (AnyIO's `as_completed()` raises `ValueError` instead; in Swift the operations are usually
/// built from a collection, and an empty one has an obvious answer.)
///
/// Swift 6.3 cannot infer `@Sendable` for closure literals written inside an array literal whose
/// element type is generic, so build the array with its type spelled out:
///
/// ```swift
/// let queries: [@Sendable () async throws -> Answer] = mirrors.map { mirror in
///     { try await query(mirror) }
/// }
/// let fastest = try await asCompleted(queries) { answers -> Answer? in
///     for try await answer in answers { return answer }  // the others are cancelled
///     return nil
/// }
/// ```
///
/// - Parameters:
///   - operations: The operations to run, each in a child task of its own.
///   - isolation: The actor `body` runs on; defaults to the caller's. The operations themselves
///     run on the cooperative pool.
///   - fileID: The call site's file, for the operations' task names.
///   - line: The call site's line, for the operations' task names.
///   - body: The code that consumes the results; it receives them in completion order.
/// - Returns: `body`'s value.
/// - Throws: ``ErrorGroup`` with every error other than `CancellationError` thrown by the
///   operations or `body`; `CancellationError` if the caller was cancelled.
/// - SeeAlso: AnyIO `as_completed(*awaitables)` (4.14), whose stream yields task handles; this
///   sequence yields the values.
public func asCompleted<T: Sendable, R>(
    _ operations: [@Sendable () async throws -> T],
    isolation: isolated (any Actor)? = #isolation,
    fileID: StaticString = #fileID,
    line: UInt = #line,
    _ body: (AsCompletedSequence<T>) async throws -> R
) async throws -> R {
    let site = callSiteName(fileID: fileID, line: line)
    // Unbounded, so that an operation's send never waits: its value is delivered (or dropped
    // once `body` is done) without a checkpoint between finishing and reporting.
    let (send, receive) = makeMemoryObjectStream(of: T.self, bufferSize: .max)
    // Closed when the scope ends: late results are then dropped, and a sequence that escaped
    // `body` throws `ClosedResourceError` instead of waiting forever.
    defer { receive.close() }
    return try await withNursery(isolation: isolation, fileID: fileID, line: line) { nursery in
        for (index, operation) in operations.enumerated() {
            // One send endpoint per operation, closed when it ends: the sequence ends once every
            // operation has finished, whether or not it produced a value.
            let results = try send.clone()
            nursery.startSoon(name: "asCompleted[\(index)] at \(site)") {
                defer { results.close() }
                let value = try await operation()
                // Never would-block (unbounded); throws only once `receive` is closed, when
                // nobody wants the value any more.
                _ = try? results.trySend(value)
            }
        }
        send.close()
        // Whatever way `body` ends, the operations it did not wait for are cancelled; the
        // nursery then waits for them. A cancellation of the nursery's own scope leaves `body`'s
        // value intact (SPEC N4).
        defer { nursery.cancel() }
        return try await body(AsCompletedSequence(results: receive))
    }
}
