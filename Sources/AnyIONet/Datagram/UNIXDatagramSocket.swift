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

/// An unconnected Unix datagram socket (IO11): receives from any socket, sends to any path.
///
/// ```swift
/// let socket = try await makeUnixDatagramSocket(localPath: "/tmp/app.dgram")
/// let packet = try await socket.receive()
/// try await socket.send(packet.data, toPath: packet.path)   // echo (if the sender is named)
/// ```
///
/// Boundaries kept; a datagram larger than the receive size is truncated; every call a
/// checkpoint, cancel-safe. Answers ``SocketAttribute/family`` and
/// ``SocketAttribute/localAddress``.
///
/// - SeeAlso: AnyIO `UNIXDatagramSocket`.
public final class UNIXDatagramSocket: AsyncResource, TypedAttributeProvider {
    let core: DatagramCore
    private let attributes: TypedAttributeSet

    init(core: DatagramCore) {
        self.core = core
        attributes = core.attributes(connected: false)
    }

    /// Receives one datagram (truncated to 65,536 bytes), with its sender's path.
    ///
    /// - Returns: The packet.
    /// - Throws: `ClosedResourceError`, `BusyResourceError`, ``SocketError``, or
    ///   `CancellationError`.
    public func receive() async throws -> UNIXDatagramPacket {
        try await receive(maxBytes: DatagramCore.defaultReceiveSize)
    }

    /// Receives one datagram, truncated to `maxBytes` if it is larger, with its sender's path.
    ///
    /// - Parameter maxBytes: The most bytes to return; at least 1.
    /// - Returns: The packet.
    /// - Throws: As ``receive()``, and `InvalidArgumentError` if `maxBytes < 1`.
    public func receive(maxBytes: Int) async throws -> UNIXDatagramPacket {
        let (data, sender) = try await core.receive(maxBytes: maxBytes)
        return UNIXDatagramPacket(data: data, path: SocketCalls.unixPath(of: sender))
    }

    /// Sends a packet to its path.
    ///
    /// - Parameter packet: The payload and destination.
    /// - Throws: As ``send(_:toPath:)``.
    public func send(_ packet: UNIXDatagramPacket) async throws {
        try await send(packet.data, toPath: packet.path)
    }

    /// Sends one datagram to the socket at `path`. A checkpoint; waits while the receiver's
    /// queue is full.
    ///
    /// - Parameters:
    ///   - data: The payload.
    ///   - path: The destination socket's path (or abstract name).
    /// - Throws: `InvalidArgumentError` naming the path if it is empty or too long;
    ///   ``SocketError`` if the system refuses (`ENOENT`, `ECONNREFUSED`, `EMSGSIZE`);
    ///   `ClosedResourceError`, `BusyResourceError`, or `CancellationError`.
    public func send(_ data: [UInt8], toPath path: String) async throws {
        let destination = try SocketCalls.unixAddress(path, function: "UNIXDatagramSocket.send(_:toPath:)")
        try await core.send(data, to: destination, display: SocketCalls.displayPath(path))
    }

    /// Closes the socket (IO3). Calling it again does nothing. The socket file stays.
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

