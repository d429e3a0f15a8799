//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A byte receive stream with a buffer in front, for protocols framed by length or by
/// delimiter: ``receiveExactly(_:)`` and ``receiveUntil(_:maxBytes:)``.
///
/// ```swift
/// let buffered = BufferedByteReceiveStream(connection)
/// while true {
///     let line = try await buffered.receiveUntil(Array("\r\n".utf8), maxBytes: 8192)
///     handle(line)
/// }
/// ```
///
/// Every method is a checkpoint and cancel-safe: a call that is cancelled (or that fails with
/// ``IncompleteReadError`` or ``DelimiterNotFoundError``) leaves every byte it had gathered in
/// ``buffer``, where the next call finds it. One task receives at a time; a second one gets
/// ``BusyResourceError``. The stream answers the typed attributes of the stream it wraps.
///
/// - SeeAlso: AnyIO `BufferedByteReceiveStream`.
public final class BufferedByteReceiveStream: ByteReceiveStream {
    let receiver: BufferedReceiver

    /// Wraps `stream`. The buffered stream owns it from now on: closing one closes the other.
    ///
    /// - Parameter stream: The stream to read from.
    public init(_ stream: any ByteReceiveStream) {
        receiver = BufferedReceiver(stream)
    }

    /// The bytes received from the wrapped stream (or fed) and not handed out yet.
    public var buffer: [UInt8] { receiver.buffer }

    /// Adds `bytes` to the end of the buffer: they come out before anything received from the
    /// wrapped stream later (bytes a protocol read too far, say, or a handshake's leftovers).
    ///
    /// - Parameter bytes: The bytes to add.
    public func feedData(_ bytes: some Collection<UInt8>) {
        receiver.feedData(bytes)
    }

    /// Adds `bytes` to the end of the buffer (see ``feedData(_:)-(Collection<UInt8>)``).
    ///
    /// - Parameter bytes: The bytes to add.
    public func feedData(_ bytes: [UInt8]) {
        receiver.feedData(bytes)
    }

    /// Receives up to `maxBytes` bytes: from the buffer if it has any, else from the wrapped
    /// stream.
    ///
    /// - Parameter maxBytes: The most bytes to return; at least 1.
    /// - Returns: Between 1 and `maxBytes` bytes.
    /// - Throws: ``EndOfStreamError`` when the buffer is empty and the wrapped stream ended;
    ///   ``ClosedResourceError`` after ``close()``; ``BusyResourceError``;
    ///   ``InvalidArgumentError`` if `maxBytes < 1`; what the wrapped stream throws.
    public nonisolated(nonsending) func receive(maxBytes: Int) async throws -> [UInt8] {
        try await receiver.receive(maxBytes: maxBytes)
    }

    /// Receives exactly `count` bytes, waiting until that many arrived.
    ///
    /// - Parameter count: How many bytes; `0` returns an empty array (after the checkpoint).
    /// - Returns: `count` bytes.
    /// - Throws: ``IncompleteReadError`` if the stream ends first (the bytes that arrived stay in
    ///   ``buffer``); ``InvalidArgumentError`` if `count` is negative; ``ClosedResourceError``;
    ///   ``BusyResourceError``; what the wrapped stream throws.
    public nonisolated(nonsending) func receiveExactly(_ count: Int) async throws -> [UInt8] {
        try await receiver.receiveExactly(count)
    }

    /// Receives the bytes up to `delimiter`, and consumes the delimiter.
    ///
    /// - Parameters:
    ///   - delimiter: The bytes that end a frame, such as `[0x0A]` for a line; not empty.
    ///   - maxBytes: The most bytes to gather while looking for the delimiter.
    /// - Returns: The bytes before the delimiter (possibly none).
    /// - Throws: ``DelimiterNotFoundError`` when `maxBytes` bytes are buffered without the
    ///   delimiter; ``IncompleteReadError`` if the stream ends first (in both cases the bytes stay
    ///   in ``buffer``); ``InvalidArgumentError`` for an empty delimiter or `maxBytes < 1`;
    ///   ``ClosedResourceError``; ``BusyResourceError``; what the wrapped stream throws.
    public nonisolated(nonsending) func receiveUntil(_ delimiter: [UInt8], maxBytes: Int) async throws -> [UInt8] {
        try await receiver.receiveUntil(delimiter, maxBytes: maxBytes)
    }

    /// Closes the buffered stream and the stream it wraps.
    public func close() async {
        await receiver.close()
    }

    /// The wrapped stream's typed attributes.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        try receiver.inner.extra(attribute)
    }
}
