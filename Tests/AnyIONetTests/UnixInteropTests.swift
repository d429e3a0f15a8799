//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Foundation
import Testing

/// A Python client that sends two open files' descriptors with a message, then waits for one
/// byte (so that closing does not race with our receive).
private let pythonDescriptorSender = """
import os, socket, sys
path, first, second = sys.argv[1:4]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.settimeout(60)
sock.connect(path)
fds = [os.open(first, os.O_RDONLY), os.open(second, os.O_RDONLY)]
socket.send_fds(sock, [b"test"], fds)
sock.recv(1)
sock.close()
"""

/// A Python client that receives a message with up to four descriptors and prints the message,
/// the number of descriptors and what the files hold.
private let pythonDescriptorReceiver = """
import os, socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.settimeout(60)
sock.connect(sys.argv[1])
message, fds, flags, address = socket.recv_fds(sock, 10, 4)
text = b"".join(os.read(fd, 100) for fd in fds)
print(message.decode(), len(fds), text.decode())
"""

/// A Python client: sends lines, half-closes, reads the echo to the end, checks it.
private let pythonUnixEchoClient = """
import socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.settimeout(60)
sock.connect(sys.argv[1])
lines = b"".join(b"line %d\\n" % i for i in range(1000))
sock.sendall(lines)
sock.shutdown(socket.SHUT_WR)
received = b""
while True:
    data = sock.recv(65536)
    if not data:
        break
    received += data
print(len(received))
sys.exit(0 if received == lines else 1)
"""

@Suite("Unix sockets with a Python peer", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(120)))
struct UnixInteropTests {
    @Test("descriptors sent by Python's socket.send_fds arrive with the message")
    func receiveFromPython() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_receive_fds
        let path = temporarySocketPath("pyrecv")
        defer { unlink(path) }
        let first = try temporaryFile("Hello, ")
        let second = try temporaryFile("World!")
        defer { unlink(first); unlink(second) }
        let listener = try await makeUnixListener(path: path)
        try await withNursery { nursery in
            nursery.startSoon {
                let (status, _) = try await runPython(pythonDescriptorSender, [path, first, second])
                #expect(status == 0)
            }
            let stream = try await listener.accept()
            let (message, fds) = try await stream.receiveFDs(maxMessageBytes: 10, maxFDs: 2)
            #expect(message == Array("test".utf8))
            #expect(fds.count == 2)
            #expect(fds.map(readAll).joined() == "Hello, World!")
            for fd in fds { close(fd) }
            try await stream.send([0])
            await stream.close()
        }
        await listener.close()
    }

    @Test("descriptors sent with sendFDs reach Python's socket.recv_fds")
    func sendToPython() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_send_fds
        let path = temporarySocketPath("pysend")
        defer { unlink(path) }
        let first = try temporaryFile("Hello, ")
        let second = try temporaryFile("World!")
        defer { unlink(first); unlink(second) }
        let listener = try await makeUnixListener(path: path)
        try await withNursery { nursery in
            nursery.startSoon {
                let stream = try await listener.accept()
                let fds = [open(first, O_RDONLY), open(second, O_RDONLY)]
                try await stream.sendFDs(Array("test".utf8), fds: fds)
                for fd in fds { close(fd) }
                await stream.close()
            }
            let (status, output) = try await runPython(pythonDescriptorReceiver, [path])
            #expect(status == 0)
            #expect(output == "test 2 Hello, World!\n")
        }
        await listener.close()
    }

    @Test("a Python client talks to a Unix echo server made with serve")
    func pythonEcho() async throws {
        // anyio: tests/test_sockets.py::TestUNIXStream::test_send_receive
        let path = temporarySocketPath("pyecho")
        defer { unlink(path) }
        try await withNursery { nursery in
            try await nursery.start { (status: consuming TaskStatus<Void>) in
                let listener = try await makeUnixListener(path: path)
                status.started()
                try await listener.executeThenClose { listener -> Void in
                    try await listener.serve { stream in
                        for try await chunk in stream.chunks() { try await stream.send(chunk) }
                    }
                }
            }
            let (status, output) = try await runPython(pythonUnixEchoClient, [path])
            #expect(status == 0)
            #expect(output.hasPrefix("8890"))
            nursery.cancel(reason: "done")
        }
    }
}
