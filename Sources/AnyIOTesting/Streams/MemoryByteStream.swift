//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import AnyIO
import Synchronization

/// One end of an in-memory byte connection made by
/// ``memoryByteStreamPair(maxBufferSize:maxChunkSize:)``: a ``ByteStream`` with no socket
/// behind it, for testing code written against byte streams.
///
/// Each direction buffers at most `maxBufferSize` bytes, so a sender waits while its peer does
/// not receive (flow control), and hands out at most `maxChunkSize` bytes per receive, so that a
/// test can make every read short. It behaves like a socket stream in everything the stream
/// protocols promise: `sendEOF` half-closes, `close()` wakes a blocked call on this end with
/// ``ClosedResourceError`` and makes the peer's receive see the end of the stream and its send
/// throw ``BrokenResourceError``; a second task receiving (or sending) at once gets
/// ``BusyResourceError``; a cancelled receive loses nothing.
///
/// - SeeAlso: Trio `trio.testing.memory_stream_pair`.
public final class MemoryByteStream: ByteStream {
    /// What this end receives from.
    private let incoming: MemoryBytePipe
    /// What this end sends into.
    private let outgoing: MemoryBytePipe
    private let receiveGuard = ResourceGuard(action: "reading from")
    private let sendGuard = ResourceGuard(action: "writing to")
    private let isClosed = Atomic<Bool>(false)

    init(incoming: MemoryBytePipe, outgoing: MemoryBytePipe) {
        self.incoming = incoming
        self.outgoing = outgoing
    }

    deinit {
        // Safety net: a dropped end closes, so its peer sees the end of the stream.
        if !isClosed.load(ordering: .acquiring) {
            outgoing.closeSend()
            incoming.closeReceive()
        }
    }

    /// How many bytes this end has sent that its peer has not received yet.
    public var unreceivedCount: Int { outgoing.bufferedCount }

    /// Receives up to `maxBytes` bytes (at most `maxChunkSize`), waiting until some arrive.
    ///
    /// - Parameter maxBytes: The most bytes to return; at least 1.
    /// - Returns: Between 1 and `maxBytes` bytes.
    /// - Throws: ``EndOfStreamError`` once the peer sent EOF or closed and everything was
    ///   received; ``ClosedResourceError`` after this end closed; ``BusyResourceError``;
    ///   ``InvalidArgumentError`` if `maxBytes < 1`; `CancellationError`.
    public func receive(maxBytes: Int) async throws -> [UInt8] {
        try await receiveGuard.withGuard {
            try await incoming.receive(maxBytes: maxBytes)
        }
    }

    /// Sends `bytes`, waiting while the peer's buffer is full.
    ///
    /// - Parameter bytes: The bytes to send.
    /// - Throws: ``ClosedResourceError`` after this end closed or sent EOF;
    ///   ``BrokenResourceError`` once the peer closed; ``BusyResourceError``; `CancellationError`
    ///   (a prefix of the bytes may have been sent).
    public func send(_ bytes: [UInt8]) async throws {
        try await sendGuard.withGuard {
            try await outgoing.send(bytes)
        }
    }

    /// Half-closes: the peer receives what was sent and then the end of the stream.
    ///
    /// - Throws: ``ClosedResourceError`` if this end was closed.
    public func sendEOF() async throws {
        if isClosed.load(ordering: .acquiring) { throw ClosedResourceError() }
        outgoing.sendEOF()
    }

    /// Closes this end (idempotent, never waits).
    public func close() async {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        outgoing.closeSend()
        incoming.closeReceive()
    }

    /// A memory stream has no typed attributes: always throws ``TypedAttributeLookupError``.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        throw TypedAttributeLookupError(attribute: attribute)
    }
}

/// Makes two connected in-memory ``ByteStream``s: what one sends, the other receives.
///
/// ```swift
/// let (client, server) = memoryByteStreamPair()
/// try await withNursery { nursery in
///     nursery.startSoon { try await echo(server) }
///     try await client.send("ping")
///     #expect(try await client.receive() == Array("ping".utf8))
/// }
/// ```
///
/// - Parameters:
///   - maxBufferSize: The most bytes each direction buffers before its sender waits; at least 1.
///   - maxChunkSize: The most bytes one receive returns; at least 1. A small value makes every
///     read short, which flushes out framing bugs.
/// - Returns: The two ends.
/// - SeeAlso: Trio `memory_stream_pair`.
public func memoryByteStreamPair(
    maxBufferSize: Int = 65_536,
    maxChunkSize: Int = .max
) -> (MemoryByteStream, MemoryByteStream) {
    guard maxBufferSize >= 1, maxChunkSize >= 1 else {
        fatalError(
            "memoryByteStreamPair: maxBufferSize (\(maxBufferSize)) and maxChunkSize (\(maxChunkSize)) must be at least 1"
        )
    }
    let aToB = MemoryBytePipe(maxBufferSize: maxBufferSize, maxChunkSize: maxChunkSize)
    let bToA = MemoryBytePipe(maxBufferSize: maxBufferSize, maxChunkSize: maxChunkSize)
    return (
        MemoryByteStream(incoming: bToA, outgoing: aToB),
        MemoryByteStream(incoming: aToB, outgoing: bToA)
    )
}
