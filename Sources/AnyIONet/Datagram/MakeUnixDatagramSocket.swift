//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
