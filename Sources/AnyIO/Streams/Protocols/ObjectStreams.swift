//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A stream of objects that can be received, such as a ``MemoryObjectReceiveStream`` or a
/// ``TextReceiveStream`` (which receives strings).
///
/// ``receive()`` throws ``EndOfStreamError`` at the end of the stream, ``ClosedResourceError``
/// once this side closed it, and ``BrokenResourceError`` when the other side broke it. It is a
/// checkpoint and cancel-safe.
///
/// - SeeAlso: AnyIO `ObjectReceiveStream`, Trio `ReceiveChannel`.
public protocol ObjectReceiveStream<Element>: AsyncResource, TypedAttributeProvider {
    /// The type of the objects.
    associatedtype Element: Sendable

    /// Receives the next object, waiting until one arrives.
    ///
    /// - Returns: The object.
    /// - Throws: ``EndOfStreamError`` at the end of the stream; ``ClosedResourceError``;
    ///   ``BrokenResourceError``; `CancellationError`.
    func receive() async throws -> Element
}

/// A stream of objects that can be sent, such as a ``MemoryObjectSendStream`` or a
/// ``TextSendStream`` (which sends strings).
///
/// - SeeAlso: AnyIO `ObjectSendStream`, Trio `SendChannel`.
public protocol ObjectSendStream<Element>: AsyncResource, TypedAttributeProvider {
    /// The type of the objects.
    associatedtype Element: Sendable

    /// Sends `item`, waiting while the other side cannot take it.
    ///
    /// - Parameter item: The object to send.
    /// - Throws: ``ClosedResourceError`` once this side closed the stream;
    ///   ``BrokenResourceError`` when nobody can receive it any more; `CancellationError`.
    func send(_ item: Element) async throws
}

/// A stream of objects that can both receive and send.
///
/// - SeeAlso: AnyIO `ObjectStream`.
public protocol ObjectStream<Element>: ObjectReceiveStream, ObjectSendStream {
    /// Closes the sending half: the peer's receive throws ``EndOfStreamError`` after the objects
    /// sent so far, and this side can still receive.
    ///
    /// - Throws: ``ClosedResourceError`` if the stream was closed; what the underlying stream
    ///   throws.
    func sendEOF() async throws
}
