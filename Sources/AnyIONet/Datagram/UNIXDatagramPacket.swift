//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

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
