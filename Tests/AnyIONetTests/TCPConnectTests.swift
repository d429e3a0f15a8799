//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("connectTCP", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(120)))
struct TCPConnectTests {
    @Test("a refused connection fails fast with ConnectionFailedError naming the address")
    func connectionRefused() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_connection_refused
        let listener = try await makeTCPListener(localHost: "127.0.0.1")
        let port = try listener.extra(SocketAttribute.localPort)
        await listener.close()
        let start = ContinuousClock.now
        let error = await #expect(throws: ConnectionFailedError.self) {
            try await connectTCP(host: "127.0.0.1", port: port)
        }
        #expect(ContinuousClock.now - start < failsafe)  // IO8 wants "well under a second"
        #expect(error?.attempts.map(\.address) == ["127.0.0.1:\(port)"])
        #expect(error.map { "\($0)" }?.contains("127.0.0.1:\(port)") == true)
    }

    @Test("bad arguments are clear errors")
    func badArguments() async throws {
        await #expect(throws: InvalidArgumentError.self) { try await connectTCP(host: "127.0.0.1", port: 70000) }
        await #expect(throws: InvalidArgumentError.self) { try await connectTCP(host: "127.0.0.1", port: -1) }
        await #expect(throws: InvalidArgumentError.self) { try await connectTCP(host: "", port: 80) }
        await #expect(throws: InvalidArgumentError.self) { try await makeTCPListener(localPort: 65536) }
        await #expect(throws: InvalidArgumentError.self) { try await makeTCPListener(family: .unix) }
    }

    @Test("connecting from a given local port")
    func localPort() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_connect_tcp_with_local_port
        let listener = try await makeTCPListener(localHost: "127.0.0.1")
        let port = try listener.extra(SocketAttribute.localPort)
        let client = try await connectTCP(host: "127.0.0.1", port: port, localHost: "127.0.0.1")
        let server = try await tcpListener(listener).accept()
        #expect(try server.extra(SocketAttribute.remotePort) == client.extra(SocketAttribute.localPort))
        await client.close()
        await server.close()
        await listener.close()
    }

    @Test("connecting by name (localhost)")
    func connectByName() async throws {
        let listener = try await makeTCPListener(localHost: "127.0.0.1")
        let port = try listener.extra(SocketAttribute.localPort)
        let client = try await connectTCP(host: "localhost", port: port)
        #expect(try client.extra(SocketAttribute.remotePort) == port)
        await client.close()
        await listener.close()
    }

    @Test("a cancelled connect to a black hole returns promptly")
    func cancelledConnect() async throws {
        // A listening socket whose backlog is full and that never accepts: the kernel drops
        // further SYNs, so a connect hangs until cancelled.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0)
        #expect(listen(fd, 0) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        // Fill the backlog.
        var fillers: [SocketStream] = []
        for _ in 0..<4 {
            let stream: SocketStream?? = try await moveOnAfter(.milliseconds(300)) { _ in
                try? await connectTCP(host: "127.0.0.1", port: port)
            }
            if let stream = stream ?? nil { fillers.append(stream) } else { break }
        }
        let start = ContinuousClock.now
        let result: SocketStream? = try await moveOnAfter(.milliseconds(200)) { _ in
            try await connectTCP(host: "127.0.0.1", port: port)
        }
        #expect(result == nil)
        #expect(ContinuousClock.now - start < failsafe)
        for stream in fillers { await stream.close() }
    }
}
