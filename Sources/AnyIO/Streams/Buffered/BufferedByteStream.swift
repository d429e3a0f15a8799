//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A byte stream with a buffer in front of its receiving half: ``BufferedByteReceiveStream``'s
/// methods for a connection that is also written to.
///
/// ```swift
/// let connection = BufferedByteStream(stream)
/// try await connection.send("HELLO\r\n")
/// let greeting = try await connection.receiveUntil(Array("\r\n".utf8), maxBytes: 1024)
/// ```
///
/// Sending goes straight to the wrapped stream. The stream answers the typed attributes of the
/// stream it wraps.
///
/// - SeeAlso: AnyIO `BufferedByteStream`.
public final class BufferedByteStream: ByteStream {
    let receiver: BufferedReceiver
    let stream: any ByteStream

    /// Wraps `stream`. The buffered stream owns it from now on: closing one closes the other.
    ///
    /// - Parameter stream: The connection.
    public init(_ stream: any ByteStream) {
        self.stream = stream
        receiver = BufferedReceiver(stream)
    }

    /// The bytes received and not handed out yet
    /// (see ``BufferedByteReceiveStream/buffer``).
    public var buffer: [UInt8] { receiver.buffer }

    /// Adds `bytes` to the end of the buffer
    /// (see ``BufferedByteReceiveStream/feedData(_:)-([UInt8])``).
    ///
    /// - Parameter bytes: The bytes to add.
    public func feedData(_ bytes: some Collection<UInt8>) {
        receiver.feedData(bytes)
    }

    /// Adds `bytes` to the end of the buffer.
    ///
    /// - Parameter bytes: The bytes to add.
    public func feedData(_ bytes: [UInt8]) {
        receiver.feedData(bytes)
    }

    /// Receives up to `maxBytes` bytes (see ``BufferedByteReceiveStream/receive(maxBytes:)``).
    ///
    /// - Parameter maxBytes: The most bytes to return; at least 1.
    /// - Returns: Between 1 and `maxBytes` bytes.
    /// - Throws: What ``BufferedByteReceiveStream/receive(maxBytes:)`` throws.
    public nonisolated(nonsending) func receive(maxBytes: Int) async throws -> [UInt8] {
        try await receiver.receive(maxBytes: maxBytes)
    }

    /// Receives exactly `count` bytes (see ``BufferedByteReceiveStream/receiveExactly(_:)``).
    ///
    /// - Parameter count: How many bytes.
    /// - Returns: `count` bytes.
    /// - Throws: What ``BufferedByteReceiveStream/receiveExactly(_:)`` throws.
    public nonisolated(nonsending) func receiveExactly(_ count: Int) async throws -> [UInt8] {
        try await receiver.receiveExactly(count)
    }

    /// Receives the bytes up to `delimiter`
    /// (see ``BufferedByteReceiveStream/receiveUntil(_:maxBytes:)``).
    ///
    /// - Parameters:
    ///   - delimiter: The bytes that end a frame; not empty.
    ///   - maxBytes: The most bytes to gather while looking for the delimiter.
    /// - Returns: The bytes before the delimiter.
    /// - Throws: What ``BufferedByteReceiveStream/receiveUntil(_:maxBytes:)`` throws.
    public nonisolated(nonsending) func receiveUntil(_ delimiter: [UInt8], maxBytes: Int) async throws -> [UInt8] {
        try await receiver.receiveUntil(delimiter, maxBytes: maxBytes)
    }

    /// Sends `bytes` through the wrapped stream.
    ///
    /// - Parameter bytes: The bytes to send.
    /// - Throws: What the wrapped stream's `send` throws.
    public func send(_ bytes: [UInt8]) async throws {
        try await stream.send(bytes)
    }

    /// Half-closes the wrapped stream; receiving goes on.
    ///
    /// - Throws: What the wrapped stream's `sendEOF` throws.
    public func sendEOF() async throws {
        try await stream.sendEOF()
    }

    /// Closes the buffered stream and the stream it wraps.
    public func close() async {
        await receiver.close()
    }

    /// The wrapped stream's typed attributes.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        try stream.extra(attribute)
    }
}
