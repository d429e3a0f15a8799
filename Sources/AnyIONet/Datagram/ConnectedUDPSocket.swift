//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import AnyIO

/// A UDP socket connected to one peer: sends to it, receives only from it (IO11).
///
/// ```swift
/// let socket = try await makeConnectedUDPSocket(remoteHost: "127.0.0.1", remotePort: 5353)
/// try await socket.send(Array("ping".utf8))
/// let reply = try await socket.receive()
/// ```
///
/// As ``UDPSocket``: boundaries kept, oversized datagrams truncated, checkpoints, cancel-safe.
/// Answers all five ``SocketAttribute`` values.
///
/// - SeeAlso: AnyIO `ConnectedUDPSocket`.
public final class ConnectedUDPSocket: AsyncResource, TypedAttributeProvider {
    let core: DatagramCore
    private let attributes: TypedAttributeSet

    init(core: DatagramCore) {
        self.core = core
        attributes = core.attributes(connected: true)
    }

    /// Receives one datagram from the peer.
    ///
    /// - Returns: The payload (truncated to 65,536 bytes).
    /// - Throws: `ClosedResourceError`, `BusyResourceError`, ``SocketError`` (such as
    ///   `ECONNREFUSED` after an earlier datagram found no listener), or `CancellationError`.
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

    /// Sends one datagram to the peer. A checkpoint.
    ///
    /// - Parameter data: The payload.
    /// - Throws: ``SocketError`` if the system refuses (`EMSGSIZE`, `ECONNREFUSED`),
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
