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

/// A Unix datagram with the path it came from or goes to.
///
/// - SeeAlso: AnyIO `UNIXDatagramPacketType` (a `(bytes, path)` tuple).
public struct UNIXDatagramPacket: Sendable, Hashable {
    /// The datagram's payload.
    public var data: [UInt8]
    /// The sender's (or destination's) socket path; `""` for an unnamed sender.
    public var path: String

    /// Makes a packet.
    ///
    /// - Parameters:
    ///   - data: The payload.
    ///   - path: The socket path.
    public init(data: [UInt8], path: String) {
        self.data = data
        self.path = path
    }
}

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

/// Makes an unconnected Unix datagram socket, bound to `localPath` if given (IO11).
///
/// A socket file already at `localPath` is replaced (a stale socket); any other file there is an
/// error. Without a path the socket is unnamed: it can send, but nobody can answer it. A
/// checkpoint.
///
/// ```swift
/// let socket = try await makeUnixDatagramSocket(localPath: "/tmp/app.dgram")
/// ```
///
/// - Parameter localPath: The path (or Linux abstract name) to bind to; `nil` for none.
/// - Returns: The socket.
/// - Throws: `InvalidArgumentError` naming the path if it is empty or too long;
///   ``SocketError`` naming the path if it cannot be bound; `CancellationError`.
/// - SeeAlso: AnyIO `create_unix_datagram_socket()`.
public func makeUnixDatagramSocket(localPath: String? = nil) async throws -> UNIXDatagramSocket {
    let fd = try await makeUnixDatagramDescriptor(localPath: localPath, function: "makeUnixDatagramSocket")
    let socket = UNIXDatagramSocket(core: DatagramCore(fd: fd, family: AF_UNIX, pollsPeerQueue: false))
    await yieldSchedulePoint()
    return socket
}

/// Makes a Unix datagram socket connected to the socket at `remotePath` (IO11).
///
/// - Parameters:
///   - remotePath: The peer's socket path (or Linux abstract name).
///   - localPath: The path to bind to (so that the peer can answer); `nil` for none.
/// - Returns: The connected socket.
/// - Throws: `InvalidArgumentError` naming a path that is empty or too long;
///   ``ConnectionFailedError`` with the path and the system's error if the peer is not there;
///   ``SocketError`` if `localPath` cannot be bound; `CancellationError`.
/// - SeeAlso: AnyIO `create_connected_unix_datagram_socket()`.
public func makeConnectedUnixDatagramSocket(remotePath: String, localPath: String? = nil) async throws -> ConnectedUNIXDatagramSocket {
    let function = "makeConnectedUnixDatagramSocket"
    let remote = try SocketCalls.unixAddress(remotePath, function: function)
    let fd = try await makeUnixDatagramDescriptor(localPath: localPath, function: function)
    if remote.withSockAddr({ connect(fd, $0, $1) }) != 0 {
        let display = SocketCalls.displayPath(remotePath)
        let error = SocketError.current("connect", address: display)
        _ = systemClose(fd)
        throw ConnectionFailedError(attempts: [(address: display, error: error)])
    }
    let socket = ConnectedUNIXDatagramSocket(core: DatagramCore(fd: fd, family: AF_UNIX, pollsPeerQueue: true))
    await yieldSchedulePoint()
    return socket
}

/// A non-blocking Unix datagram socket, bound to `localPath` if given.
private func makeUnixDatagramDescriptor(localPath: String?, function: String) async throws -> Int32 {
    if let localPath {
        return try await makeBoundUnixSocket(path: localPath, mode: nil, type: SocketCalls.datagramType, function: function)
    }
    try throwIfCancelled()
    return try SocketCalls.makeSocket(family: AF_UNIX, type: SocketCalls.datagramType, address: nil)
}
