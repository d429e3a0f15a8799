//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import AnyIO
import NIOCore

/// A TCP connection as a ``ByteStream``: what ``connectTCP(host:port:localHost:localPort:happyEyeballsDelay:)``
/// returns and a TCP listener accepts.
///
/// ```swift
/// let stream = try await connectTCP(host: "localhost", port: 8080)
/// try await stream.executeThenClose { stream in
///     try await stream.send("hello\n")
///     let reply = try await stream.receive()
/// }
/// ```
///
/// - `receive(maxBytes:)` returns between 1 and `maxBytes` bytes; it throws `EndOfStreamError`
///   once the peer sent EOF (after the data before it), `ClosedResourceError` after ``close()``
///   (also to a task blocked in it), `BrokenResourceError` when the connection broke (a reset),
///   and `BusyResourceError` while another task receives.
/// - Every call is a checkpoint. A cancelled `receive` loses no bytes. A cancelled `send` may have
///   handed a prefix of its bytes to the connection; the stream is then fit only for `close()`
///   (IO1).
/// - Reading is driven by demand: while a quarter MiB is buffered unread, no more is read from the
///   socket, so a slow consumer slows the peer down (back-pressure). A `send` waits while the
///   socket's outgoing buffers are full.
/// - TCP_NODELAY is on.
///
/// Answers ``SocketAttribute`` (family, local and remote address and port) through `extra(_:)`.
///
/// - SeeAlso: AnyIO `SocketStream`.
public final class SocketStream: ByteStream {
    let storage: SocketStreamStorage
    private let attributes: TypedAttributeSet
    private let receiveGuard = ResourceGuard(action: "reading from")
    private let sendGuard = ResourceGuard(action: "writing to")

    init(storage: SocketStreamStorage) {
        self.storage = storage
        var attributes = TypedAttributeSet()
        attributes.addSocketAttributes(local: storage.channel.localAddress, remote: storage.channel.remoteAddress)
        self.attributes = attributes
    }

    /// The stream of a channel set up by this module (with a `SocketStreamHandler`).
    static func wrapping(_ channel: any Channel) async throws -> SocketStream {
        SocketStream(storage: try await channel.socketStreamStorage())
    }

    deinit {
        // Safety net only: close streams with `close()` or `executeThenClose`.
        storage.closeNow()
    }

    /// Receives at most `maxBytes` bytes: between 1 and `maxBytes`, waiting for the first.
    ///
    /// A checkpoint; a cancelled call loses nothing (the bytes stay for the next call).
    ///
    /// - Parameter maxBytes: The most bytes to return; at least 1.
    /// - Returns: The bytes, never empty.
    /// - Throws: `EndOfStreamError` at the end of the stream, `ClosedResourceError` once this
    ///   stream was closed, `BrokenResourceError` if the connection broke, `BusyResourceError`
    ///   while another task receives, `InvalidArgumentError` if `maxBytes < 1`, or
    ///   `CancellationError`.
    public nonisolated(nonsending) func receive(maxBytes: Int) async throws -> [UInt8] {
        try checkMaxBytes(maxBytes, of: "receive(maxBytes:)")
        try receiveGuard.enter()
        defer { receiveGuard.leave() }
        return try await storage.receive(maxBytes: maxBytes)
    }

    /// Sends `bytes`, waiting while the connection's outgoing buffers are full.
    ///
    /// A checkpoint. Returns once the bytes are handed to the connection (not when the peer has
    /// them). If cancelled while waiting, a prefix may have been sent already; the stream is then
    /// fit only for `close()`.
    ///
    /// - Parameter bytes: The bytes to send (an empty array sends nothing).
    /// - Throws: `ClosedResourceError` once this stream was closed or ``sendEOF()`` was called,
    ///   `BrokenResourceError` if the connection broke, `BusyResourceError` while another task
    ///   sends, or `CancellationError`.
    public nonisolated(nonsending) func send(_ bytes: [UInt8]) async throws {
        try sendGuard.enter()
        defer { sendGuard.leave() }
        try await storage.send(bytes)
    }

    /// Half-closes the connection: the peer receives the data sent so far and then the end of
    /// the stream; this side can still receive (IO4).
    ///
    /// Calling it again does nothing.
    ///
    /// - Throws: `ClosedResourceError` once this stream was closed, `BrokenResourceError` if the
    ///   connection broke, or `CancellationError`.
    public func sendEOF() async throws {
        try await storage.sendEOF()
    }

    /// Closes the connection (IO3).
    ///
    /// Always closes, also when the caller is cancelled; calling it again does nothing. A task
    /// blocked in `receive` or `send` on this stream wakes with `ClosedResourceError`. Data
    /// handed to the connection by earlier sends is still delivered (in the background) unless
    /// the caller is cancelled, which closes at once.
    public func close() async {
        await storage.close(forcefully: isCurrentlyCancelled())
    }

    /// Looks up a typed attribute: the ``SocketAttribute`` values.
    ///
    /// - Throws: `TypedAttributeLookupError` for an attribute the stream does not provide.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        try attributes.value(of: attribute)
    }
}
