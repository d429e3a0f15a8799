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
/// The name is resolved and the addresses are tried with Happy Eyeballs (RFC 8305: IPv6 first
/// when present, a new attempt while the previous one is still pending after a delay; the first
/// success wins and the other attempts are closed). A checkpoint. Cancellation (a cancel scope's
/// deadline, for a timeout) returns at once with `CancellationError`; a connection that
/// completes afterwards is closed.
///
/// - Parameters:
///   - host: A host name or an IP address literal.
///   - port: The port, 0...65535.
///   - localHost: The local address to bind to before connecting, if any.
///   - localPort: The local port to bind to before connecting (with `localHost`; 0 or `nil`: any).
///   - happyEyeballsDelay: The delay before the next attempt. This phase uses SwiftNIO's Happy
///     Eyeballs, whose delay is fixed at 250 ms (the default); another value is accepted but not
///     applied yet.
/// - Returns: The connected stream, with TCP_NODELAY on.
/// - Throws: ``ConnectionFailedError`` listing each address tried and its error,
///   `InvalidArgumentError` for a bad port or an empty host, or `CancellationError`.
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
    try throwIfCancelled()
    var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelOption(.socketOption(.tcp_nodelay), value: 1)
        .channelOption(.autoRead, value: false)
        .channelOption(.allowRemoteHalfClosure, value: true)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let storage = SocketStreamStorage(channel: channel)
                try channel.pipeline.syncOperations.addHandler(SocketStreamHandler(storage: storage))
            }
        }
    if localHost != nil || localPort != nil {
        let address: SocketAddress
        do {
            address = try SocketAddress.makeAddressResolvingHost(localHost ?? "0.0.0.0", port: localPort ?? 0)
        } catch {
            throw ConnectionFailedError(attempts: [(address: "\(localHost ?? "0.0.0.0"):\(localPort ?? 0) (local)", error: error)])
        }
        bootstrap = bootstrap.bind(to: address)
    }
    let future = bootstrap.connect(host: host, port: port)
    let channel: any Channel
    do {
        channel = try await PendingConnect.wait(for: future)
    } catch let error as NIOConnectionError {
        throw ConnectionFailedError(error)
    } catch is CancellationError {
        throw CancellationError()
    } catch {
        throw ConnectionFailedError(attempts: [(address: "\(host):\(port)", error: error)])
    }
    do {
        return try await SocketStream.wrapping(channel)
    } catch {
        channel.close(promise: nil)
        throw ConnectionFailedError(attempts: [(address: "\(host):\(port)", error: error)])
    }
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
