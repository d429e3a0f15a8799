//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Foundation
import Testing

/// A Python UDP peer: echoes three datagrams back to their senders, upper-cased, then exits.
private let pythonUDPEcho = """
import socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(60)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
for _ in range(3):
    data, address = sock.recvfrom(65536)
    sock.sendto(data.upper(), address)
"""

/// A Python UDP client: sends "ping" and a 0-byte datagram to the port, prints what comes back.
private let pythonUDPClient = """
import socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(60)
sock.sendto(b"first", ("127.0.0.1", int(sys.argv[1])))
sock.sendto(b"second", ("127.0.0.1", int(sys.argv[1])))
replies = [sock.recvfrom(65536)[0] for _ in range(2)]
print(b",".join(replies).decode())
"""

@Suite("UDP sockets", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(60)))
struct UDPTests {
    private static var families: [SocketFamily] { [.ipv4, .ipv6] }

    private func loopback(_ family: SocketFamily) -> String { family == .ipv4 ? "127.0.0.1" : "::1" }

    @Test("typed attributes of unconnected and connected sockets", arguments: families)
    func extraAttributes(family: SocketFamily) async throws {
        // anyio: tests/test_sockets.py::TestUDPSocket::test_extra_attributes
        // anyio: tests/test_sockets.py::TestConnectedUDPSocket::test_extra_attributes
        if family == .ipv6, !(await ipv6LoopbackAvailable()) { return }
        let host = loopback(family)
        let server = try await makeUDPSocket(family: family, localHost: host)
        let port = try server.extra(SocketAttribute.localPort)
        #expect(port > 0)
        #expect(try server.extra(SocketAttribute.family) == family)
        #expect(try server.extra(SocketAttribute.localAddress) == host)
        #expect(throws: TypedAttributeLookupError.self) { try server.extra(SocketAttribute.remotePort) }
        let client = try await makeConnectedUDPSocket(remoteHost: host, remotePort: port)
        #expect(try client.extra(SocketAttribute.family) == family)
        #expect(try client.extra(SocketAttribute.remoteAddress) == host)
        #expect(try client.extra(SocketAttribute.remotePort) == port)
        #expect(try client.extra(SocketAttribute.localPort) > 0)
        await client.close()
        await server.close()
    }

    @Test("send and receive keep datagram boundaries and report the sender", arguments: families)
    func sendReceive(family: SocketFamily) async throws {
        // anyio: tests/test_sockets.py::TestUDPSocket::test_send_receive
        // anyio: tests/test_sockets.py::TestConnectedUDPSocket::test_send_receive
        if family == .ipv6, !(await ipv6LoopbackAvailable()) { return }
        let host = loopback(family)
        let server = try await makeUDPSocket(localHost: host)
        let port = try server.extra(SocketAttribute.localPort)
        let client = try await makeConnectedUDPSocket(remoteHost: host, remotePort: port, family: family)
        let clientPort = try client.extra(SocketAttribute.localPort)
        for size in [1, 2, 1000, 60000] {
            try await client.send([UInt8](repeating: UInt8(size % 251), count: size))
        }
        try await client.send([])  // an empty datagram is a datagram
        for size in [1, 2, 1000, 60000, 0] {
            let packet = try await server.receive()
            #expect(packet.data == [UInt8](repeating: UInt8(size % 251), count: size))
            #expect(packet.host == host)
            #expect(packet.port == clientPort)
        }
        try await server.send(UDPPacket(data: Array("reply".utf8), host: host, port: clientPort))
        #expect(try await client.receive() == Array("reply".utf8))
        if family == .ipv4 {
            // A host name is resolved (on a worker thread) before sending.
            try await server.send(Array("named".utf8), toHost: "localhost", port: clientPort)
            #expect(try await client.receive() == Array("named".utf8))
        }
        await client.close()
        await server.close()
    }

    @Test("iterating a socket receives datagram after datagram; closing ends the loop with ClosedResourceError")
    func iterate() async throws {
        // anyio: tests/test_sockets.py::TestUDPSocket::test_iterate
        // anyio: tests/test_sockets.py::TestConnectedUDPSocket::test_iterate
        let server = try await makeUDPSocket(localHost: "127.0.0.1")
        let port = try server.extra(SocketAttribute.localPort)
        let client = try await makeConnectedUDPSocket(remoteHost: "127.0.0.1", remotePort: port)
        for word in ["one", "two", "three"] { try await client.send(Array(word.utf8)) }
        var words: [String] = []
        for try await packet in server {
            words.append(String(decoding: packet.data, as: UTF8.self))
            try await server.send(UDPPacket(data: packet.data.reversed(), host: packet.host, port: packet.port))
            if words.count == 3 { break }
        }
        #expect(words == ["one", "two", "three"])
        var replies: [[UInt8]] = []
        for try await data in client {
            replies.append(data)
            if replies.count == 3 { break }
        }
        #expect(replies == ["eno", "owt", "eerht"].map { Array($0.utf8) })
        try await withNursery { nursery in
            nursery.startSoon {
                await #expect(throws: ClosedResourceError.self) {
                    for try await _ in server {}
                }
            }
            try await waitAllTasksBlocked()
            await server.close()
        }
        await client.close()
    }

    @Test("a datagram larger than the receive size is truncated, not split")
    func truncation() async throws {
        let server = try await makeUDPSocket(localHost: "127.0.0.1")
        let port = try server.extra(SocketAttribute.localPort)
        let client = try await makeConnectedUDPSocket(remoteHost: "127.0.0.1", remotePort: port)
        try await client.send((0..<5000).map { UInt8($0 % 256) })
        try await client.send([7])
        let first = try await server.receive(maxBytes: 100)
        #expect(first.data == (0..<100).map { UInt8($0) })
        #expect(try await server.receive(maxBytes: 100).data == [7])
        await #expect(throws: InvalidArgumentError.self) { _ = try await server.receive(maxBytes: 0) }
        await client.close()
        await server.close()
    }

    @Test("a second concurrent receive is BusyResourceError; close wakes a receive; use after close")
    func concurrencyAndClose() async throws {
        // anyio: tests/test_sockets.py::TestUDPSocket::test_concurrent_receive
        // anyio: tests/test_sockets.py::TestUDPSocket::test_close_during_receive
        // anyio: tests/test_sockets.py::TestUDPSocket::test_receive_after_close
        // anyio: tests/test_sockets.py::TestUDPSocket::test_send_after_close
        let socket = try await makeUDPSocket(family: .ipv4, localHost: "127.0.0.1")
        try await withNursery { nursery in
            nursery.startSoon {
                await #expect(throws: ClosedResourceError.self) { _ = try await socket.receive() }
            }
            try await waitAllTasksBlocked()
            await #expect(throws: BusyResourceError.self) { _ = try await socket.receive() }
            await socket.close()
        }
        await #expect(throws: ClosedResourceError.self) { _ = try await socket.receive() }
        await #expect(throws: ClosedResourceError.self) { try await socket.send([1], toHost: "127.0.0.1", port: 9) }
        await socket.close()
    }

    @Test("a cancelled receive takes no datagram")
    func cancelledReceive() async throws {
        let server = try await makeUDPSocket(localHost: "127.0.0.1")
        let port = try server.extra(SocketAttribute.localPort)
        let nothing: UDPPacket? = try await moveOnAfter(.milliseconds(30)) { _ in try await server.receive() }
        #expect(nothing == nil)
        let client = try await makeConnectedUDPSocket(remoteHost: "127.0.0.1", remotePort: port)
        try await client.send([1, 2, 3])
        #expect(try await server.receive().data == [1, 2, 3])
        await client.close()
        await server.close()
    }

    @Test("bad input: no family or host, ports out of range, empty hosts, the wrong family")
    func badInput() async throws {
        // anyio: tests/test_sockets.py::TestUDPSocket::test_create_unbound_socket (family alone binds the wildcard)
        await #expect(throws: InvalidArgumentError.self) { _ = try await makeUDPSocket() }
        let unbound = try await makeUDPSocket(family: .ipv4)
        #expect(try unbound.extra(SocketAttribute.localAddress) == "0.0.0.0")
        let high = await #expect(throws: InvalidArgumentError.self) { _ = try await makeUDPSocket(localHost: "127.0.0.1", localPort: 70000) }
        #expect(high?.message.contains("70000") == true)
        await #expect(throws: InvalidArgumentError.self) { _ = try await makeUDPSocket(localHost: "") }
        await #expect(throws: InvalidArgumentError.self) { _ = try await makeUDPSocket(family: .unix) }
        await #expect(throws: InvalidArgumentError.self) { _ = try await makeConnectedUDPSocket(remoteHost: "127.0.0.1", remotePort: -1) }
        await #expect(throws: InvalidArgumentError.self) { _ = try await makeConnectedUDPSocket(remoteHost: "", remotePort: 53) }
        let port = await #expect(throws: InvalidArgumentError.self) { try await unbound.send([1], toHost: "127.0.0.1", port: 65536) }
        #expect(port?.message.contains("65536") == true)
        let wrongFamily = await #expect(throws: InvalidArgumentError.self) { try await unbound.send([1], toHost: "::1", port: 9) }
        #expect(wrongFamily?.message.contains("::1") == true)
        let tooLarge = await #expect(throws: SocketError.self) {
            try await unbound.send([UInt8](repeating: 0, count: 70000), toHost: "127.0.0.1", port: 9)
        }
        #expect(tooLarge?.code == EMSGSIZE)
        await unbound.close()
    }

    @Test("a Python UDP peer echoes our datagrams; a Python client reaches our socket")
    func pythonPeers() async throws {
        try await withNursery { nursery in
            // Our client, a Python server: the Python script prints its port first.
            let client = try await makeUDPSocket(family: .ipv4, localHost: "127.0.0.1")
            let ports = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
            nursery.startSoon {
                let output = try await runPythonReportingFirstLine(pythonUDPEcho, []) { line in
                    try await ports.send.send(Int(line.trimmingCharacters(in: .whitespaces))!)
                }
                #expect(output.status == 0)
            }
            let pythonPort = try await ports.receive.receive()
            for word in ["alpha", "beta", "gamma"] {
                try await client.send(Array(word.utf8), toHost: "127.0.0.1", port: pythonPort)
                let reply = try await client.receive()
                #expect(reply.data == Array(word.uppercased().utf8))
                #expect(reply.port == pythonPort)
            }
            await client.close()
        }
        // Our server, a Python client.
        let server = try await makeUDPSocket(localHost: "127.0.0.1")
        let port = try server.extra(SocketAttribute.localPort)
        try await withNursery { nursery in
            nursery.startSoon {
                let (status, output) = try await runPython(pythonUDPClient, [String(port)])
                #expect(status == 0)
                #expect(output == "FIRST,SECOND\n")
            }
            for _ in 0..<2 {
                let packet = try await server.receive()
                try await server.send(UDPPacket(data: Array(String(decoding: packet.data, as: UTF8.self).uppercased().utf8), host: packet.host, port: packet.port))
            }
        }
        await server.close()
    }
}

@Suite("Unix datagram sockets", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(60)))
struct UnixDatagramTests {
    @Test("send and receive with the sender's path; attributes")
    func sendReceive() async throws {
        // anyio: tests/test_sockets.py::TestUNIXDatagramSocket::test_send_receive
        // anyio: tests/test_sockets.py::TestUNIXDatagramSocket::test_extra_attributes
        let serverPath = temporarySocketPath("dgs")
        let clientPath = temporarySocketPath("dgc")
        defer { unlink(serverPath); unlink(clientPath) }
        let server = try await makeUnixDatagramSocket(localPath: serverPath)
        let client = try await makeUnixDatagramSocket(localPath: clientPath)
        #expect(try server.extra(SocketAttribute.family) == .unix)
        #expect(try server.extra(SocketAttribute.localAddress) == serverPath)
        try await client.send(Array("hello".utf8), toPath: serverPath)
        try await client.send(UNIXDatagramPacket(data: Array("world".utf8), path: serverPath))
        #expect(try await server.receive() == UNIXDatagramPacket(data: Array("hello".utf8), path: clientPath))
        let second = try await server.receive()
        #expect(second.data == Array("world".utf8))
        try await server.send(second.data, toPath: second.path)
        #expect(try await client.receive().data == Array("world".utf8))
        // An unnamed sender has the path "".
        let unnamed = try await makeUnixDatagramSocket()
        try await unnamed.send([1], toPath: serverPath)
        #expect(try await server.receive() == UNIXDatagramPacket(data: [1], path: ""))
        for socket in [server, client, unnamed] { await socket.close() }
    }

    @Test("iterating Unix datagram sockets")
    func iterate() async throws {
        // anyio: tests/test_sockets.py::TestUNIXDatagramSocket::test_iterate
        // anyio: tests/test_sockets.py::TestConnectedUNIXDatagramSocket::test_iterate
        let serverPath = temporarySocketPath("itds")
        let clientPath = temporarySocketPath("itdc")
        defer { unlink(serverPath); unlink(clientPath) }
        let server = try await makeUnixDatagramSocket(localPath: serverPath)
        let client = try await makeConnectedUnixDatagramSocket(remotePath: serverPath, localPath: clientPath)
        for byte in [UInt8(1), 2, 3] { try await client.send([byte]) }
        var received: [UNIXDatagramPacket] = []
        for try await packet in server {
            received.append(packet)
            try await server.send(packet)  // back to its sender
            if received.count == 3 { break }
        }
        #expect(received == [1, 2, 3].map { UNIXDatagramPacket(data: [$0], path: clientPath) })
        var echoed: [[UInt8]] = []
        for try await data in client {
            echoed.append(data)
            if echoed.count == 3 { break }
        }
        #expect(echoed == [[1], [2], [3]])
        await client.close()
        await server.close()
    }

    @Test("connected sockets; a datagram larger than the receive size is truncated")
    func connected() async throws {
        // anyio: tests/test_sockets.py::TestConnectedUNIXDatagramSocket::test_send_receive
        // anyio: tests/test_sockets.py::TestConnectedUNIXDatagramSocket::test_extra_attributes
        let serverPath = temporarySocketPath("cdgs")
        let clientPath = temporarySocketPath("cdgc")
        defer { unlink(serverPath); unlink(clientPath) }
        let server = try await makeUnixDatagramSocket(localPath: serverPath)
        let client = try await makeConnectedUnixDatagramSocket(remotePath: serverPath, localPath: clientPath)
        #expect(try client.extra(SocketAttribute.remoteAddress) == serverPath)
        #expect(try client.extra(SocketAttribute.localAddress) == clientPath)
        let big = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        try await client.send(big)
        try await client.send([42])
        let truncated = try await server.receive()
        #expect(truncated.data.count == 65536)
        #expect(truncated.data == Array(big[0..<65536]))
        #expect(try await server.receive().data == [42])
        try await server.send([5], toPath: clientPath)
        #expect(try await client.receive() == [5])
        await client.close()
        await server.close()
    }

    @Test("close wakes a blocked receive; use after close; bad paths; a missing peer")
    func closeAndBadInput() async throws {
        // anyio: tests/test_sockets.py::TestUNIXDatagramSocket::test_close_during_receive
        // anyio: tests/test_sockets.py::TestUNIXDatagramSocket::test_receive_after_close
        // anyio: tests/test_sockets.py::TestUNIXDatagramSocket::test_send_after_close
        let path = temporarySocketPath("dgclose")
        defer { unlink(path) }
        let socket = try await makeUnixDatagramSocket(localPath: path)
        try await withNursery { nursery in
            nursery.startSoon {
                await #expect(throws: ClosedResourceError.self) { _ = try await socket.receive() }
            }
            try await waitAllTasksBlocked()
            await #expect(throws: BusyResourceError.self) { _ = try await socket.receive() }
            await socket.close()
        }
        await #expect(throws: ClosedResourceError.self) { _ = try await socket.receive() }
        await #expect(throws: ClosedResourceError.self) { try await socket.send([1], toPath: path) }
        let long = "/tmp/" + String(repeating: "d", count: 150)
        let error = await #expect(throws: InvalidArgumentError.self) { _ = try await makeUnixDatagramSocket(localPath: long) }
        #expect(error?.message.contains(long) == true)
        let missing = temporarySocketPath("nobody")
        let failed = await #expect(throws: ConnectionFailedError.self) { _ = try await makeConnectedUnixDatagramSocket(remotePath: missing) }
        #expect(failed?.attempts.first?.address == missing)
        let unnamed = try await makeUnixDatagramSocket()
        await #expect(throws: SocketError.self) { try await unnamed.send([1], toPath: missing) }
        await unnamed.close()
    }
}
