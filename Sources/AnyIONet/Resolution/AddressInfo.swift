//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// One address a host name resolved to: what ``getAddrInfo(_:port:family:)`` returns.
///
/// - SeeAlso: AnyIO `getaddrinfo()` (its tuples' family and socket address).
public struct AddressInfo: Sendable, Hashable {
    /// The address family: `.ipv4` or `.ipv6`.
    public var family: SocketFamily
    /// The address: `"127.0.0.1"`, `"::1"`.
    public var host: String
    /// The port.
    public var port: Int

    /// Makes an address.
    ///
    /// - Parameters:
    ///   - family: The address family.
    ///   - host: The address.
    ///   - port: The port.
    public init(family: SocketFamily, host: String, port: Int) {
        self.family = family
        self.host = host
        self.port = port
    }
}

