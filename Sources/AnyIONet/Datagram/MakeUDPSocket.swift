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

/// Makes an unconnected UDP socket, bound to a local address (IO11).
///
/// ```swift
/// let server = try await makeUDPSocket(localHost: "127.0.0.1", localPort: 0)
/// let port = try server.extra(SocketAttribute.localPort)
/// ```
///
/// As in AnyIO, either `family` or `localHost` must be given: with `localHost`, the socket takes
/// the family of its (first) address; with only `family`, it binds to that family's wildcard
/// address. A checkpoint.
///
/// - Parameters:
///   - family: `.ipv4` or `.ipv6`; `nil` to take it from `localHost`.
///   - localHost: The local address (or name) to bind to.
///   - localPort: The local port, 0...65535; 0 for an ephemeral one.
///   - reusePort: Sets `SO_REUSEPORT`, so that several sockets can bind the same port.
/// - Returns: The socket.
/// - Throws: `InvalidArgumentError` if neither `family` nor `localHost` is given, for
///   `family: .unix`, an empty host or a port out of range; ``SocketError`` if the address cannot
///   be bound; ``NameResolutionError``; `CancellationError`.
/// - SeeAlso: AnyIO `create_udp_socket()`.
public func makeUDPSocket(
    family: SocketFamily? = nil,
    localHost: String? = nil,
    localPort: Int = 0,
    reusePort: Bool = false
) async throws -> UDPSocket {
    let function = "makeUDPSocket"
    try checkUDPArguments(family: family, host: localHost, hostName: "localHost", port: localPort, portName: "localPort", function: function)
    guard family != nil || localHost != nil else {
        throw InvalidArgumentError("\(function): either family or localHost must be given")
    }
    try throwIfCancelled()
    let local: SocketCalls.Address
    if let localHost {
        local = try await resolveOne(localHost, port: localPort, family: family, function: function)
    } else {
        local = SocketCalls.ipAddress(family == .ipv6 ? "::" : "0.0.0.0", port: localPort)!
    }
    let fd = try makeUDPDescriptor(local: local, reusePort: reusePort)
    let socket = UDPSocket(core: DatagramCore(fd: fd, family: local.family, pollsPeerQueue: true))
    await yieldSchedulePoint()
    return socket
}

/// Makes a UDP socket connected to one peer (IO11).
///
/// ```swift
/// let client = try await makeConnectedUDPSocket(remoteHost: "127.0.0.1", remotePort: port)
/// try await client.send(Array("ping".utf8))
/// ```
///
/// The remote host is resolved (a name on a worker thread) and the socket takes the family of
/// its first address; it is bound to `localHost`/`localPort` if given. A checkpoint.
///
/// - Parameters:
///   - remoteHost: The peer's address or name.
///   - remotePort: The peer's port, 1...65535.
///   - family: `.ipv4` or `.ipv6` to restrict the resolution; `nil` for either.
///   - localHost: The local address to bind to, if any.
///   - localPort: The local port, 0...65535; 0 for an ephemeral one.
/// - Returns: The connected socket.
/// - Throws: `InvalidArgumentError` for an empty host, a port out of range or `family: .unix`;
///   ``SocketError`` if binding or connecting fails; ``NameResolutionError``;
///   `CancellationError`.
/// - SeeAlso: AnyIO `create_connected_udp_socket()`.
public func makeConnectedUDPSocket(
    remoteHost: String,
    remotePort: Int,
    family: SocketFamily? = nil,
    localHost: String? = nil,
    localPort: Int = 0
) async throws -> ConnectedUDPSocket {
    let function = "makeConnectedUDPSocket"
    try checkUDPArguments(family: family, host: remoteHost, hostName: "remoteHost", port: remotePort, portName: "remotePort", function: function)
    guard remotePort != 0 else { throw InvalidArgumentError("\(function): remotePort must be in 1...65535, not 0") }
    try checkUDPArguments(family: family, host: localHost, hostName: "localHost", port: localPort, portName: "localPort", function: function)
    try throwIfCancelled()
    let remote = try await resolveOne(remoteHost, port: remotePort, family: family, function: function)
    let remoteFamily: SocketFamily = remote.family == AF_INET6 ? .ipv6 : .ipv4
    let local: SocketCalls.Address
    if let localHost {
        local = try await resolveOne(localHost, port: localPort, family: remoteFamily, function: function)
    } else {
        local = SocketCalls.ipAddress(remoteFamily == .ipv6 ? "::" : "0.0.0.0", port: localPort)!
    }
    let fd = try makeUDPDescriptor(local: local, reusePort: false)
    if remote.withSockAddr({ connect(fd, $0, $1) }) != 0 {
        let error = SocketError.current("connect", address: "\(remoteHost):\(remotePort)")
        _ = systemClose(fd)
        throw error
    }
    let socket = ConnectedUDPSocket(core: DatagramCore(fd: fd, family: remote.family, pollsPeerQueue: true))
    await yieldSchedulePoint()
    return socket
}

/// Checks a host and port argument pair (and the family) of the UDP factories.
private func checkUDPArguments(family: SocketFamily?, host: String?, hostName: String, port: Int, portName: String, function: String) throws {
    if family == .unix { throw InvalidArgumentError("\(function): family must be .ipv4 or .ipv6, not .unix") }
    if let host, host.isEmpty { throw InvalidArgumentError("\(function): \(hostName) must not be empty") }
    guard (0...65535).contains(port) else { throw InvalidArgumentError("\(function): \(portName) must be in 0...65535, not \(port)") }
}

/// A non-blocking UDP socket bound to `local`.
private func makeUDPDescriptor(local: SocketCalls.Address, reusePort: Bool) throws -> Int32 {
    let display = SocketCalls.hostAndPort(of: local).map { "\($0.host):\($0.port)" }
    let fd = try SocketCalls.makeSocket(family: local.family, type: SocketCalls.datagramType, address: display)
    do {
        if reusePort {
            var one: Int32 = 1
            if setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) != 0 {
                throw SocketError.current("setsockopt SO_REUSEPORT", address: display)
            }
        }
        if local.withSockAddr({ bind(fd, $0, $1) }) != 0 { throw SocketError.current("bind", address: display) }
    } catch {
        _ = systemClose(fd)
        throw error
    }
    return fd
}
