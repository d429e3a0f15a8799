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

/// A name could not be resolved: the resolver's error (`getaddrinfo`, `getnameinfo`), with the
/// name it was about.
///
/// - SeeAlso: AnyIO (Python) raises `socket.gaierror` for these.
public struct NameResolutionError: Error, Hashable, CustomStringConvertible {
    /// The resolver's error code (`EAI_NONAME`, `EAI_AGAIN`, …).
    public var code: Int32
    /// The name (or address) that was looked up.
    public var name: String
    /// The resolver's message for ``code``.
    public var message: String

    /// Creates the error.
    ///
    /// - Parameters:
    ///   - code: The resolver's error code.
    ///   - name: The name that was looked up.
    ///   - message: The resolver's message.
    public init(code: Int32, name: String, message: String) {
        self.code = code
        self.name = name
        self.message = message
    }

    /// Explains the error: `cannot resolve 'nowhere.invalid': Name or service not known`.
    public var description: String {
        "NameResolutionError: cannot resolve '\(name)': \(message) (code \(code))"
    }
}
