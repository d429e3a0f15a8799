//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Foundation
import Testing

/// The examples proposed for the README's "Unix sockets, UDP and name resolution" section, run
/// verbatim (between the markers) so that the text stays true.
@Suite(.timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(60)))
struct ReadmeUnixUDPExampleTests {
    @Test func readmeUnixExamplePassesADescriptor() async throws {
        let path = temporarySocketPath("readme")
        defer { unlink(path) }
        // README begin
        try await withNursery { nursery in
            try await nursery.start { (status: consuming TaskStatus<Void>) in
                let listener = try await makeUnixListener(path: path, mode: 0o600)  // a stale socket file is replaced
                status.started()
                try await listener.executeThenClose { listener -> Void in
                    try await listener.serve { stream in
                        let fd = open("/etc/hosts", O_RDONLY)
                        defer { close(fd) }
                        try await stream.sendFDs(Array("hosts".utf8), fds: [fd])    // SCM_RIGHTS
                    }
                }
            }
            let client = try await connectUnix(path: path)
            let (message, fds) = try await client.receiveFDs(maxMessageBytes: 64, maxFDs: 1)
            print(String(decoding: message, as: UTF8.self), fds.count)             // hosts 1
            fds.forEach { close($0) }
            await client.close()
            nursery.cancel(reason: "done")
        }
        // README end
    }

    @Test func readmeUDPExampleEchoes() async throws {
        // README begin
        let server = try await makeUDPSocket(localHost: "127.0.0.1")               // an ephemeral port
        let port = try server.extra(SocketAttribute.localPort)
        let client = try await makeConnectedUDPSocket(remoteHost: "127.0.0.1", remotePort: port)
        try await client.send(Array("ping".utf8))
        let packet = try await server.receive()                                    // one datagram, with its sender
        try await server.send(UDPPacket(data: Array("pong".utf8), host: packet.host, port: packet.port))
        print(String(decoding: try await client.receive(), as: UTF8.self))        // pong
        await client.close()
        await server.close()

        let addresses = try await getAddrInfo("localhost", port: 80)   // a worker thread; IDNA for international names
        print(addresses.contains(AddressInfo(family: .ipv4, host: "127.0.0.1", port: 80)))   // true
        // README end
        #expect(addresses.contains(AddressInfo(family: .ipv4, host: "127.0.0.1", port: 80)))
    }
}
