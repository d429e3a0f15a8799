//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A UDP datagram with the address it came from or goes to.
///
/// - SeeAlso: AnyIO `UDPPacketType` (a `(bytes, (host, port))` tuple).
public struct UDPPacket: Sendable, Hashable {
    /// The datagram's payload.
    public var data: [UInt8]
    /// The sender's (or the destination's) address: `"127.0.0.1"`, `"::1"`.
    public var host: String
    /// The sender's (or the destination's) port.
    public var port: Int

    /// Makes a packet.
    ///
    /// - Parameters:
    ///   - data: The payload.
    ///   - host: The address (or a host name, to send to).
    ///   - port: The port.
    public init(data: [UInt8], host: String, port: Int) {
        self.data = data
        self.host = host
        self.port = port
    }
}
