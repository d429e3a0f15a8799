//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Sends text to a byte stream, encoded as UTF-8.
///
/// ```swift
/// let text = TextSendStream(connection)
/// try await text.send("héllo\n")
/// ```
///
/// The stream answers the typed attributes of the stream it wraps.
///
/// - SeeAlso: AnyIO `TextSendStream`.
public final class TextSendStream: ObjectSendStream {
    /// The stream's elements: pieces of text.
    public typealias Element = String

    let stream: any ByteSendStream

    /// Wraps `stream`, which the text stream owns from now on.
    ///
    /// - Parameter stream: The stream to write to.
    public init(_ stream: any ByteSendStream) {
        self.stream = stream
    }

    /// Sends `item` encoded as UTF-8.
    ///
    /// - Parameter item: The text.
    /// - Throws: What the wrapped stream's `send` throws.
    public func send(_ item: String) async throws {
        try await stream.send(Array(item.utf8))
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
