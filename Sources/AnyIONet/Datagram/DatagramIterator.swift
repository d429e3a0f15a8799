//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Iterates a datagram socket's incoming datagrams: each `next()` is one `receive()`.
///
/// The iteration does not end by itself (datagram sockets have no end of stream); it ends with
/// the error of a receive: `ClosedResourceError` once the socket was closed, or
/// `CancellationError`. Break out of the loop to stop.
///
/// ```swift
/// for try await packet in socket {
///     try await socket.send(packet)   // echo
/// }
/// ```
///
/// - SeeAlso: AnyIO `async for packet in udp_socket`.
public struct DatagramIterator<Element: Sendable>: AsyncIteratorProtocol {
    private let receive: @Sendable () async throws -> Element

    init(_ receive: @escaping @Sendable () async throws -> Element) {
        self.receive = receive
    }

    /// Receives the next datagram. A checkpoint, as `receive()` is.
    ///
    /// - Returns: The datagram (never `nil`: the iteration ends only with an error).
    /// - Throws: What `receive()` throws.
    public mutating func next() async throws -> Element? {
        try await receive()
    }
}

extension UDPSocket: AsyncSequence {
    /// Iterates the incoming packets: `for try await packet in socket { … }`.
    ///
    /// - Returns: An iterator whose every step is a ``receive()``.
    public func makeAsyncIterator() -> DatagramIterator<UDPPacket> {
        DatagramIterator { try await self.receive() }
    }
}

extension ConnectedUDPSocket: AsyncSequence {
    /// Iterates the incoming datagrams' payloads: `for try await data in socket { … }`.
    ///
    /// - Returns: An iterator whose every step is a ``receive()``.
    public func makeAsyncIterator() -> DatagramIterator<[UInt8]> {
        DatagramIterator { try await self.receive() }
    }
}

extension UNIXDatagramSocket: AsyncSequence {
    /// Iterates the incoming packets: `for try await packet in socket { … }`.
    ///
    /// - Returns: An iterator whose every step is a ``receive()``.
    public func makeAsyncIterator() -> DatagramIterator<UNIXDatagramPacket> {
        DatagramIterator { try await self.receive() }
    }
}

extension ConnectedUNIXDatagramSocket: AsyncSequence {
    /// Iterates the incoming datagrams' payloads: `for try await data in socket { … }`.
    ///
    /// - Returns: An iterator whose every step is a ``receive()``.
    public func makeAsyncIterator() -> DatagramIterator<[UInt8]> {
        DatagramIterator { try await self.receive() }
    }
}
