//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Testing

/// A Python client: sends numbered lines, half-closes, reads the echo to the end, checks it.
private let pythonEchoClient = """
import socket, sys
port = int(sys.argv[1])
sock = socket.create_connection(("127.0.0.1", port), timeout=10)
lines = b"".join(b"line %d\\n" % i for i in range(1000))
sock.sendall(lines)
sock.shutdown(socket.SHUT_WR)
received = b""
while True:
    data = sock.recv(65536)
    if not data:
        break
    received += data
sock.close()
print(len(received))
sys.exit(0 if received == lines else 1)
"""

/// A Python client that sends a little and then resets the connection (SO_LINGER 0).
private let pythonResettingClient = """
import socket, struct, sys
port = int(sys.argv[1])
sock = socket.create_connection(("127.0.0.1", port), timeout=10)
sock.sendall(b"x")
sock.recv(1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
sock.close()
"""

@Suite("TCP with a Python peer", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(120)))
struct TCPInteropTests {
    @Test("a Python socket client talks to an echo server made with serve")
    func pythonClient() async throws {
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
            let (status, output) = try await runPython(pythonEchoClient, [String(port)])
            #expect(status == 0)
            #expect(output.hasPrefix("8890"))
            nursery.cancel(reason: "done")
        }
    }

    @Test("a reset by a Python client is BrokenResourceError")
    func pythonReset() async throws {
        let listener = try await makeTCPListener(localHost: "127.0.0.1")
        let port = try listener.extra(SocketAttribute.localPort)
        try await withNursery { nursery in
            nursery.startSoon { _ = try await runPython(pythonResettingClient, [String(port)]) }
            let server = try await tcpListener(listener).accept()
            #expect(try await server.receive() == Array("x".utf8))
            try await server.send("y")
            await #expect(throws: BrokenResourceError.self) {
                for _ in 0..<100 { _ = try await server.receive() }
            }
            await server.close()
        }
        await listener.close()
    }
}
