//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import AnyIO

/// A Unix datagram socket connected to one peer (IO11).
///
/// ```swift
/// let socket = try await makeConnectedUnixDatagramSocket(remotePath: "/tmp/app.dgram")
/// try await socket.send(Array("ping".utf8))
/// ```
///
/// Answers ``SocketAttribute/family``, ``SocketAttribute/localAddress`` and
/// ``SocketAttribute/remoteAddress``.
///
/// - SeeAlso: AnyIO `ConnectedUNIXDatagramSocket`.
public final class ConnectedUNIXDatagramSocket: AsyncResource, TypedAttributeProvider {
    let core: DatagramCore
    private let attributes: TypedAttributeSet

    init(core: DatagramCore) {
        self.core = core
        attributes = core.attributes(connected: true)
    }

    /// Receives one datagram from the peer (truncated to 65,536 bytes).
    ///
    /// - Returns: The payload.
    /// - Throws: `ClosedResourceError`, `BusyResourceError`, ``SocketError``, or
    ///   `CancellationError`.
    public func receive() async throws -> [UInt8] {
        try await core.receive(maxBytes: DatagramCore.defaultReceiveSize).data
    }

    /// Receives one datagram from the peer, truncated to `maxBytes` if it is larger.
    ///
    /// - Parameter maxBytes: The most bytes to return; at least 1.
    /// - Returns: The payload.
    /// - Throws: As ``receive()``, and `InvalidArgumentError` if `maxBytes < 1`.
    public func receive(maxBytes: Int) async throws -> [UInt8] {
        try await core.receive(maxBytes: maxBytes).data
    }

    /// Sends one datagram to the peer. A checkpoint; waits while the peer's queue is full.
    ///
    /// - Parameter data: The payload.
    /// - Throws: ``SocketError`` (`ECONNREFUSED` once the peer is gone, `EMSGSIZE`),
    ///   `ClosedResourceError`, `BusyResourceError`, or `CancellationError`.
    public func send(_ data: [UInt8]) async throws {
        try await core.send(data, to: nil, display: core.siteName)
    }

    /// Closes the socket (IO3). Calling it again does nothing.
    public func close() async {
        await core.close()
    }

    /// Looks up a typed attribute: the ``SocketAttribute`` values.
    ///
    /// - Throws: `TypedAttributeLookupError` for an attribute the socket does not provide.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        try attributes.value(of: attribute)
    }
}
