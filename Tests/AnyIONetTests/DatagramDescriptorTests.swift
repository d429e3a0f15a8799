//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Foundation
import Testing

/// Whether a UDP socket bound to `port` on 127.0.0.1 is open anywhere in this network namespace
/// (read from /proc/net/udp, so other tests' descriptors do not disturb the check).
private func udpSocketOpen(port: Int) -> Bool {
    let fd = open("/proc/net/udp", O_RDONLY)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let local = "0100007F:" + String(port, radix: 16, uppercase: true).leftPadded(to: 4)
    return readAll(fd).split(separator: "\n").contains { $0.contains(" \(local) ") }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

@Suite("Datagram sockets release their descriptors", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(60)))
struct DatagramDescriptorTests {
    @Test("UDP sockets are closed by close(), after a cancelled receive, and when dropped")
    func udpReleased() async throws {
        var ports: [Int] = []
        for index in 0..<20 {
            let socket = try await makeUDPSocket(localHost: "127.0.0.1")
            let port = try socket.extra(SocketAttribute.localPort)
            #expect(udpSocketOpen(port: port))
            ports.append(port)
            if index % 2 == 0 {
                _ = try await moveOnAfter(.milliseconds(5)) { _ in try await socket.receive() }
            }
            if index % 3 != 0 { await socket.close() }  // else: dropped, closed by the safety net
        }
        let connected = try await makeConnectedUDPSocket(remoteHost: "127.0.0.1", remotePort: 9)
        ports.append(try connected.extra(SocketAttribute.localPort))
        await connected.close()
        for port in ports { #expect(try await eventually { !udpSocketOpen(port: port) }, "port \(port)") }
    }

    @Test("Unix datagram sockets are closed by close() and after a cancelled receive")
    func unixDatagramReleased() async throws {
        let path = temporarySocketPath("dgleak")
        defer { unlink(path) }
        for _ in 0..<10 {
            let socket = try await makeUnixDatagramSocket(localPath: path)
            #expect(socketsBound(to: path) == 1)
            _ = try await moveOnAfter(.milliseconds(5)) { _ in try await socket.receive() }
            await socket.close()
            #expect(try await eventually { socketsBound(to: path) == 0 })
        }
    }
}
