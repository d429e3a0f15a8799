//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import NIOCore
import Synchronization
import NIOPosix

/// Connects to a TCP server and returns the connection as a ``SocketStream``.
///
/// ```swift
/// let stream = try await connectTCP(host: "localhost", port: 8080)
/// ```
///
/// The name is resolved (on a worker thread; international names with IDNA) and the addresses
/// are tried with Happy Eyeballs (RFC 8305: the first IPv6 address first, then the first IPv4
/// one, then the rest; a new attempt starts when the previous one failed or has been pending for
/// `happyEyeballsDelay`; the first success wins and every other attempt is closed). A
/// checkpoint. Cancellation (a cancel scope's deadline, for a timeout) returns at once with
/// `CancellationError`, and every attempt is closed, also one that connects afterwards.
///
/// - Parameters:
///   - host: A host name or an IP address literal.
///   - port: The port, 0...65535.
///   - localHost: The local address to bind to before connecting, if any.
///   - localPort: The local port to bind to before connecting (with `localHost`; 0 or `nil`: any).
///   - happyEyeballsDelay: How long an attempt may be pending before the next one starts;
///     not negative.
/// - Returns: The connected stream, with TCP_NODELAY on.
/// - Throws: ``ConnectionFailedError`` listing each address tried and its error,
///   ``NameResolutionError`` if the name cannot be resolved (as AnyIO raises `gaierror`),
///   `InvalidArgumentError` for a bad port, an empty host or a negative delay, or
///   `CancellationError`.
/// - SeeAlso: AnyIO `connect_tcp()`.
public func connectTCP(
    host: String,
    port: Int,
    localHost: String? = nil,
    localPort: Int? = nil,
    happyEyeballsDelay: Duration = .milliseconds(250)
) async throws -> SocketStream {
    guard (0...65535).contains(port) else {
        throw InvalidArgumentError("connectTCP(host:port:): port must be in 0...65535, not \(port)")
    }
    guard !host.isEmpty else { throw InvalidArgumentError("connectTCP(host:port:): host must not be empty") }
    if let localPort, !(0...65535).contains(localPort) {
        throw InvalidArgumentError("connectTCP(host:port:): localPort must be in 0...65535, not \(localPort)")
    }
    guard happyEyeballsDelay >= .zero else {
        throw InvalidArgumentError("connectTCP(host:port:): happyEyeballsDelay must not be negative, not \(happyEyeballsDelay)")
    }
    try throwIfCancelled()
    var localAddress: SocketAddress?
    if localHost != nil || localPort != nil {
        do {
            localAddress = try SocketAddress.makeAddressResolvingHost(localHost ?? "0.0.0.0", port: localPort ?? 0)
        } catch {
            throw ConnectionFailedError(attempts: [(address: "\(localHost ?? "0.0.0.0"):\(localPort ?? 0) (local)", error: error)])
        }
    }
    let targets: [AddressInfo]
    if let literal = try? SocketAddress(ipAddress: host, port: port) {
        targets = [AddressInfo(family: SocketFamily(literal), host: host, port: port)]
    } else {
        targets = HappyEyeballs.order(try await getAddrInfo(host, port: port))
        if targets.isEmpty {
            throw NameResolutionError(code: -2, name: host, message: "no IPv4 or IPv6 address")
        }
    }
    return try await connectTCP(attempting: targets, localAddress: localAddress, happyEyeballsDelay: happyEyeballsDelay)
}

/// Connects to the first of `targets` that answers (Happy Eyeballs, in the given order): the
/// part of ``connectTCP(host:port:localHost:localPort:happyEyeballsDelay:)`` after resolution.
package func connectTCP(attempting targets: [AddressInfo], happyEyeballsDelay: Duration) async throws -> SocketStream {
    try await connectTCP(attempting: targets, localAddress: nil, happyEyeballsDelay: happyEyeballsDelay)
}

/// `connectTCP(attempting:happyEyeballsDelay:)`, each attempt bound to `localAddress` first.
func connectTCP(
    attempting targets: [AddressInfo],
    localAddress: SocketAddress?,
    happyEyeballsDelay: Duration
) async throws -> SocketStream {
    let addresses = try targets.map { try SocketAddress(ipAddress: $0.host, port: $0.port) }
    let channel = try await HappyEyeballs.connect(to: addresses, delay: happyEyeballsDelay) { [localAddress] target in
        makeClientBootstrap(bindingTo: localAddress).connect(to: target)
    }
    do {
        return try await SocketStream.wrapping(channel)
    } catch {
        channel.close(promise: nil)
        throw ConnectionFailedError(attempts: [(address: channel.remoteAddress?.displayString ?? "?", error: error)])
    }
}

/// The bootstrap of one connection attempt: TCP_NODELAY, demand-driven reads, half-closure, a
/// `SocketStreamHandler`; bound to `localAddress` first if given.
private func makeClientBootstrap(bindingTo localAddress: SocketAddress?) -> ClientBootstrap {
    let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelOption(.socketOption(.tcp_nodelay), value: 1)
        .channelOption(.autoRead, value: false)
        .channelOption(.allowRemoteHalfClosure, value: true)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let storage = SocketStreamStorage(channel: channel)
                try channel.pipeline.syncOperations.addHandler(SocketStreamHandler(storage: storage))
            }
        }
    if let localAddress { return bootstrap.bind(to: localAddress) }
    return bootstrap
}

extension ConnectionFailedError {
    /// The attempts of a failed Happy Eyeballs connect.
    init(_ error: NIOConnectionError) {
        var attempts: [(address: String, error: any Error)] = error.connectionErrors.map {
            (address: $0.target.displayString, error: $0.error)
        }
        if attempts.isEmpty {
            if let dnsError = error.dnsAAAAError ?? error.dnsAError {
                attempts.append((address: "\(error.host):\(error.port)", error: dnsError))
            } else {
                attempts.append((address: "\(error.host):\(error.port)", error: error))
            }
        }
        self.init(attempts: attempts)
    }
}
