//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A text connection over a byte stream: receives as ``TextReceiveStream`` does and sends as
/// ``TextSendStream`` does.
///
/// ```swift
/// let chat = TextStream(connection)
/// try await chat.send("hello\n")
/// let answer = try await chat.receive()
/// ```
///
/// - SeeAlso: AnyIO `TextStream`.
public final class TextStream: ObjectStream {
    /// The stream's elements: pieces of text.
    public typealias Element = String

    let receiver: TextDecodingReceiver
    let stream: any ByteStream

    /// Wraps `stream`, which the text stream owns from now on.
    ///
    /// - Parameters:
    ///   - stream: The connection.
    ///   - invalidUTF8: What to do with received bytes that are not UTF-8: throw (the default)
    ///     or replace.
    public init(_ stream: any ByteStream, invalidUTF8: InvalidUTF8Handling = .throw) {
        self.stream = stream
        receiver = TextDecodingReceiver(stream, handling: invalidUTF8)
    }

    /// Receives the text that has arrived (see ``TextReceiveStream/receive()``).
    ///
    /// - Returns: A non-empty string.
    /// - Throws: What ``TextReceiveStream/receive()`` throws.
    public func receive() async throws -> String {
        try await receiver.receive()
    }

    /// Sends `item` encoded as UTF-8.
    ///
    /// - Parameter item: The text.
    /// - Throws: What the wrapped stream's `send` throws.
    public func send(_ item: String) async throws {
        try await stream.send(Array(item.utf8))
    }

    /// Half-closes the wrapped stream; receiving goes on.
    ///
    /// - Throws: What the wrapped stream's `sendEOF` throws.
    public func sendEOF() async throws {
        try await stream.sendEOF()
    }

    /// Closes the text stream and the stream it wraps.
    public func close() async {
        await stream.close()
    }

    /// The wrapped stream's typed attributes.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        try stream.extra(attribute)
    }
}
