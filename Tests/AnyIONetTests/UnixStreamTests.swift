//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Foundation
import Testing

#if ANYIO_TSAN
private let bulkBytes = 256 << 10
#else
private let bulkBytes = 1 << 20
#endif

@Suite("Unix stream sockets", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(120)))
struct UnixStreamTests {
    @Test("a Unix stream pair passes the half-closeable stream checks")
    func conformance() async throws {
        // trio: src/trio/_tests/test_highlevel_socket.py::test_SocketStream_generic (check_half_closeable_stream)
        try await checkHalfCloseableStream(bulkBytes: bulkBytes) {
            let (client, server) = try await unixPair()
            return (client, server)
        }
    }

    @Test("typed attributes of a stream and a listener")
    func extraAttributes() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_extra_attributes
        // anyio: tests/test_sockets.py::TestUNIXListener::test_extra_attributes
        let path = temporarySocketPath("attrs")
        defer { unlink(path) }
        let listener = try await makeUnixListener(path: path)
        #expect(try listener.extra(SocketAttribute.family) == .unix)
        #expect(try listener.extra(SocketAttribute.localAddress) == path)
        #expect(throws: TypedAttributeLookupError.self) { try listener.extra(SocketAttribute.localPort) }
        let client = try await connectUnix(path: path)
        let server = try await listener.accept()
        #expect(try client.extra(SocketAttribute.family) == .unix)
        #expect(try client.extra(SocketAttribute.remoteAddress) == path)
        #expect(try client.extra(SocketAttribute.localAddress) == "")
        #expect(try server.extra(SocketAttribute.localAddress) == path)
        #expect(throws: TypedAttributeLookupError.self) { try client.extra(SocketAttribute.remotePort) }
        await client.close()
        await server.close()
        await listener.close()
    }

    @Test("maxBytes < 1 is an error before any I/O")
    func receiveInvalidMaxBytes() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_receive_invalid_max_bytes
        let (client, server) = try await unixPair()
        await #expect(throws: InvalidArgumentError.self) { try await client.receive(maxBytes: 0) }
        await client.close()
        await server.close()
    }

    @Test("a large buffer arrives whole, then the end of the stream")
    func sendLargeBuffer() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_send_large_buffer
        // anyio: tests/test_sockets.py::TestUNIXStream::test_send_eof
        let (client, server) = try await unixPair()
        let payload = (0..<bulkBytes).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try await withNursery { nursery in
            nursery.startSoon {
                try await server.send(payload)
                try await server.sendEOF()
                try await server.sendEOF()  // harmless
                await #expect(throws: ClosedResourceError.self) { try await server.send([1]) }
            }
            var received: [UInt8] = []
            for try await chunk in client.chunks() { received += chunk }
            #expect(received == payload)
        }
        // The half-closed side still receives.
        try await client.send("after")
        #expect(try await server.receive() == Array("after".utf8))
        await client.close()
        await server.close()
    }

    @Test("a second concurrent send or receive is BusyResourceError")
    func concurrentUse() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_concurrent_receive
        // anyio: tests/test_sockets.py::TestUNIXStream::test_concurrent_send
        let (client, server) = try await unixPair()
        try await withNursery { nursery in
            nursery.startSoon { _ = try await client.receive() }
            nursery.startSoon {
                while true { try await client.send([UInt8](repeating: 0, count: 65536)) }
            }
            try await waitAllTasksBlocked()
            await #expect(throws: BusyResourceError.self) { try await client.receive() }
            await #expect(throws: BusyResourceError.self) { try await client.send([1]) }
            await #expect(throws: BusyResourceError.self) { _ = try await client.receiveFDs(maxMessageBytes: 1, maxFDs: 1) }
            nursery.cancel(reason: "done")
        }
        await client.close()
        await server.close()
    }

    @Test("closing from another task wakes a blocked receive and send with ClosedResourceError")
    func closeDuringIO() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_close_during_receive
        // anyio: tests/test_sockets.py::TestUNIXStream::test_close_during_send
        let (client, server) = try await unixPair()
        try await withNursery { nursery in
            nursery.startSoon {
                try await waitAllTasksBlocked()
                await client.close()
            }
            nursery.startSoon {
                await #expect(throws: ClosedResourceError.self) {
                    while true { try await client.send([UInt8](repeating: 1, count: 65536)) }
                }
            }
            await #expect(throws: ClosedResourceError.self) { try await client.receive() }
        }
        await server.close()
    }

    @Test("receive and send after close are ClosedResourceError; the peer sees the end")
    func useAfterClose() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_receive_after_close
        // anyio: tests/test_sockets.py::TestUNIXStream::test_send_after_close
        let (client, server) = try await unixPair()
        await client.close()
        await client.close()
        await #expect(throws: ClosedResourceError.self) { try await client.receive() }
        await #expect(throws: ClosedResourceError.self) { try await client.send([1]) }
        await #expect(throws: ClosedResourceError.self) { try await client.sendEOF() }
        await #expect(throws: ClosedResourceError.self) { try await client.sendFDs([1], fds: [0]) }
        await #expect(throws: EndOfStreamError.self) { try await server.receive() }
        await #expect(throws: BrokenResourceError.self) {
            for _ in 0..<100 { try await server.send([1]) }
        }
        await server.close()
    }

    @Test("a cancelled receive loses nothing")
    func cancelledReceiveLosesNothing() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_close_after_cancelled_io (the data part)
        let (client, server) = try await unixPair()
        let nothing: [UInt8]? = try await moveOnAfter(.milliseconds(50)) { _ in try await client.receive() }
        #expect(nothing == nil)
        try await server.send([9, 8, 7])
        var received: [UInt8] = []
        while received.count < 3 { received += try await client.receive() }
        #expect(received == [9, 8, 7])
        // A receive in a cancelled scope is a checkpoint even with data waiting, and takes nothing.
        try await server.send([6])
        try await withCancelScope { scope in
            scope.cancel()
            await #expect(throws: CancellationError.self) { try await client.receive() }
        }
        #expect(try await client.receive() == [6])
        await client.close()
        await server.close()
    }

    @Test("connecting to a missing socket is ConnectionFailedError naming the path")
    func cannotConnect() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_cannot_connect
        let path = temporarySocketPath("missing")
        let error = await #expect(throws: ConnectionFailedError.self) { try await connectUnix(path: path) }
        #expect(error?.attempts.first?.address == path)
        #expect("\(error!)".contains(path))
    }

    @Test("passing descriptors between two of our streams; descriptors beyond maxFDs are closed")
    func passDescriptors() async throws {
        let (client, server) = try await unixPair()
        let paths = try ["one", "two", "three"].map { try temporaryFile($0) }
        defer { for path in paths { unlink(path) } }
        let fds = paths.map { open($0, O_RDONLY) }
        try await client.sendFDs(Array("fds".utf8), fds: fds)
        for fd in fds { close(fd) }  // the copies in flight keep the files open
        let (message, received) = try await server.receiveFDs(maxMessageBytes: 10, maxFDs: 1)
        #expect(message == Array("fds".utf8))
        #expect(received.count == 1)
        #expect(readAll(received[0]) == "one")
        // The two extra descriptors were closed, not leaked.
        #expect(openDescriptors(referringTo: paths[0]) == 1)
        #expect(openDescriptors(referringTo: paths[1]) == 0)
        #expect(openDescriptors(referringTo: paths[2]) == 0)
        close(received[0])
        #expect(openDescriptors(referringTo: paths[0]) == 0)
        // A plain message after: received as bytes.
        try await client.send("plain")
        #expect(try await server.receive() == Array("plain".utf8))
        await client.close()
        await #expect(throws: EndOfStreamError.self) { _ = try await server.receiveFDs(maxMessageBytes: 10, maxFDs: 1) }
        await server.close()
    }

    @Test("receiveFDs at the end of the stream is EndOfStreamError")
    func receiveFDsAtEnd() async throws {
        let (client, server) = try await unixPair()
        try await client.sendEOF()
        await #expect(throws: EndOfStreamError.self) { _ = try await server.receiveFDs(maxMessageBytes: 10, maxFDs: 1) }
        await client.close()
        await server.close()
    }

    @Test("bad arguments of sendFDs and receiveFDs are errors naming the value")
    func fdArguments() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_receive_fds_bad_args
        // anyio: tests/test_sockets.py::TestUNIXStream::test_send_fds_bad_args
        let (client, server) = try await unixPair()
        let negative = await #expect(throws: InvalidArgumentError.self) { _ = try await client.receiveFDs(maxMessageBytes: -1, maxFDs: 1) }
        #expect(negative?.message.contains("-1") == true)
        let zero = await #expect(throws: InvalidArgumentError.self) { _ = try await client.receiveFDs(maxMessageBytes: 1, maxFDs: 0) }
        #expect(zero?.message.contains("maxFDs") == true)
        let empty = await #expect(throws: InvalidArgumentError.self) { try await client.sendFDs([], fds: [0]) }
        #expect(empty?.message.contains("message must not be empty") == true)
        let noFDs = await #expect(throws: InvalidArgumentError.self) { try await client.sendFDs([1], fds: []) }
        #expect(noFDs?.message.contains("fds must not be empty") == true)
        await #expect(throws: SocketError.self) { try await client.sendFDs([1], fds: [-5]) }
        await client.close()
        await server.close()
    }
}

@Suite("Unix listeners", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(120)))
struct UnixListenerTests {
    @Test("a stale socket file is replaced (binding the same path twice)")
    func bindTwice() async throws {
        // anyio: tests/test_sockets.py::TestUNIXListener::test_bind_twice
        let path = temporarySocketPath("twice")
        defer { unlink(path) }
        let first = try await makeUnixListener(path: path)
        await first.close()
        let second = try await makeUnixListener(path: path)
        let client = try await connectUnix(path: path)
        let server = try await second.accept()
        try await client.send("hi")
        #expect(try await server.receive() == Array("hi".utf8))
        await client.close()
        await server.close()
        await second.close()
    }

    @Test("a file that is not a socket is an error naming the path, and is left alone")
    func nonSocketFile() async throws {
        let path = try temporaryFile("keep me")
        defer { unlink(path) }
        let error = await #expect(throws: SocketError.self) { _ = try await makeUnixListener(path: path) }
        #expect(error?.address == path)
        #expect("\(error!)".contains(path))
        #expect((try? String(contentsOfFile: path, encoding: .utf8)) == "keep me")
    }

    @Test("mode sets the socket file's permissions")
    func mode() async throws {
        let path = temporarySocketPath("mode")
        defer { unlink(path) }
        let listener = try await makeUnixListener(path: path, mode: 0o600)
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        await listener.close()
    }

    @Test("a Linux abstract name (a path starting with NUL) listens without a file")
    func abstractName() async throws {
        #if os(Linux)
        let name = "\0anyio-abstract-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try await makeUnixListener(path: name)
        #expect(try listener.extra(SocketAttribute.localAddress) == name)
        let client = try await connectUnix(path: name)
        let server = try await listener.accept()
        try await client.send("abstract")
        #expect(try await server.receive() == Array("abstract".utf8))
        #expect(try client.extra(SocketAttribute.remoteAddress) == name)
        await client.close()
        await server.close()
        await listener.close()
        #endif
    }

    @Test("a path longer than sun_path, an empty path and a bad backlog are errors naming the value")
    func badPaths() async throws {
        let long = "/tmp/" + String(repeating: "x", count: 200)
        let listenError = await #expect(throws: InvalidArgumentError.self) { _ = try await makeUnixListener(path: long) }
        #expect(listenError?.message.contains(long) == true)
        #expect(listenError?.message.contains("sun_path") == true)
        let connectError = await #expect(throws: InvalidArgumentError.self) { _ = try await connectUnix(path: long) }
        #expect(connectError?.message.contains("205 bytes") == true)
        await #expect(throws: InvalidArgumentError.self) { _ = try await connectUnix(path: "") }
        let backlog = await #expect(throws: InvalidArgumentError.self) {
            _ = try await makeUnixListener(path: temporarySocketPath("backlog"), backlog: 0)
        }
        #expect(backlog?.message.contains("0") == true)
    }

    @Test("closing wakes a blocked accept with ClosedResourceError; serve echoes")
    func acceptAndServe() async throws {
        // anyio: tests/test_sockets.py::TestUNIXListener::test_accept
        let path = temporarySocketPath("serve")
        defer { unlink(path) }
        let listener = try await makeUnixListener(path: path)
        try await withNursery { nursery in
            nursery.startSoon {
                try await waitAllTasksBlocked()
                await listener.close()
            }
            await #expect(throws: ClosedResourceError.self) { _ = try await listener.accept() }
        }
        let served = try await makeUnixListener(path: path)
        try await withNursery { nursery in
            nursery.startSoon {
                try await served.serve { stream in
                    for try await chunk in stream.chunks() { try await stream.send(chunk) }
                }
            }
            for index in 0..<5 {
                let client = try await connectUnix(path: path)
                try await client.send("echo \(index)")
                try await client.sendEOF()
                var reply: [UInt8] = []
                for try await chunk in client.chunks() { reply += chunk }
                #expect(reply == Array("echo \(index)".utf8))
                await client.close()
            }
            nursery.cancel(reason: "done")
        }
        await served.close()
    }

    @Test("connections and listeners release their descriptors, also when cancelled")
    func descriptorsReleased() async throws {
        // Counted in /proc/net/unix by the listener's unique path (the listening socket and every
        // accepted one carry it), so other tests' sockets do not disturb the count.
        let path = temporarySocketPath("leak")
        defer { unlink(path) }
        let listener = try await makeUnixListener(path: path)
        #expect(socketsBound(to: path) == 1)
        var clients: [UNIXSocketStream] = []
        var servers: [UNIXSocketStream] = []
        for _ in 0..<20 {
            let client = try await connectUnix(path: path)
            let server = try await listener.accept()
            try await client.send([1])
            _ = try await server.receive()
            clients.append(client)
            servers.append(server)
        }
        #expect(socketsBound(to: path) == 21)
        for stream in clients + servers { await stream.close() }
        // A cancelled accept leaves nothing behind.
        _ = try await moveOnAfter(.milliseconds(20)) { _ in try await listener.accept() }
        // A connection accepted and then dropped without close() is closed by the safety net.
        _ = try await connectUnix(path: path)
        _ = try await listener.accept()
        await listener.close()
        #expect(try await eventually { socketsBound(to: path) == 0 })
    }
}
