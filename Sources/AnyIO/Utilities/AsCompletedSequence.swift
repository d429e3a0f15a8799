//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The results of the operations run by
/// ``asCompleted(_:isolation:fileID:line:_:)``, in the order the operations finish.
///
/// Each element is one operation's value; an operation that threw yields none. The sequence
/// ends once every operation has finished. It is valid only inside the `asCompleted` body that
/// received it: iterating it after `asCompleted` has returned throws ``ClosedResourceError``.
/// The results are shared by all iterators: several tasks iterating the same sequence (children
/// of a nursery inside the body, say) each get different results.
///
/// Each step is a checkpoint: it checks for cancellation first and yields at least once. It throws
/// `CancellationError` when the `asCompleted` scope is cancelled, which happens when an operation
/// fails or the caller is cancelled.
///
/// ```swift
/// try await asCompleted(downloads) { results in
///     for try await file in results { print("finished", file) }
/// }
/// ```
///
/// - SeeAlso: AnyIO `as_completed()`'s `MemoryObjectReceiveStream[TaskHandle]`.
public struct AsCompletedSequence<Element: Sendable>: AsyncSequence, Sendable {
    /// The errors of a step: `CancellationError`, or ``ClosedResourceError`` after `asCompleted` returned.
    public typealias Failure = any Error

    /// The receive side of the stream the operations send their values to.
    let results: MemoryObjectReceiveStream<Element>

    init(results: MemoryObjectReceiveStream<Element>) {
        self.results = results
    }

    /// Iterates the results in completion order.
    ///
    /// Not `Sendable`: an iterator belongs to the task that iterates with it (to iterate from
    /// several tasks, give each its own iterator; they share the results).
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: MemoryObjectReceiveStream<Element>.AsyncIterator

        /// Waits for the next operation to finish and returns its value, or `nil` once every
        /// operation has finished. A checkpoint.
        ///
        /// - Throws: `CancellationError` if the `asCompleted` scope is cancelled (an operation
        ///   failed, or the caller was cancelled); ``ClosedResourceError`` after `asCompleted`
        ///   has returned.
        public mutating func next() async throws -> Element? {
            try await base.next()
        }

        /// Waits for the next operation to finish and returns its value, or `nil` once every
        /// operation has finished. A checkpoint.
        ///
        /// - Parameter actor: The caller's isolation.
        /// - Throws: `CancellationError` if the `asCompleted` scope is cancelled (an operation
        ///   failed, or the caller was cancelled); ``ClosedResourceError`` after `asCompleted`
        ///   has returned.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> Element? {
            try await base.next(isolation: actor)
        }
    }

    /// Makes an iterator over the results.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: results.makeAsyncIterator())
    }
}

/// An iterator belongs to the task that iterates with it.
@available(*, unavailable)
extension AsCompletedSequence.AsyncIterator: Sendable {}
