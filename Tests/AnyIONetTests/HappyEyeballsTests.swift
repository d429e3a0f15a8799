//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Foundation
import Testing

@Suite("Happy Eyeballs and listeners by name", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(120)))
struct HappyEyeballsTests {
    @Test("addresses are ordered IPv6 first, then IPv4, then the rest (RFC 8305)")
    func order() {
        let v4a = AddressInfo(family: .ipv4, host: "10.0.0.1", port: 1)
        let v4b = AddressInfo(family: .ipv4, host: "10.0.0.2", port: 1)
        let v6a = AddressInfo(family: .ipv6, host: "fd00::1", port: 1)
        let v6b = AddressInfo(family: .ipv6, host: "fd00::2", port: 1)
        #expect(HappyEyeballs.order([v4a, v6a, v4b, v6b]) == [v6a, v4a, v4b, v6b])
        #expect(HappyEyeballs.order([v4a, v4b]) == [v4a, v4b])
        #expect(HappyEyeballs.order([v6a, v6b, v4a]) == [v6a, v4a, v6b])
    }

    @Test("a pending attempt gets happyEyeballsDelay before the next one starts; the next one wins")
    func delayHonoured() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_happy_eyeballs (a slow first address)
        let listener = try await makeTCPListener(localHost: "127.0.0.1")
        let port = try listener.extra(SocketAttribute.localPort)
        try await withBlackHolePort { hole in
            let started = ContinuousClock.now
            let stream = try await connectTCP(
                attempting: [AddressInfo(family: .ipv4, host: "127.0.0.1", port: hole), AddressInfo(family: .ipv4, host: "127.0.0.1", port: port)],
                happyEyeballsDelay: .milliseconds(300)
            )
            let elapsed = ContinuousClock.now - started
            #expect(try stream.extra(SocketAttribute.remotePort) == port)
            #expect(elapsed >= .milliseconds(250), "\(elapsed)")
            #expect(elapsed < failsafe, "\(elapsed)")
            await stream.close()
        }
        await listener.close()
    }

    @Test("a failed attempt starts the next one at once")
    func failureStartsNext() async throws {
        let refused = try await makeTCPListener(localHost: "127.0.0.1")
        let refusedPort = try refused.extra(SocketAttribute.localPort)
        await refused.close()
        let listener = try await makeTCPListener(localHost: "127.0.0.1")
        let port = try listener.extra(SocketAttribute.localPort)
        let started = ContinuousClock.now
        let stream = try await connectTCP(
            attempting: [AddressInfo(family: .ipv4, host: "127.0.0.1", port: refusedPort), AddressInfo(family: .ipv4, host: "127.0.0.1", port: port)],
            happyEyeballsDelay: .seconds(100)  // more than `failsafe`, less than the time limit
        )
        #expect(ContinuousClock.now - started < failsafe)
        #expect(try stream.extra(SocketAttribute.remotePort) == port)
        await stream.close()
        await listener.close()
    }

    @Test("every attempt failing is ConnectionFailedError listing each address in order")
    func allFail() async throws {
        // anyio: tests/test_sockets.py::TestTCPStream::test_connection_refused (several addresses)
        var ports: [Int] = []
        for _ in 0..<2 {
            let listener = try await makeTCPListener(localHost: "127.0.0.1")
            ports.append(try listener.extra(SocketAttribute.localPort))
            await listener.close()
        }
        let error = await #expect(throws: ConnectionFailedError.self) {
            _ = try await connectTCP(attempting: ports.map { AddressInfo(family: .ipv4, host: "127.0.0.1", port: $0) }, happyEyeballsDelay: .milliseconds(50))
        }
        #expect(error?.attempts.map(\.address) == ports.map { "127.0.0.1:\($0)" })
        await #expect(throws: InvalidArgumentError.self) { _ = try await connectTCP(host: "127.0.0.1", port: 80, happyEyeballsDelay: .seconds(-1)) }
    }

    @Test("cancelling a connect with attempts pending returns promptly")
    func cancelled() async throws {
        try await withBlackHolePort { hole in
            let started = ContinuousClock.now
            let result: SocketStream? = try await moveOnAfter(.milliseconds(200)) { _ in
                try await connectTCP(
                    attempting: [AddressInfo(family: .ipv4, host: "127.0.0.1", port: hole), AddressInfo(family: .ipv4, host: "127.0.0.1", port: hole)],
                    happyEyeballsDelay: .milliseconds(50)
                )
            }
            #expect(result == nil)
            #expect(ContinuousClock.now - started < failsafe)
        }
    }

    @Test("a listener made for a name listens on every address it resolves to")
    func listenerByName() async throws {
        // anyio: tests/test_sockets.py::TestTCPListener::test_accept (local_host="localhost")
        let resolved = try await getAddrInfo("localhost", port: 0)
        let listener = try await makeTCPListener(localHost: "localhost")
        #expect(listener.listeners.count >= 1)
        #expect(listener.listeners.count <= resolved.count)
        let addresses = Set(try listener.listeners.map { try $0.extra(SocketAttribute.localAddress) })
        #expect(addresses.isSubset(of: Set(resolved.map(\.host))))
        let port = try listener.extra(SocketAttribute.localPort)
        for listened in listener.listeners {
            #expect(try listened.extra(SocketAttribute.localPort) == port)
        }
        let client = try await connectTCP(host: "localhost", port: port)
        await client.close()
        await listener.close()
    }
}
