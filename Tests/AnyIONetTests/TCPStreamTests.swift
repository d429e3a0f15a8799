//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Testing

@Suite("TCP streams", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(120)))
struct TCPStreamTests {
    @Test("a loopback TCP pair passes the half-closeable stream checks")
    func conformance() async throws {
        // trio: src/trio/_tests/test_highlevel_socket.py::test_SocketStream_generic (check_half_closeable_stream)
        try await checkHalfCloseableStream(bulkBytes: 4 << 20) {
            let (client, server) = try await connectedPair()
            return (client, server)
        }
    }

    @Test("send and receive over IPv6 loopback, when the host has it")
    func ipv6() async throws {
        guard await ipv6LoopbackAvailable() else { return }
        let (client, server) = try await connectedPair(host: "::1")
        try await client.send([1, 2, 3])
        #expect(try await server.receive() == [1, 2, 3])
        #expect(try client.extra(SocketAttribute.family) == .ipv6)
        #expect(try client.extra(SocketAttribute.remoteAddress) == "::1")
        await client.close()
        await server.close()
    }

    @Test("typed attributes of a stream and a listener")
    func extraAttributes() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_extra_attributes
        // anyio: tests/test_sockets.py::TestTCPListener::test_extra_attributes
        let listener = try await makeTCPListener(localHost: "127.0.0.1")
        let port = try listener.extra(SocketAttribute.localPort)
        #expect(port > 0)
        #expect(try listener.extra(SocketAttribute.family) == .ipv4)
        #expect(try listener.extra(SocketAttribute.localAddress) == "127.0.0.1")
        #expect(throws: TypedAttributeLookupError.self) { try listener.extra(SocketAttribute.remotePort) }
        let client = try await connectTCP(host: "127.0.0.1", port: port)
        let server = try await tcpListener(listener).accept()
        #expect(try client.extra(SocketAttribute.family) == .ipv4)
        #expect(try client.extra(SocketAttribute.remoteAddress) == "127.0.0.1")
        #expect(try client.extra(SocketAttribute.remotePort) == port)
        #expect(try client.extra(SocketAttribute.localAddress) == "127.0.0.1")
        #expect(try server.extra(SocketAttribute.localPort) == port)
        #expect(try server.extra(SocketAttribute.remotePort) == client.extra(SocketAttribute.localPort))
        #expect(client.extra(TypedAttribute<Int>("unknown"), default: 7) == 7)
        await client.close()
        await server.close()
        await listener.close()
    }

    @Test("maxBytes < 1 is an error before any I/O")
    func receiveInvalidMaxBytes() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_receive_invalid_max_bytes
        let (client, server) = try await connectedPair()
        await #expect(throws: InvalidArgumentError.self) { try await client.receive(maxBytes: 0) }
        await client.close()
        await server.close()
    }

    @Test("a large buffer arrives whole")
    func sendLargeBuffer() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_send_large_buffer
        let (client, server) = try await connectedPair()
        let payload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try await withNursery { nursery in
            nursery.startSoon {
                try await server.send(payload)
                try await server.sendEOF()
            }
            var received: [UInt8] = []
            for try await chunk in client.chunks() { received += chunk }
            #expect(received == payload)
        }
        await client.close()
        await server.close()
    }

    @Test("sendEOF: the peer sees the data, then the end; this side still receives")
    func sendEOF() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_send_eof
        let (client, server) = try await connectedPair()
        try await client.send("hello")
        try await client.sendEOF()
        try await client.sendEOF()  // harmless
        await #expect(throws: ClosedResourceError.self) { try await client.send([1]) }
        #expect(try await server.receive() == Array("hello".utf8))
        await #expect(throws: EndOfStreamError.self) { try await server.receive() }
        try await server.send("world")
        #expect(try await client.receive() == Array("world".utf8))
        await client.close()
        await server.close()
    }

    @Test("sendEOF or close after the peer's EOF still delivers every byte sent before", arguments: [false, true])
    func closeAfterPeerEOFDelivers(closeInsteadOfEOF: Bool) async throws {
        // NIO turns an output shutdown into a full close once the input is shut down, which
        // would drop writes not yet written: the stream shuts down after the last write.
        let (client, server) = try await connectedPair()
        try await client.sendEOF()
        await #expect(throws: EndOfStreamError.self) { try await server.receive() }
        let payload = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 % 253) }
        try await withNursery { nursery in
            nursery.startSoon {
                try await server.send(payload)
                if closeInsteadOfEOF { await server.close() } else { try await server.sendEOF() }
            }
            var received: [UInt8] = []
            for try await chunk in client.chunks() { received += chunk }
            #expect(received.count == payload.count)
            #expect(received == payload)
        }
        await client.close()
        await server.close()
    }

    @Test("a second concurrent send or receive is BusyResourceError")
    func concurrentUse() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_concurrent_receive
        // anyio: tests/test_sockets.py::TestTCPStream::test_concurrent_send
        let (client, server) = try await connectedPair()
        try await withNursery { nursery in
            nursery.startSoon { _ = try await client.receive() }
            nursery.startSoon {
                // Nobody reads on the server side: this fills every buffer and parks.
                while true { try await client.send([UInt8](repeating: 0, count: 65536)) }
            }
            try await waitAllTasksBlocked()
            await #expect(throws: BusyResourceError.self) { try await client.receive() }
            await #expect(throws: BusyResourceError.self) { try await client.send([1]) }
            nursery.cancel(reason: "done")
        }
        await client.close()
        await server.close()
    }

    @Test("closing from another task wakes a blocked receive with ClosedResourceError")
    func closeDuringReceive() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_close_during_receive
        let (client, server) = try await connectedPair()
        try await withNursery { nursery in
            nursery.startSoon {
                try await waitAllTasksBlocked()
                await client.close()
            }
            await #expect(throws: ClosedResourceError.self) { try await client.receive() }
        }
        await server.close()
    }

    @Test("the task tree shows a blocked receive, send and accept with the socket's addresses")
    func taskTreeShowsSockets() async throws {
        let listener = try await makeTCPListener(localHost: "127.0.0.1")
        let port = try listener.extra(SocketAttribute.localPort)
        let (client, server) = try await connectedPair()
        let clientPort = try client.extra(SocketAttribute.localPort)
        let serverPort = try server.extra(SocketAttribute.localPort)
        // A second pair for the sender, whose peer never reads (the first pair's receiver would).
        let (quietClient, sendingServer) = try await connectedPair()
        let quietPort = try quietClient.extra(SocketAttribute.localPort)
        let sendingPort = try sendingServer.extra(SocketAttribute.localPort)
        try await withNursery { nursery in
            nursery.startSoon(name: "receiver") { _ = try await client.receive() }
            nursery.startSoon(name: "sender") {
                while true { try await sendingServer.send([UInt8](repeating: 0, count: 65536)) }
            }
            nursery.startSoon(name: "acceptor") { _ = try await tcpListener(listener).accept() }
            // Write completions on the event loop may wake the sender briefly after it parked:
            // look again until it is parked once more (bounded).
            var text = ""
            for _ in 0..<100 {
                try await waitAllTasksBlocked()
                text = currentTaskTree().description
                if !text.contains("running") { break }
                try await sleep(for: .milliseconds(10))
            }
            #expect(text.contains("SocketStream.receive(maxBytes:) (waiting for data from the peer) [receive on tcp 127.0.0.1:\(clientPort) → 127.0.0.1:\(serverPort)]"), "\(text)")
            #expect(text.contains("[send on tcp 127.0.0.1:\(sendingPort) → 127.0.0.1:\(quietPort)]"), "\(text)")
            #expect(text.contains("[accept on tcp 127.0.0.1:\(port)]"), "\(text)")
            nursery.cancel(reason: "done")
        }
        for stream in [client, server, quietClient, sendingServer] { await stream.close() }
        await listener.close()
    }

    @Test("closing from another task wakes a blocked send with ClosedResourceError")
    func closeDuringSend() async throws {
        let (client, server) = try await connectedPair()
        try await withNursery { nursery in
            nursery.startSoon {
                try await waitAllTasksBlocked()
                await client.close()
            }
            await #expect(throws: ClosedResourceError.self) {
                while true { try await client.send([UInt8](repeating: 1, count: 65536)) }
            }
        }
        await server.close()
    }

    @Test("receive and send after close are ClosedResourceError; close twice is harmless")
    func useAfterClose() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_receive_after_close
        // anyio: tests/test_sockets.py::TestTCPStream::test_send_after_close
        let (client, server) = try await connectedPair()
        await client.close()
        await client.close()
        await #expect(throws: ClosedResourceError.self) { try await client.receive() }
        await #expect(throws: ClosedResourceError.self) { try await client.send([1]) }
        await #expect(throws: ClosedResourceError.self) { try await client.sendEOF() }
        await #expect(throws: EndOfStreamError.self) { try await server.receive() }
        await server.close()
    }

    @Test("the peer closing: receive ends, sends break")
    func peerClosed() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_receive_after_peer_closed
        // anyio: tests/test_sockets.py::TestTCPStream::test_send_after_peer_closed
        let (client, server) = try await connectedPair()
        await server.close()
        await #expect(throws: EndOfStreamError.self) { try await client.receive(maxBytes: 1) }
        await #expect(throws: BrokenResourceError.self) {
            for _ in 0..<1000 {
                try await client.send(Array("foo".utf8))
                try await sleep(for: .milliseconds(1))
            }
        }
        await client.close()
        await #expect(throws: ClosedResourceError.self) { try await client.receive(maxBytes: 1) }
        await #expect(throws: ClosedResourceError.self) { try await client.send([1]) }
    }

    @Test("a cancelled receive loses nothing")
    func cancelledReceiveLosesNothing() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_receive_timeout (then a receive that gets the data)
        let (client, server) = try await connectedPair()
        let nothing: [UInt8]? = try await moveOnAfter(.milliseconds(50)) { _ in try await client.receive() }
        #expect(nothing == nil)
        try await server.send([9, 8, 7])
        var received: [UInt8] = []
        while received.count < 3 { received += try await client.receive() }
        #expect(received == [9, 8, 7])
        await client.close()
        await server.close()
    }

    @Test("a slow receiver applies back-pressure: the sender parks, every byte arrives")
    func backPressure() async throws {
        let (client, server) = try await connectedPair()
        let total = 48 << 20
        let chunk = 65536
        // Byte `i` of the stream is `i % 251`: a chunk starting at `offset` is a slice of this.
        let pattern = (0..<(chunk + 251)).map { UInt8($0 % 251) }
        let sent = Event()
        try await withNursery { nursery in
            nursery.startSoon {
                var offset = 0
                while offset < total {
                    try await client.send(Array(pattern[(offset % 251)..<(offset % 251 + chunk)]))
                    offset += chunk
                }
                try await client.sendEOF()
                sent.set()
            }
            // The sender is parked on a full connection (48 MiB is more than every buffer on the
            // way holds), not done.
            try await waitAllTasksBlocked()
            #expect(!sent.isSet)
            var offset = 0
            var intact = true
            for try await bytes in server.chunks() {
                if bytes != Array(pattern[(offset % 251)..<(offset % 251 + bytes.count)]) { intact = false }
                offset += bytes.count
            }
            #expect(intact)
            #expect(offset == total)
        }
        await client.close()
        await server.close()
    }
}
