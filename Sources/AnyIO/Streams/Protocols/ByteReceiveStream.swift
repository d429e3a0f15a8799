//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A stream of bytes that can be received: the read half of a connection, a file, a pipe.
///
/// ```swift
/// for try await chunk in stream.chunks() {
///     process(chunk)
/// }
/// ```
///
/// What every conforming type promises:
///
/// - ``receive(maxBytes:)`` returns between 1 and `maxBytes` bytes, never none.
/// - It throws ``EndOfStreamError`` at the end of the stream (the peer closed or sent EOF),
///   ``ClosedResourceError`` once this side closed the stream (also to a task blocked in it when
///   another task closes it), ``BrokenResourceError`` when the connection broke, and
///   ``BusyResourceError`` if another task is already receiving on the stream.
/// - It is a checkpoint and cancel-safe: a receive that is cancelled takes no bytes; a later
///   receive returns them.
/// - `maxBytes < 1` throws ``InvalidArgumentError`` before any I/O.
///
/// `AnyIOTesting` has conformance checks that a new implementation can run.
///
/// - SeeAlso: AnyIO `ByteReceiveStream`, Trio `ReceiveStream`.
public protocol ByteReceiveStream: AsyncResource, TypedAttributeProvider {
    /// Receives the next bytes, waiting until some arrive.
    ///
    /// - Parameter maxBytes: The most bytes to return; at least 1.
    /// - Returns: Between 1 and `maxBytes` bytes.
    /// - Throws: ``EndOfStreamError`` at the end of the stream; ``ClosedResourceError``,
    ///   ``BrokenResourceError``, ``BusyResourceError`` as described for the protocol;
    ///   ``InvalidArgumentError`` if `maxBytes < 1`; `CancellationError`.
    func receive(maxBytes: Int) async throws -> [UInt8]
}

extension ByteReceiveStream {
    /// Receives the next bytes, at most 65,536 of them.
    ///
    /// - Returns: Between 1 and 65,536 bytes.
    /// - Throws: What ``receive(maxBytes:)`` throws.
    public func receive() async throws -> [UInt8] {
        try await receive(maxBytes: defaultReceiveSize)
    }

    /// The stream's bytes as a sequence of chunks, each at most `maxBytes` long, ending at the
    /// end of the stream.
    ///
    /// Iterating calls ``receive(maxBytes:)``; the end of the stream ends the loop instead of
    /// throwing ``EndOfStreamError``. Other errors are thrown from the loop.
    ///
    /// - Parameter maxBytes: The most bytes in one chunk; at least 1 (a smaller value throws
    ///   ``InvalidArgumentError`` from the first iteration, before any I/O).
    /// - Returns: The sequence of chunks.
    public func chunks(maxBytes: Int = defaultReceiveSize) -> some AsyncSequence<[UInt8], any Error> {
        ByteChunks(stream: self, maxBytes: maxBytes)
    }
}

/// How many bytes ``ByteReceiveStream/receive()`` and ``ByteReceiveStream/chunks(maxBytes:)``
/// ask for when not told: 65,536, as in AnyIO.
public let defaultReceiveSize = 65_536

/// The chunks of a byte stream, as made by ``ByteReceiveStream/chunks(maxBytes:)``.
struct ByteChunks<Stream: ByteReceiveStream>: AsyncSequence {
    typealias Element = [UInt8]
    typealias Failure = any Error

    let stream: Stream
    let maxBytes: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        typealias Element = [UInt8]
        typealias Failure = any Error

        let stream: Stream
        let maxBytes: Int
        var finished = false

        mutating func next() async throws -> [UInt8]? {
            guard !finished else { return nil }
            do {
                try checkMaxBytes(maxBytes, of: "chunks(maxBytes:)")
                return try await stream.receive(maxBytes: maxBytes)
            } catch is EndOfStreamError {
                finished = true
                return nil
            } catch {
                finished = true
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(stream: stream, maxBytes: maxBytes)
    }
}

/// Throws ``InvalidArgumentError`` unless `maxBytes` is at least 1.
///
/// - Parameters:
///   - maxBytes: The caller's argument.
///   - function: The API it was passed to, for the message.
package func checkMaxBytes(_ maxBytes: Int, of function: String) throws {
    guard maxBytes >= 1 else {
        throw InvalidArgumentError(
            "\(function): maxBytes must be at least 1, got \(maxBytes); pass the largest number of bytes you want back"
        )
    }
}
