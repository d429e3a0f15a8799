//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import AnyIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An unconnected UDP socket: receives datagrams from anyone, sends to any address (IO11).
///
/// ```swift
/// let socket = try await makeUDPSocket(localHost: "127.0.0.1", localPort: 5353)
/// let packet = try await socket.receive()
/// try await socket.send(packet.data, toHost: packet.host, port: packet.port)   // echo
/// ```
///
/// Datagram boundaries are kept: each ``receive()`` returns one datagram, truncated (never
/// split) if it is larger than the receive size. Every call is a checkpoint and cancel-safe (a
/// cancelled receive takes no datagram). One task may receive and one send at a time.
///
/// Answers ``SocketAttribute/family``, ``SocketAttribute/localAddress`` and
/// ``SocketAttribute/localPort`` through `extra(_:)`.
///
/// - SeeAlso: AnyIO `UDPSocket`.
public final class UDPSocket: AsyncResource, TypedAttributeProvider {
    let core: DatagramCore
    private let attributes: TypedAttributeSet

    init(core: DatagramCore) {
        self.core = core
        attributes = core.attributes(connected: false)
    }

    /// Receives one datagram, with its sender's address.
    ///
    /// A datagram larger than 65,536 bytes (not possible over IPv4) is truncated to that.
    ///
    /// - Returns: The packet: payload, sender's host and port.
    /// - Throws: `ClosedResourceError` once the socket was closed (also while waiting),
    ///   `BusyResourceError` while another task receives, ``SocketError`` for an error the system
    ///   reported, or `CancellationError`.
    /// - SeeAlso: AnyIO `UDPSocket.receive()`.
    public func receive() async throws -> UDPPacket {
        try await receive(maxBytes: DatagramCore.defaultReceiveSize)
    }

    /// Receives one datagram, truncated to `maxBytes` if it is larger (the rest of it is
    /// discarded), with its sender's address.
    ///
    /// - Parameter maxBytes: The most payload bytes to return; at least 1.
    /// - Returns: The packet.
    /// - Throws: As ``receive()``, and `InvalidArgumentError` if `maxBytes < 1`.
    public func receive(maxBytes: Int) async throws -> UDPPacket {
        let (data, sender) = try await core.receive(maxBytes: maxBytes)
        let (host, port) = SocketCalls.hostAndPort(of: sender) ?? ("", 0)
        return UDPPacket(data: data, host: host, port: port)
    }

    /// Sends a packet to its host and port.
    ///
    /// - Parameter packet: The payload and destination.
    /// - Throws: As ``send(_:toHost:port:)``.
    public func send(_ packet: UDPPacket) async throws {
        try await send(packet.data, toHost: packet.host, port: packet.port)
    }

    /// Sends one datagram to `host` and `port`.
    ///
    /// A host name is resolved first (on a worker thread), an IP address literal is used as is.
    /// A checkpoint.
    ///
    /// - Parameters:
    ///   - data: The payload (at most 65,507 bytes over IPv4).
    ///   - host: The destination's address or name; of the socket's family.
    ///   - port: The destination's port, 1...65535.
    /// - Throws: `InvalidArgumentError` for a port out of range, an empty host or an address of
    ///   the other family; ``SocketError`` if the system refuses (`EMSGSIZE` for a datagram too
    ///   large); ``NameResolutionError``; `ClosedResourceError`, `BusyResourceError`, or
    ///   `CancellationError`.
    /// - SeeAlso: AnyIO `UDPSocket.sendto()`.
    public func send(_ data: [UInt8], toHost host: String, port: Int) async throws {
        let function = "UDPSocket.send(_:toHost:port:)"
        guard (1...65535).contains(port) else { throw InvalidArgumentError("\(function): port must be in 1...65535, not \(port)") }
        guard !host.isEmpty else { throw InvalidArgumentError("\(function): host must not be empty") }
        let family: SocketFamily = core.family == AF_INET6 ? .ipv6 : .ipv4
        let destination = try await resolveOne(host, port: port, family: family, function: function)
        try await core.send(data, to: destination, display: "\(host):\(port)")
    }

    /// Closes the socket (IO3): a task blocked in ``receive()`` wakes with
    /// `ClosedResourceError`. Calling it again does nothing.
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

