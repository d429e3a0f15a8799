//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A stream of bytes that can be sent: the write half of a connection, a file, a pipe.
///
/// What every conforming type promises:
///
/// - ``send(_:)`` returns once every byte was handed to the other side (or to the operating
///   system); sending an empty array does nothing but the checkpoint.
/// - It throws ``ClosedResourceError`` once this side closed the stream,
///   ``BrokenResourceError`` when the other side is gone, and ``BusyResourceError`` if another
///   task is already sending on the stream.
/// - It is a checkpoint. A cancelled send may have sent a prefix of its bytes (as in AnyIO and
///   Trio); after that the stream is fit only for ``AsyncResource/close()``.
///
/// - SeeAlso: AnyIO `ByteSendStream`, Trio `SendStream`.
public protocol ByteSendStream: AsyncResource, TypedAttributeProvider {
    /// Sends `bytes`, waiting while the other side cannot take more.
    ///
    /// - Parameter bytes: The bytes to send.
    /// - Throws: ``ClosedResourceError``, ``BrokenResourceError``, ``BusyResourceError`` as
    ///   described for the protocol; `CancellationError`.
    func send(_ bytes: [UInt8]) async throws
}

extension ByteSendStream {
    /// Sends `text` encoded as UTF-8.
    ///
    /// - Parameter text: The text to send.
    /// - Throws: What ``send(_:)`` throws.
    public func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    /// Sends the bytes of any collection.
    ///
    /// - Parameter bytes: The bytes to send.
    /// - Throws: What ``send(_:)`` throws.
    public func send(contentsOf bytes: some Collection<UInt8>) async throws {
        try await send(Array(bytes))
    }
}

/// A byte stream that can both receive and send: a connection.
///
/// ```swift
/// try await stream.send("ping\n")
/// let reply = try await stream.receive()
/// try await stream.sendEOF()
/// ```
///
/// - SeeAlso: AnyIO `ByteStream`, Trio `HalfCloseableStream`.
public protocol ByteStream: ByteReceiveStream, ByteSendStream {
    /// Closes the sending half: the peer's receive throws ``EndOfStreamError`` after the bytes
    /// sent so far, and this side can still receive.
    ///
    /// Sending after it throws ``ClosedResourceError``. Calling it twice is harmless.
    ///
    /// - Throws: ``ClosedResourceError`` if the stream was closed; ``BrokenResourceError``;
    ///   an error that says why if the stream cannot half-close.
    func sendEOF() async throws
}
