//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Listens for TCP connections (IO9).
///
/// ```swift
/// let listener = try await makeTCPListener(localHost: "127.0.0.1")
/// let port = try listener.extra(SocketAttribute.localPort)
/// try await listener.serve { stream in
///     for try await chunk in stream.chunks() { try await stream.send(chunk) }
/// }
/// ```
///
/// With `localHost == nil` it listens on every address family the host has (the IPv6 and IPv4
/// wildcard addresses, the IPv6 socket with `IPV6_V6ONLY`); a host name listens on every address
/// it resolves to (`"localhost"`: `127.0.0.1` and `::1` where both exist); with `localPort: 0`
/// all of its sockets share one ephemeral port (picked by the first, retried on a collision). Accepted
/// connections have TCP_NODELAY on.
///
/// - Parameters:
///   - localHost: The address (or name) to listen on; `nil` for all interfaces.
///   - localPort: The port; 0 for an ephemeral one (read it with ``SocketAttribute/localPort``).
///   - family: Restricts the listeners to `.ipv4` or `.ipv6`; `nil` for any.
///   - backlog: The kernel's queue of connections not yet accepted (capped at 65535).
///   - reusePort: Sets `SO_REUSEPORT`, so that several processes can listen on the port.
/// - Returns: The listeners, one per address.
/// - Throws: `InvalidArgumentError` for a bad port, backlog or family; the system's error if the
///   address cannot be bound.
/// - SeeAlso: AnyIO `create_tcp_listener()`.
public func makeTCPListener(
    localHost: String? = nil,
    localPort: Int = 0,
    family: SocketFamily? = nil,
    backlog: Int = 65536,
    reusePort: Bool = false
) async throws -> MultiListener<SocketStream> {
    guard (0...65535).contains(localPort) else {
        throw InvalidArgumentError("makeTCPListener: localPort must be in 0...65535, not \(localPort)")
    }
    guard backlog >= 1 else { throw InvalidArgumentError("makeTCPListener: backlog must be at least 1, not \(backlog)") }
    if family == .unix { throw InvalidArgumentError("makeTCPListener: family must be .ipv4 or .ipv6, not .unix") }
    if let localHost, localHost.isEmpty { throw InvalidArgumentError("makeTCPListener: localHost must not be empty") }
    try throwIfCancelled()

    var hosts: [String] = []
    if let localHost {
        if (try? SocketAddress(ipAddress: localHost, port: 0)) != nil {
            hosts = [localHost]
        } else {
            // A name: listen on every address it resolves to (as AnyIO does).
            hosts = try await getAddrInfo(localHost, port: 0, family: family).map(\.host)
        }
    } else {
        if family == nil || family == .ipv6 { hosts.append("::") }
        if family == nil || family == .ipv4 { hosts.append("0.0.0.0") }
    }
    let options = TCPListenOptions(backlog: Int32(min(backlog, 65535)), reusePort: reusePort)

    var lastError: (any Error)?
    for _ in 0..<20 {
        var listeners: [SocketListener<SocketStream>] = []
        var port = localPort
        do {
            for host in hosts {
                let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
                if let family, SocketFamily(address) != family { continue }
                do {
                    let listener = try await bindTCPListener(address, options: options)
                    listeners.append(listener)
                    if port == 0 { port = try listener.extra(SocketAttribute.localPort) }
                } catch where hosts.count > 1 && host.contains(":") && !isAddressInUse(error) {
                    // No IPv6 on this host (the wildcard `::`, or a name's IPv6 address): listen
                    // on the other addresses only.
                    continue
                }
            }
            if listeners.isEmpty {
                throw InvalidArgumentError("makeTCPListener: no address of \(localHost ?? "the host") matches \(family.map { "\($0)" } ?? "any family")")
            }
            return MultiListener(listeners: listeners)
        } catch where localPort == 0 && listeners.count > 0 && isAddressInUse(error) {
            // The port picked by the first family is taken in another: try a new one.
            for listener in listeners { await listener.close() }
            lastError = error
        } catch {
            for listener in listeners { await listener.close() }
            throw error
        }
    }
    throw lastError!
}

/// Options of a listening TCP socket.
struct TCPListenOptions: Sendable {
    var backlog: Int32
    var reusePort: Bool
}

/// Whether `error` is `EADDRINUSE`.
private func isAddressInUse(_ error: any Error) -> Bool {
    (error as? IOError)?.errnoCode == EADDRINUSE
}

/// Binds one listening socket to `address`, with an accept queue behind it.
func bindTCPListener(_ address: SocketAddress, options: TCPListenOptions) async throws -> SocketListener<SocketStream> {
    var bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.backlog, value: options.backlog)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .serverChannelOption(.autoRead, value: false)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelOption(.autoRead, value: false)
        .childChannelOption(.allowRemoteHalfClosure, value: true)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let storage = SocketStreamStorage(channel: channel)
                try channel.pipeline.syncOperations.addHandler(SocketStreamHandler(storage: storage))
            }
        }
    if case .v6 = address {
        bootstrap = bootstrap.serverChannelOption(.socketOption(.ipv6_v6only), value: 1)
    }
    if options.reusePort {
        bootstrap = bootstrap.serverChannelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
    }
    let server = try await bootstrap.bind(to: address).get()
    let storage = AcceptQueueStorage(channel: server)
    do {
        // Last in the pipeline: after the bootstrap's acceptor, which sets each connection up.
        try await server.eventLoop.submit {
            try server.pipeline.syncOperations.addHandler(AcceptQueueHandler(storage: storage))
        }.get()
    } catch {
        try? await server.close().get()
        throw error
    }
    return SocketListener(storage: storage) { channel in
        try await SocketStream.wrapping(channel)
    }
}
