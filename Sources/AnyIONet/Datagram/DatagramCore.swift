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

/// What the four datagram socket types share: a non-blocking datagram descriptor, one receiver
/// and one sender at a time, and the `recvfrom` / `sendto` calls.
///
/// Each `receive` takes exactly one datagram from the kernel (boundaries kept); one larger than
/// the receive size is truncated to it and the rest of it discarded, as `recvfrom` does (never
/// split into two receives). Nothing is read ahead, so a cancelled receive loses nothing.
final class DatagramCore: Sendable {
    /// The receive size of `receive()`: the largest UDP payload fits (65,507 bytes over IPv4).
    static let defaultReceiveSize = 65536

    let socket: SocketDescriptor
    /// `AF_INET`, `AF_INET6` or `AF_UNIX`.
    let family: Int32
    /// Whether a full peer queue shows as "not writable" (false for unconnected Unix datagram
    /// sockets, whose readiness does not reflect the receiver's queue: a full one is retried
    /// after a short sleep instead).
    let pollsPeerQueue: Bool
    /// `udp 127.0.0.1:5353`, for the task tree.
    let siteName: String
    private let receiveGuard = ResourceGuard(action: "receiving on")
    private let sendGuard = ResourceGuard(action: "sending on")

    init(fd: Int32, family: Int32, pollsPeerQueue: Bool) {
        socket = SocketDescriptor(fd: fd)
        self.family = family
        self.pollsPeerQueue = pollsPeerQueue
        let local = SocketCalls.localAddress(fd)
        if family == AF_UNIX {
            let path = local.map(SocketCalls.unixPath) ?? ""
            siteName = "unix datagram \(path.isEmpty ? "(unnamed)" : SocketCalls.displayPath(path))"
        } else {
            let hostPort = local.flatMap(SocketCalls.hostAndPort)
            siteName = "udp \(hostPort.map { family == AF_INET6 ? "[\($0.host)]:\($0.port)" : "\($0.host):\($0.port)" } ?? "?")"
        }
    }

    /// Receives one datagram (at most `maxBytes` of it) and its sender's address.
    func receive(maxBytes: Int) async throws -> (data: [UInt8], sender: SocketCalls.Address) {
        try checkMaxBytes(maxBytes, of: "receive(maxBytes:)")
        let capacity = min(maxBytes, 1 << 22)
        return try await receiveGuard.withGuard {
            try await socket.perform(.read, kind: .socketReceive, site: "receive on \(siteName)") { fd -> ([UInt8], SocketCalls.Address)? in
                var sender = SocketCalls.Address()
                var code: Int32 = 0
                let data = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                    let received = sender.withMutableSockAddr { address, length in
                        recvfrom(fd, buffer.baseAddress, capacity, 0, address, length)
                    }
                    count = max(received, 0)
                    code = received < 0 ? errno : 0
                }
                // A short datagram in a large buffer: hand out a right-sized copy.
                if code == 0 { return (data.count < capacity / 4 ? data.withUnsafeBufferPointer { Array($0) } : data, sender) }
                if SocketCalls.wouldBlock(code) || code == EINTR { return nil }
                throw SocketError(code: code, operation: "receive", address: siteName)
            }
        }
    }

    /// Sends one datagram, to `destination` or (connected) to the peer.
    func send(_ data: [UInt8], to destination: SocketCalls.Address?, display: @autoclosure () -> String) async throws {
        try await sendGuard.withGuard {
            try throwIfCancelled()
            var waited = false
            while true {
                let sent = try socket.withDescriptor { fd -> Bool in
                    let result = data.withUnsafeBytes { raw -> Int in
                        if let destination {
                            return destination.withSockAddr { sendto(fd, raw.baseAddress, raw.count, SocketCalls.sendFlags, $0, $1) }
                        }
                        return systemSend(fd, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, raw.count)
                    }
                    if result >= 0 { return true }
                    let code = errno
                    if SocketCalls.wouldBlock(code) || code == ENOBUFS || code == EINTR { return false }
                    throw SocketError(code: code, operation: "send \(data.count) bytes", address: display())
                }
                if sent {
                    if !waited { await budgetedSchedulePoint() }
                    return
                }
                if pollsPeerQueue {
                    setCurrentTaskBlockedOn(SocketWaitSite(description: "send on \(siteName)"))
                    defer { setCurrentTaskBlockedOn(nil) }
                    try await socket.waitUntilReady(.write, kind: .socketSend)
                } else {
                    try await sleep(for: .milliseconds(1))
                }
                waited = true
            }
        }
    }

    func close() async {
        await socket.close()
    }

    /// The attributes of the socket: family, local and (connected) remote address and port.
    func attributes(connected: Bool) -> TypedAttributeSet {
        var attributes = TypedAttributeSet()
        let fd = socket.fd
        if family == AF_UNIX {
            attributes.set(SocketAttribute.family, to: .unix)
            attributes.set(SocketAttribute.localAddress, to: SocketCalls.localAddress(fd).map(SocketCalls.unixPath) ?? "")
            if connected {
                attributes.set(SocketAttribute.remoteAddress, to: SocketCalls.remoteAddress(fd).map(SocketCalls.unixPath) ?? "")
            }
            return attributes
        }
        attributes.set(SocketAttribute.family, to: family == AF_INET6 ? .ipv6 : .ipv4)
        if let (host, port) = SocketCalls.localAddress(fd).flatMap(SocketCalls.hostAndPort) {
            attributes.set(SocketAttribute.localAddress, to: host)
            attributes.set(SocketAttribute.localPort, to: port)
        }
        if connected, let (host, port) = SocketCalls.remoteAddress(fd).flatMap(SocketCalls.hostAndPort) {
            attributes.set(SocketAttribute.remoteAddress, to: host)
            attributes.set(SocketAttribute.remotePort, to: port)
        }
        return attributes
    }
}
