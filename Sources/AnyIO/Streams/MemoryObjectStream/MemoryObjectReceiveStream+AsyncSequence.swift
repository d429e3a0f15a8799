//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

extension MemoryObjectReceiveStream: AsyncSequence {
    /// The items received.
    public typealias Element = T
    /// Any error of ``MemoryObjectReceiveStream/receive()`` other than ``EndOfStreamError``.
    public typealias Failure = any Error

    /// Iterates the stream by calling ``MemoryObjectReceiveStream/receive()``.
    ///
    /// Each step is a checkpoint. The iteration ends (`next()` returns `nil`) at
    /// ``EndOfStreamError``: once every send endpoint is closed and the buffer is drained. Other
    /// errors (`CancellationError`, ``ClosedResourceError``) are thrown.
    ///
    /// - SeeAlso: AnyIO `MemoryObjectReceiveStream.__anext__()`.
    public struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline let stream: MemoryObjectReceiveStream<T>

        @usableFromInline
        init(stream: MemoryObjectReceiveStream<T>) {
            self.stream = stream
        }

        /// Receives the next item, or returns `nil` at the end of the stream.
        ///
        /// - Throws: `CancellationError`, ``ClosedResourceError``, as
        ///   ``MemoryObjectReceiveStream/receive()``.
        @inlinable
        public mutating func next() async throws -> T? {
            do {
                return try await stream.receive()
            } catch is EndOfStreamError {
                return nil
            }
        }

        /// Receives the next item, or returns `nil` at the end of the stream.
        ///
        /// - Parameter actor: The caller's isolation.
        /// - Throws: `CancellationError`, ``ClosedResourceError``, as
        ///   ``MemoryObjectReceiveStream/receive()``.
        @inlinable
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> T? {
            do {
                return try await stream.receive()
            } catch is EndOfStreamError {
                return nil
            }
        }
    }

    /// Makes an iterator that receives until the end of the stream.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(stream: self)
    }
}
