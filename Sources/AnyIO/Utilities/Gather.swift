//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Runs operations concurrently and returns their results in the order the operations were given.
///
/// Each operation runs as a child task of a nursery that `gather` opens and closes, so `gather`
/// returns only after every operation has finished: no task outlives the call. The results are in
/// input order, whatever order the operations finish in.
///
/// Errors follow nursery semantics (AnyIO's `gather` runs in a task group): if an operation
/// throws an error other than `CancellationError`, the others are cancelled at their next
/// checkpoint, and once all have finished `gather` throws an ``ErrorGroup`` holding every such
/// error, even a single one. Each failure is named `gather[i] at File.swift:42`, after the
/// operation's index and the call site.
///
/// Cancellation and checkpoints: cancelling the caller (its cancel scope, or its Swift task)
/// cancels every operation; `gather` waits for them all and throws `CancellationError`. Starting
/// the operations is not a checkpoint (on an already cancelled caller they still start and are
/// cancelled at their first checkpoint, as nursery children are); waiting for them is. With no
/// operations it returns `[]` at once.
///
/// For a fixed handful of operations, the tuple forms (`gather(_:_:)` and up) are simpler and
/// allow different result types. Swift 6.3 cannot infer `@Sendable` for closure literals written
/// inside an array literal whose element type is generic, so build the array with its type
/// spelled out (or map over the inputs with `amap` instead):
///
/// ```swift
/// let fetches: [@Sendable () async throws -> Page] = paths.map { path in
///     { try await fetch(path) }
/// }
/// let pages = try await gather(fetches)
/// ```
///
/// - Parameters:
///   - isolation: The actor `gather` runs on; defaults to the caller's. The operations themselves
///     run on the cooperative pool.
///   - fileID: The call site's file, for the operations' task names.
///   - line: The call site's line, for the operations' task names.
///   - operations: The operations to run, each in a child task of its own.
/// - Returns: Every operation's value, in the order of `operations`.
/// - Throws: ``ErrorGroup`` with every operation's error other than `CancellationError`;
///   `CancellationError` if the caller was cancelled (or an operation ended with a
///   `CancellationError` of its own, leaving no value to return).
/// - SeeAlso: AnyIO `gather(*coros)` (4.14), which returns a tuple also for any number of
///   coroutines of one type.
public func gather<T: Sendable>(
    isolation: isolated (any Actor)? = #isolation,
    fileID: StaticString = #fileID,
    line: UInt = #line,
    _ operations: [@Sendable () async throws -> T]
) async throws -> [T] {
    let site = callSiteName(fileID: fileID, line: line)
    let slots = operations.map { _ in OperationResultSlot<T>() }
    try await withNursery(isolation: isolation, fileID: fileID, line: line) { nursery in
        for (index, operation) in operations.enumerated() {
            let slot = slots[index]
            nursery.startSoon(name: "gather[\(index)] at \(site)") {
                slot.store(try await operation())
            }
        }
    }
    return try slots.map { try $0.value() }
}

/// Runs two operations of any result types concurrently and returns their results as a tuple, in
/// the order the operations were given.
///
/// Each operation runs as a child task of a nursery that `gather` opens and closes, so `gather`
/// returns only after both have finished: no task outlives the call. If an operation throws an
/// error other than `CancellationError`, the other is cancelled at its next checkpoint, and once
/// both have finished `gather` throws an ``ErrorGroup`` holding every such error, even a single
/// one. Failures are named `gather[i] at File.swift:42`, after the operation's position and the
/// call site.
///
/// Cancellation and checkpoints: cancelling the caller cancels both operations; `gather` waits for
/// them and throws `CancellationError`. Starting the operations is not a checkpoint; waiting for
/// them is.
///
/// There are forms for two to six operations (as in AnyIO); for more, or for a number known only
/// at run time, use the array form, `gather(_:)`.
///
/// ```swift
/// let (user, orders) = try await gather(
///     { try await loadUser(id) },
///     { try await loadOrders(id) }
/// )
/// ```
///
/// - Parameters:
///   - isolation: The actor `gather` runs on; defaults to the caller's. The operations themselves
///     run on the cooperative pool.
///   - fileID: The call site's file, for the operations' task names.
///   - line: The call site's line, for the operations' task names.
///   - a: The first operation, run in a child task of its own.
///   - b: The second operation, run in a child task of its own.
/// - Returns: The operations' values, in the order of the arguments.
/// - Throws: ``ErrorGroup`` with every operation's error other than `CancellationError`;
///   `CancellationError` if the caller was cancelled (or an operation ended with a
///   `CancellationError` of its own, leaving no value to return).
/// - SeeAlso: AnyIO `gather(coro1, coro2, ...)` (4.14).
public func gather<A: Sendable, B: Sendable>(
    isolation: isolated (any Actor)? = #isolation,
    fileID: StaticString = #fileID,
    line: UInt = #line,
    _ a: @escaping @Sendable () async throws -> A,
    _ b: @escaping @Sendable () async throws -> B
) async throws -> (A, B) {
    try await gatherTuple(isolation: isolation, fileID: fileID, line: line, a, b)
}

/// Runs three operations of any result types concurrently and returns their results as a tuple,
/// in the order the operations were given.
///
/// The same as the two-operation form: every operation runs as a child task of a nursery that
/// `gather` opens and closes, so `gather` returns only after all have finished. If an operation
/// throws an error other than `CancellationError`, the others are cancelled and `gather` throws an
/// ``ErrorGroup``. Cancelling the caller cancels every operation; `gather` waits for them and
/// throws `CancellationError`. Starting the operations is not a checkpoint; waiting for them is.
///
/// ```swift
/// let (user, orders, avatar) = try await gather(
///     { try await loadUser(id) },
///     { try await loadOrders(id) },
///     { try await loadAvatar(id) }
/// )
/// ```
///
/// - Parameters:
///   - isolation: The actor `gather` runs on; defaults to the caller's. The operations themselves
///     run on the cooperative pool.
///   - fileID: The call site's file, for the operations' task names.
///   - line: The call site's line, for the operations' task names.
///   - a: The first operation, run in a child task of its own.
///   - b: The second operation, run in a child task of its own.
///   - c: The third operation, run in a child task of its own.
/// - Returns: The operations' values, in the order of the arguments.
/// - Throws: ``ErrorGroup`` with every operation's error other than `CancellationError`;
///   `CancellationError` if the caller was cancelled (or an operation ended with a
///   `CancellationError` of its own, leaving no value to return).
/// - SeeAlso: AnyIO `gather(coro1, coro2, ...)` (4.14).
public func gather<A: Sendable, B: Sendable, C: Sendable>(
    isolation: isolated (any Actor)? = #isolation,
    fileID: StaticString = #fileID,
    line: UInt = #line,
    _ a: @escaping @Sendable () async throws -> A,
    _ b: @escaping @Sendable () async throws -> B,
    _ c: @escaping @Sendable () async throws -> C
) async throws -> (A, B, C) {
    try await gatherTuple(isolation: isolation, fileID: fileID, line: line, a, b, c)
}

/// Runs four operations of any result types concurrently and returns their results as a tuple,
/// in the order the operations were given.
///
/// The same as the two-operation form: every operation runs as a child task of a nursery that
/// `gather` opens and closes, so `gather` returns only after all have finished. If an operation
/// throws an error other than `CancellationError`, the others are cancelled and `gather` throws an
/// ``ErrorGroup``. Cancelling the caller cancels every operation; `gather` waits for them and
/// throws `CancellationError`. Starting the operations is not a checkpoint; waiting for them is.
///
/// ```swift
/// let (a, b, c, d) = try await gather({ try await one() }, { try await two() },
///                                     { try await three() }, { try await four() })
/// ```
///
/// - Parameters:
///   - isolation: The actor `gather` runs on; defaults to the caller's. The operations themselves
///     run on the cooperative pool.
///   - fileID: The call site's file, for the operations' task names.
///   - line: The call site's line, for the operations' task names.
///   - a: The first operation, run in a child task of its own.
///   - b: The second operation, run in a child task of its own.
///   - c: The third operation, run in a child task of its own.
///   - d: The fourth operation, run in a child task of its own.
/// - Returns: The operations' values, in the order of the arguments.
/// - Throws: ``ErrorGroup`` with every operation's error other than `CancellationError`;
///   `CancellationError` if the caller was cancelled (or an operation ended with a
///   `CancellationError` of its own, leaving no value to return).
/// - SeeAlso: AnyIO `gather(coro1, coro2, ...)` (4.14).
public func gather<A: Sendable, B: Sendable, C: Sendable, D: Sendable>(
    isolation: isolated (any Actor)? = #isolation,
    fileID: StaticString = #fileID,
    line: UInt = #line,
    _ a: @escaping @Sendable () async throws -> A,
    _ b: @escaping @Sendable () async throws -> B,
    _ c: @escaping @Sendable () async throws -> C,
    _ d: @escaping @Sendable () async throws -> D
) async throws -> (A, B, C, D) {
    try await gatherTuple(isolation: isolation, fileID: fileID, line: line, a, b, c, d)
}

/// Runs five operations of any result types concurrently and returns their results as a tuple,
/// in the order the operations were given.
///
/// The same as the two-operation form: every operation runs as a child task of a nursery that
/// `gather` opens and closes, so `gather` returns only after all have finished. If an operation
/// throws an error other than `CancellationError`, the others are cancelled and `gather` throws an
/// ``ErrorGroup``. Cancelling the caller cancels every operation; `gather` waits for them and
/// throws `CancellationError`. Starting the operations is not a checkpoint; waiting for them is.
///
/// ```swift
/// let (a, b, c, d, e) = try await gather({ try await one() }, { try await two() },
///                                        { try await three() }, { try await four() },
///                                        { try await five() })
/// ```
///
/// - Parameters:
///   - isolation: The actor `gather` runs on; defaults to the caller's. The operations themselves
///     run on the cooperative pool.
///   - fileID: The call site's file, for the operations' task names.
///   - line: The call site's line, for the operations' task names.
///   - a: The first operation, run in a child task of its own.
///   - b: The second operation, run in a child task of its own.
///   - c: The third operation, run in a child task of its own.
///   - d: The fourth operation, run in a child task of its own.
///   - e: The fifth operation, run in a child task of its own.
/// - Returns: The operations' values, in the order of the arguments.
/// - Throws: ``ErrorGroup`` with every operation's error other than `CancellationError`;
///   `CancellationError` if the caller was cancelled (or an operation ended with a
///   `CancellationError` of its own, leaving no value to return).
/// - SeeAlso: AnyIO `gather(coro1, coro2, ...)` (4.14).
public func gather<A: Sendable, B: Sendable, C: Sendable, D: Sendable, E: Sendable>(
    isolation: isolated (any Actor)? = #isolation,
    fileID: StaticString = #fileID,
    line: UInt = #line,
    _ a: @escaping @Sendable () async throws -> A,
    _ b: @escaping @Sendable () async throws -> B,
    _ c: @escaping @Sendable () async throws -> C,
    _ d: @escaping @Sendable () async throws -> D,
    _ e: @escaping @Sendable () async throws -> E
) async throws -> (A, B, C, D, E) {
    try await gatherTuple(isolation: isolation, fileID: fileID, line: line, a, b, c, d, e)
}

/// Runs six operations of any result types concurrently and returns their results as a tuple,
/// in the order the operations were given.
///
/// The same as the two-operation form: every operation runs as a child task of a nursery that
/// `gather` opens and closes, so `gather` returns only after all have finished. If an operation
/// throws an error other than `CancellationError`, the others are cancelled and `gather` throws an
/// ``ErrorGroup``. Cancelling the caller cancels every operation; `gather` waits for them and
/// throws `CancellationError`. Starting the operations is not a checkpoint; waiting for them is.
///
/// ```swift
/// let (a, b, c, d, e, f) = try await gather({ try await one() }, { try await two() },
///                                           { try await three() }, { try await four() },
///                                           { try await five() }, { try await six() })
/// ```
///
/// - Parameters:
///   - isolation: The actor `gather` runs on; defaults to the caller's. The operations themselves
///     run on the cooperative pool.
///   - fileID: The call site's file, for the operations' task names.
///   - line: The call site's line, for the operations' task names.
///   - a: The first operation, run in a child task of its own.
///   - b: The second operation, run in a child task of its own.
///   - c: The third operation, run in a child task of its own.
///   - d: The fourth operation, run in a child task of its own.
///   - e: The fifth operation, run in a child task of its own.
///   - f: The sixth operation, run in a child task of its own.
/// - Returns: The operations' values, in the order of the arguments.
/// - Throws: ``ErrorGroup`` with every operation's error other than `CancellationError`;
///   `CancellationError` if the caller was cancelled (or an operation ended with a
///   `CancellationError` of its own, leaving no value to return).
/// - SeeAlso: AnyIO `gather(coro1, coro2, ...)` (4.14).
public func gather<A: Sendable, B: Sendable, C: Sendable, D: Sendable, E: Sendable, F: Sendable>(
    isolation: isolated (any Actor)? = #isolation,
    fileID: StaticString = #fileID,
    line: UInt = #line,
    _ a: @escaping @Sendable () async throws -> A,
    _ b: @escaping @Sendable () async throws -> B,
    _ c: @escaping @Sendable () async throws -> C,
    _ d: @escaping @Sendable () async throws -> D,
    _ e: @escaping @Sendable () async throws -> E,
    _ f: @escaping @Sendable () async throws -> F
) async throws -> (A, B, C, D, E, F) {
    try await gatherTuple(isolation: isolation, fileID: fileID, line: line, a, b, c, d, e, f)
}

// The fixed-arity forms above share this parameter-pack implementation. It is not public: Swift
// 6.3 does not infer `@Sendable` for closure literals passed to a parameter pack of an
// overloaded function ("converting non-Sendable function value to '@Sendable …' may introduce
// data races" at every call site), while fixed-arity overloads infer it as usual.

/// Runs `operations` concurrently in a nursery and returns their values in order.
private func gatherTuple<each T: Sendable>(
    isolation: isolated (any Actor)?,
    fileID: StaticString,
    line: UInt,
    _ operations: repeat @escaping @Sendable () async throws -> each T
) async throws -> (repeat each T) {
    let site = callSiteName(fileID: fileID, line: line)
    let slots = (repeat OperationResultSlot<each T>())
    try await withNursery(isolation: isolation, fileID: fileID, line: line) { nursery in
        var index = 0
        repeat startGathered(each operations, into: each slots, index: &index, site: site, nursery)
    }
    return (repeat try (each slots).value())
}

/// Starts one operation of `gatherTuple` in `nursery`, storing its value in `slot`; names it
/// after `index` (its position, then advanced for the next one) and the call site.
private func startGathered<T: Sendable>(
    _ operation: @escaping @Sendable () async throws -> T,
    into slot: OperationResultSlot<T>,
    index: inout Int,
    site: String,
    _ nursery: Nursery
) {
    nursery.startSoon(name: "gather[\(index)] at \(site)") {
        slot.store(try await operation())
    }
    index += 1
}
