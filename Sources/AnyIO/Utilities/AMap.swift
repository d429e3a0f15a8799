//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Applies `transform` to every element of an asynchronous sequence concurrently, with at most
/// `maxConcurrency` transforms running at once, and returns the results in the order of the
/// elements.
///
/// Each transform runs as a child task of a nursery that `amap` opens and closes, so `amap`
/// returns only after every transform has finished: no task outlives the call. The source is
/// iterated on the caller's actor, one element at a time, and only when a transform may start:
/// while `maxConcurrency` transforms are running, no further element is requested (back-pressure,
/// so an endless source is fine as long as something ends it).
///
/// Errors follow nursery semantics (AnyIO's `amap` runs in a task group): if a transform, or the
/// source's iteration, throws an error other than `CancellationError`, the running transforms are
/// cancelled, the iteration stops, and once all have finished `amap` throws an
/// ``ErrorGroup`` holding every such error, even a single one. Failures are named
/// `amap[i] at File.swift:42`, after the element's index and the call site.
///
/// Cancellation and checkpoints: cancelling the caller cancels every running transform and stops
/// the iteration; `amap` waits for the transforms and throws `CancellationError`. Taking each
/// element, and finding the end of the source, is preceded by a checkpoint (waiting for a free
/// slot), so even an empty source makes `amap` a checkpoint.
///
/// ```swift
/// let sizes = try await amap(urls, maxConcurrency: 4) { url in
///     try await download(url).count
/// }
/// ```
///
/// - Parameters:
///   - source: The elements to transform. It is iterated on the caller's actor and need not be
///     `Sendable`.
///   - maxConcurrency: The most transforms that may run at once; the default does not limit them
///     (as AnyIO's `amap`).
///   - isolation: The actor the source is iterated on; defaults to the caller's. The transforms
///     run on the cooperative pool.
///   - fileID: The call site's file, for the transforms' task names.
///   - line: The call site's line, for the transforms' task names.
///   - transform: The operation applied to each element, in a child task of its own.
/// - Returns: The transformed elements, in the order of `source`.
/// - Throws: ``ErrorGroup`` with every error other than `CancellationError` thrown by a transform
///   or by the source; `CancellationError` if the caller was cancelled.
/// - Important: Traps if `maxConcurrency` is less than 1.
/// - SeeAlso: AnyIO `amap(func, args)` (4.14), which has no concurrency limit.
public func amap<Source: AsyncSequence, T: Sendable>(
    _ source: Source,
    maxConcurrency: Int = .max,
    isolation: isolated (any Actor)? = #isolation,
    fileID: StaticString = #fileID,
    line: UInt = #line,
    _ transform: @escaping @Sendable (Source.Element) async throws -> T
) async throws -> [T] where Source.Element: Sendable {
    checkPrecondition(maxConcurrency >= 1, "AnyIO: amap(maxConcurrency:) must be at least 1, got \(maxConcurrency)")
    var elements = source.makeAsyncIterator()
    return try await mapConcurrently(
        &elements,
        maxConcurrency: maxConcurrency,
        isolation: isolation,
        fileID: fileID,
        line: line,
        transform
    )
}

/// Applies `transform` to every element of a sequence concurrently, with at most
/// `maxConcurrency` transforms running at once, and returns the results in the order of the
/// elements.
///
/// The same as the `AsyncSequence` form: each transform runs as a child task of a nursery that
/// `amap` opens and closes, so `amap` returns only after every transform has finished. The next
/// element is taken only once a transform may start. If a transform throws an error other than
/// `CancellationError`, the others are cancelled and `amap` throws an ``ErrorGroup``.
///
/// Cancellation and checkpoints: cancelling the caller cancels every running transform and stops
/// the iteration; `amap` waits for the transforms and throws `CancellationError`. Taking each
/// element, and finding the end of the source, is preceded by a checkpoint (waiting for a free
/// slot), so even an empty source makes `amap` a checkpoint.
///
/// ```swift
/// let doubled = try await amap([1, 2, 3], maxConcurrency: 2) { value in
///     try await compute(value) * 2
/// }
/// ```
///
/// - Parameters:
///   - source: The elements to transform. It is iterated on the caller's actor and need not be
///     `Sendable`.
///   - maxConcurrency: The most transforms that may run at once; the default does not limit them
///     (as AnyIO's `amap`).
///   - isolation: The actor the source is iterated on; defaults to the caller's. The transforms
///     run on the cooperative pool.
///   - fileID: The call site's file, for the transforms' task names.
///   - line: The call site's line, for the transforms' task names.
///   - transform: The operation applied to each element, in a child task of its own.
/// - Returns: The transformed elements, in the order of `source`.
/// - Throws: ``ErrorGroup`` with every transform's error other than `CancellationError`;
///   `CancellationError` if the caller was cancelled.
/// - Important: Traps if `maxConcurrency` is less than 1.
/// - SeeAlso: AnyIO `amap(func, args)` (4.14), which has no concurrency limit.
public func amap<Source: Sequence, T: Sendable>(
    _ source: Source,
    maxConcurrency: Int = .max,
    isolation: isolated (any Actor)? = #isolation,
    fileID: StaticString = #fileID,
    line: UInt = #line,
    _ transform: @escaping @Sendable (Source.Element) async throws -> T
) async throws -> [T] where Source.Element: Sendable {
    checkPrecondition(maxConcurrency >= 1, "AnyIO: amap(maxConcurrency:) must be at least 1, got \(maxConcurrency)")
    var elements = IsolatedIterator(base: source.makeIterator())
    return try await mapConcurrently(
        &elements,
        maxConcurrency: maxConcurrency,
        isolation: isolation,
        fileID: fileID,
        line: line,
        transform
    )
}

/// The body of both `amap` forms: takes elements from `elements` (on `isolation`) while a slot
/// is free, and runs `transform` on each in a child task.
private func mapConcurrently<Elements: AsyncIteratorProtocol, T: Sendable>(
    _ elements: inout Elements,
    maxConcurrency: Int,
    isolation: isolated (any Actor)?,
    fileID: StaticString,
    line: UInt,
    _ transform: @escaping @Sendable (Elements.Element) async throws -> T
) async throws -> [T] where Elements.Element: Sendable {
    let site = callSiteName(fileID: fileID, line: line)
    // One permit per transform that may run; a child gives its permit back when it ends. The
    // permit is taken before the element, so that no element is held while waiting for a slot.
    let slotsFree = Semaphore(initialValue: maxConcurrency)
    var results: [OperationResultSlot<T>] = []
    try await withNursery(isolation: isolation, fileID: fileID, line: line) { nursery in
        while true {
            try await slotsFree.acquire()
            // `next(isolation:)`, not `next()`: the source is iterated on the caller's actor.
            guard let element = try await elements.next(isolation: isolation) else {
                slotsFree.release()
                break
            }
            let result = OperationResultSlot<T>()
            let name = "amap[\(results.count)] at \(site)"
            results.append(result)
            nursery.startSoon(name: name) {
                // The child's body always runs (also in a cancelled nursery), so every permit is
                // accounted for here.
                do {
                    result.store(try await transform(element))
                    slotsFree.release()
                } catch {
                    // A failure keeps its permit: the error cancels the nursery as it leaves this
                    // task, and the body, which cannot get a permit meanwhile, then stops at its
                    // `acquire` without taking another element. A cancellation gives it back (it
                    // may be this transform's own, with the nursery still running).
                    if error is CancellationError { slotsFree.release() }
                    throw error
                }
            }
        }
    }
    return try results.map { try $0.value() }
}

/// A synchronous iterator seen as an asynchronous one that runs on its caller's actor.
///
/// It implements `next(isolation:)` itself: the default one calls `next()`, which is
/// `nonisolated` and so would run the synchronous iterator (and any closure it calls, such as a
/// `lazy.map` transform capturing main-actor state) on the generic executor.
private struct IsolatedIterator<Base: IteratorProtocol>: AsyncIteratorProtocol {
    var base: Base

    mutating func next() async -> Base.Element? {
        base.next()
    }

    mutating func next(isolation actor: isolated (any Actor)?) async -> Base.Element? {
        base.next()
    }
}
