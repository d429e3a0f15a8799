//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A byte stream made of two one-way streams: sending goes to one, receiving comes from the
/// other (a pair of pipes, say, or a child process's stdin and stdout).
///
/// ```swift
/// let stream = StapledByteStream(sendStream: process.stdin!, receiveStream: process.stdout!)
/// try await stream.send("query\n")
/// let answer = try await stream.receive()
/// ```
///
/// ``sendEOF()`` closes the send stream; ``close()`` closes both. Typed attributes come from
/// the receive stream first, then from the send stream.
///
/// - SeeAlso: AnyIO `StapledByteStream`.
public final class StapledByteStream: ByteStream {
    /// Where ``send(_:)`` goes.
    public let sendStream: any ByteSendStream
    /// Where ``receive(maxBytes:)`` comes from.
    public let receiveStream: any ByteReceiveStream

    /// Staples two one-way streams together; the stapled stream owns both from now on.
    ///
    /// - Parameters:
    ///   - sendStream: Where sending goes.
    ///   - receiveStream: Where receiving comes from.
    public init(sendStream: any ByteSendStream, receiveStream: any ByteReceiveStream) {
        self.sendStream = sendStream
        self.receiveStream = receiveStream
    }

    /// Receives from the receive stream.
    ///
    /// - Parameter maxBytes: The most bytes to return; at least 1.
    /// - Returns: Between 1 and `maxBytes` bytes.
    /// - Throws: What the receive stream throws.
    public func receive(maxBytes: Int) async throws -> [UInt8] {
        try await receiveStream.receive(maxBytes: maxBytes)
    }

    /// Sends through the send stream.
    ///
    /// - Parameter bytes: The bytes to send.
    /// - Throws: What the send stream throws.
    public func send(_ bytes: [UInt8]) async throws {
        try await sendStream.send(bytes)
    }

    /// Closes the send stream, so that the peer sees the end of the stream; receiving goes on.
    public func sendEOF() async throws {
        await sendStream.close()
    }

    /// Closes both streams (the send stream first).
    public func close() async {
        await sendStream.close()
        await receiveStream.close()
    }

    /// The receive stream's attribute if it has it, else the send stream's.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        do {
            return try receiveStream.extra(attribute)
        } catch is TypedAttributeLookupError {
            return try sendStream.extra(attribute)
        }
    }
}
