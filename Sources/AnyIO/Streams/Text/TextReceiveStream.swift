//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Receives text from a byte stream, decoding UTF-8 as the bytes arrive.
///
/// ```swift
/// let text = TextReceiveStream(connection)
/// while true {
///     let piece = try await text.receive()   // whatever text has arrived, never ""
///     print(piece, terminator: "")
/// }
/// ```
///
/// A character whose bytes are split across two chunks of the wrapped stream comes out whole.
/// Bytes that are not UTF-8 throw ``UTF8DecodingError`` with their offset from the start of the
/// stream, or are replaced with U+FFFD if the stream was made with `invalidUTF8: .replace`.
/// ``receive()`` is a checkpoint and cancel-safe; one task receives at a time. The stream answers
/// the typed attributes of the stream it wraps.
///
/// - SeeAlso: AnyIO `TextReceiveStream`.
public final class TextReceiveStream: ObjectReceiveStream {
    /// The stream's elements: pieces of text.
    public typealias Element = String

    let receiver: TextDecodingReceiver

    /// Wraps `stream`, which the text stream owns from now on.
    ///
    /// - Parameters:
    ///   - stream: The stream to decode.
    ///   - invalidUTF8: What to do with bytes that are not UTF-8: throw (the default) or replace.
    public init(_ stream: any ByteReceiveStream, invalidUTF8: InvalidUTF8Handling = .throw) {
        receiver = TextDecodingReceiver(stream, handling: invalidUTF8)
    }

    /// Receives the text that has arrived, waiting until there is some.
    ///
    /// - Returns: A non-empty string.
    /// - Throws: ``EndOfStreamError`` at the end of the stream; ``UTF8DecodingError`` for
    ///   invalid bytes (unless replacing); ``BusyResourceError``; what the wrapped stream throws.
    public func receive() async throws -> String {
        try await receiver.receive()
    }

    /// Closes the text stream and the stream it wraps.
    public func close() async {
        await receiver.inner.close()
    }

    /// The wrapped stream's typed attributes.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        try receiver.inner.extra(attribute)
    }
}
