//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// An object stream made of two one-way object streams, such as the two ends of two memory
/// object streams.
///
/// ```swift
/// let (toWorker, workerInbox) = makeMemoryObjectStream(of: Job.self)
/// let (workerOutbox, fromWorker) = makeMemoryObjectStream(of: Job.self)
/// let client = StapledObjectStream(sendStream: toWorker, receiveStream: fromWorker)
/// ```
///
/// ``sendEOF()`` closes the send stream; ``close()`` closes both. Typed attributes come from
/// the receive stream first, then from the send stream.
///
/// - SeeAlso: AnyIO `StapledObjectStream`.
public final class StapledObjectStream<Element: Sendable>: ObjectStream {
    /// Where ``send(_:)`` goes.
    public let sendStream: any ObjectSendStream<Element>
    /// Where ``receive()`` comes from.
    public let receiveStream: any ObjectReceiveStream<Element>

    /// Staples two one-way streams together; the stapled stream owns both from now on.
    ///
    /// - Parameters:
    ///   - sendStream: Where sending goes.
    ///   - receiveStream: Where receiving comes from.
    public init(sendStream: any ObjectSendStream<Element>, receiveStream: any ObjectReceiveStream<Element>) {
        self.sendStream = sendStream
        self.receiveStream = receiveStream
    }

    /// Receives from the receive stream.
    ///
    /// - Returns: The next object.
    /// - Throws: What the receive stream throws.
    public func receive() async throws -> Element {
        try await receiveStream.receive()
    }

    /// Sends through the send stream.
    ///
    /// - Parameter item: The object to send.
    /// - Throws: What the send stream throws.
    public func send(_ item: Element) async throws {
        try await sendStream.send(item)
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
