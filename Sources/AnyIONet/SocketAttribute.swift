//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import AnyIO
import NIOCore

/// The address family of a socket.
///
/// - SeeAlso: AnyIO `SocketAttribute.family` (a `socket.AddressFamily`).
public enum SocketFamily: Sendable, Hashable {
    /// IPv4 (`AF_INET`).
    case ipv4
    /// IPv6 (`AF_INET6`).
    case ipv6
    /// Unix domain sockets (`AF_UNIX`).
    case unix
}

/// The typed attributes that sockets, socket streams and listeners answer through
/// `extra(_:)` (IO5).
///
/// ```swift
/// let port = try stream.extra(SocketAttribute.remotePort)
/// let family = stream.extra(SocketAttribute.family, default: .ipv4)
/// ```
///
/// A listener answers ``family``, ``localAddress`` and ``localPort``; a connected stream answers
/// all five. Wrappers (buffered, TLS) answer what the stream they wrap answers.
///
/// - SeeAlso: AnyIO `SocketAttribute`.
public enum SocketAttribute {
    /// The socket's address family.
    public static let family = TypedAttribute<SocketFamily>("SocketAttribute.family")
    /// The local address: `"127.0.0.1"`, `"::1"`, or a Unix socket's path.
    public static let localAddress = TypedAttribute<String>("SocketAttribute.localAddress")
    /// The local port (IP sockets only).
    public static let localPort = TypedAttribute<Int>("SocketAttribute.localPort")
    /// The peer's address (connected sockets only).
    public static let remoteAddress = TypedAttribute<String>("SocketAttribute.remoteAddress")
    /// The peer's port (connected IP sockets only).
    public static let remotePort = TypedAttribute<Int>("SocketAttribute.remotePort")
}

extension SocketFamily {
    /// The family of a NIO socket address.
    init(_ address: SocketAddress) {
        switch address {
        case .v4: self = .ipv4
        case .v6: self = .ipv6
        case .unixDomainSocket: self = .unix
        }
    }
}

extension TypedAttributeSet {
    /// Adds the attributes of a socket with these addresses (those that are known).
    mutating func addSocketAttributes(local: SocketAddress?, remote: SocketAddress?) {
        if let family = (local ?? remote).map(SocketFamily.init) { set(SocketAttribute.family, to: family) }
        if let local {
            if let host = local.ipAddress {
                set(SocketAttribute.localAddress, to: host)
            } else if let path = local.pathname {
                set(SocketAttribute.localAddress, to: path)
            }
            if let port = local.port { set(SocketAttribute.localPort, to: port) }
        }
        if let remote {
            if let host = remote.ipAddress {
                set(SocketAttribute.remoteAddress, to: host)
            } else if let path = remote.pathname {
                set(SocketAttribute.remoteAddress, to: path)
            }
            if let port = remote.port { set(SocketAttribute.remotePort, to: port) }
        }
    }
}

extension SocketAddress {
    /// `host:port` (`[host]:port` for IPv6), or the path, for error messages.
    var displayString: String {
        switch self {
        case .v4: return "\(ipAddress ?? "?"):\(port ?? 0)"
        case .v6: return "[\(ipAddress ?? "?")]:\(port ?? 0)"
        case .unixDomainSocket: return pathname ?? "?"
        }
    }
}
