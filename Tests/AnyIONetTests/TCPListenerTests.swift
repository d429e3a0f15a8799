//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Foundation
import Testing

/// An error a handler throws on purpose.
private struct HandlerFailure: Error {}

@Suite("TCP listeners", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(120)))
struct TCPListenerTests {
    @Test("an echo server with serve, started with nursery.start, serves several clients")
    func echoServer() async throws {
        try await withNursery { nursery in
            let port = try await nursery.start { (status: consuming TaskStatus<Int>) in
                let listener = try await makeTCPListener(localHost: "127.0.0.1")
                status.started(try listener.extra(SocketAttribute.localPort))
                try await listener.executeThenClose { listener -> Void in
                    try await listener.serve { stream in
                        for try await chunk in stream.chunks() { try await stream.send(chunk) }
                    }
                }
            }
            try await withNursery { clients in
                for index in 0..<20 {
                    clients.startSoon {
                        let client = try await connectTCP(host: "127.0.0.1", port: port)
                        let message = Array("client \(index)\n".utf8)
                        try await client.send(message)
                        try await client.sendEOF()
                        var echoed: [UInt8] = []
                        for try await chunk in client.chunks() { echoed += chunk }
                        #expect(echoed == message)
                        await client.close()
                    }
                }
            }
            nursery.cancel(reason: "done")
        }
    }

    @Test("the stream is closed after the handler returns")
    func streamClosedAfterHandler() async throws {
        try await withNursery { nursery in
            let listener = try await makeTCPListener(localHost: "127.0.0.1")
            let port = try listener.extra(SocketAttribute.localPort)
            nursery.startSoon {
                try await listener.serve { stream in try await stream.send("bye") }
            }
            let client = try await connectTCP(host: "127.0.0.1", port: port)
            var received: [UInt8] = []
            for try await chunk in client.chunks() { received += chunk }
            #expect(received == Array("bye".utf8))
            await client.close()
            nursery.cancel(reason: "done")
            await listener.close()
        }
    }

    @Test("a handler's error fails the serving nursery")
    func handlerErrorFailsNursery() async throws {
        let listener = try await makeTCPListener(localHost: "127.0.0.1")
        let port = try listener.extra(SocketAttribute.localPort)
        await #expect(throws: (any Error).self) {
            try await withNursery { nursery in
                nursery.startSoon {
                    try await listener.serve(nursery: nursery) { _ in throw HandlerFailure() }
                }
                let client = try await connectTCP(host: "127.0.0.1", port: port)
                await client.close()
                try await sleepForever()
            }
        }
        await listener.close()
    }

    @Test("accept after close, and close from another task, are ClosedResourceError")
    func acceptAfterClose() async throws {
        // anyio: tests/test_sockets.py::TestTCPListener::test_accept_after_close
        // anyio: tests/test_sockets.py::TestTCPListener::test_close_from_other_task
        let listener = tcpListener(try await makeTCPListener(localHost: "127.0.0.1"))
        try await withNursery { nursery in
            nursery.startSoon {
                try await waitAllTasksBlocked()
                await listener.close()
            }
            await #expect(throws: ClosedResourceError.self) { try await listener.accept() }
        }
        await #expect(throws: ClosedResourceError.self) { try await listener.accept() }
        await listener.close()
    }

    @Test("with no local host the listeners share one port, and IPv4 and IPv6 loopback clients connect")
    func allFamiliesSamePort() async throws {
        // anyio: tests/test_sockets.py::TestTCPListener::test_tcp_listener_same_port
        let listener = try await makeTCPListener()
        let port = try listener.extra(SocketAttribute.localPort)
        let ports = listener.listeners.map { $0.extra(SocketAttribute.localPort, default: -1) }
        #expect(ports.allSatisfy { $0 == port })
        var hosts = ["127.0.0.1"]
        if listener.listeners.count > 1 { hosts.append("::1") }
        for host in hosts {
            let client = try await connectTCP(host: host, port: port)
            try await withNursery { nursery in
                nursery.startSoon {
                    for candidate in listener.listeners {
                        let socketListener = candidate as! SocketListener<SocketStream>
                        guard socketListener.extra(SocketAttribute.family, default: .unix) == client.extra(SocketAttribute.family, default: .ipv4) else { continue }
                        let server = try await socketListener.accept()
                        try await server.send("hi")
                        await server.close()
                    }
                }
                let reply = try await client.receive()
                #expect(reply == Array("hi".utf8))
            }
            await client.close()
        }
        await listener.close()
    }

    @Test("more connections than the accept queue holds wait in the backlog and are all accepted")
    func acceptQueueRefills() async throws {
        // The accept queue holds 64; past that the listener stops accepting until accept()
        // makes room, and then accepts again.
        let listener = try await makeTCPListener(localHost: "127.0.0.1")
        let port = try listener.extra(SocketAttribute.localPort)
        var clients: [SocketStream] = []
        for _ in 0..<150 { clients.append(try await connectTCP(host: "127.0.0.1", port: port)) }
        var accepted: [SocketStream] = []
        for _ in 0..<150 { accepted.append(try await tcpListener(listener).accept()) }
        #expect(Set(try accepted.map { try $0.extra(SocketAttribute.remotePort) }) == Set(try clients.map { try $0.extra(SocketAttribute.localPort) }))
        for stream in clients + accepted { await stream.close() }
        await listener.close()
    }

    @Test("send after the peer's EOF, and EOF after send")
    func sendAfterEOF() async throws {
        // anyio: tests/test_sockets.py::TestTCPListener::test_send_after_eof
        // anyio: tests/test_sockets.py::TestTCPListener::test_eof_after_send
        let (client, server) = try await connectedPair()
        try await client.send("request")
        try await client.sendEOF()
        var request: [UInt8] = []
        for try await chunk in server.chunks() { request += chunk }
        #expect(request == Array("request".utf8))
        try await server.send("reply")
        await server.close()
        var reply: [UInt8] = []
        for try await chunk in client.chunks() { reply += chunk }
        #expect(reply == Array("reply".utf8))
        await client.close()
    }
}

@Suite("TCP load", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(120)))
struct TCPLoadTests {
    /// The number of open descriptors of this process.
    private func openDescriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    @Test("200 concurrent connections through serve: every byte echoed once, descriptors released")
    func concurrentEcho() async throws {
        // Start SwiftNIO's event loops first (they hold descriptors of their own for good).
        let (warmClient, warmServer) = try await connectedPair()
        await warmClient.close()
        await warmServer.close()
        let descriptorsBefore = openDescriptorCount()
        try await withNursery { nursery in
            let port = try await nursery.start { (status: consuming TaskStatus<Int>) in
                let listener = try await makeTCPListener(localHost: "127.0.0.1")
                status.started(try listener.extra(SocketAttribute.localPort))
                try await listener.executeThenClose { listener -> Void in
                    try await listener.serve { stream in
                        for try await chunk in stream.chunks() { try await stream.send(chunk) }
                        try await stream.sendEOF()
                    }
                }
            }
            try await withNursery { clients in
                for index in 0..<200 {
                    clients.startSoon {
                        let client = try await connectTCP(host: "127.0.0.1", port: port)
                        let size = 1 + (index * 7919) % 300_000
                        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ index) }
                        try await withNursery { inner in
                            inner.startSoon {
                                try await client.send(payload)
                                try await client.sendEOF()
                            }
                            var echoed: [UInt8] = []
                            for try await chunk in client.chunks() { echoed += chunk }
                            #expect(echoed.count == payload.count)
                            #expect(echoed == payload)
                        }
                        await client.close()
                    }
                }
            }
            nursery.cancel(reason: "done")
        }
        // Closing is asynchronous on the event loops: allow them a moment (bounded).
        var descriptorsAfter = openDescriptorCount()
        for _ in 0..<100 where descriptorsAfter > descriptorsBefore {
            try await sleep(for: .milliseconds(20))
            descriptorsAfter = openDescriptorCount()
        }
        #expect(descriptorsAfter <= descriptorsBefore, "open descriptors: \(descriptorsBefore) before, \(descriptorsAfter) after")
    }
}
