//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Dispatch
import Foundation
import Testing

@Suite("Name resolution", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(60)))
struct NameResolutionTests {
    @Test("localhost resolves to loopback addresses, each once, with the port")
    func localhost() async throws {
        let all = try await getAddrInfo("localhost", port: 8080)
        #expect(all.contains(AddressInfo(family: .ipv4, host: "127.0.0.1", port: 8080)))
        #expect(Set(all).count == all.count)
        let v4 = try await getAddrInfo("localhost", port: 0, family: .ipv4)
        #expect(v4.allSatisfy { $0.family == .ipv4 })
        #expect(!v4.isEmpty)
    }

    @Test("an IPv6 literal resolves to itself")
    func ipv6Literal() async throws {
        // anyio: tests/test_sockets.py::test_getaddrinfo_ipv6addr
        #expect(try await getAddrInfo("::1", port: 0) == [AddressInfo(family: .ipv6, host: "::1", port: 0)])
        #expect(try await getAddrInfo("127.0.0.1", port: 443) == [AddressInfo(family: .ipv4, host: "127.0.0.1", port: 443)])
    }

    @Test("getNameInfo answers as the system's getnameinfo does")
    func nameInfo() async throws {
        // anyio: tests/test_sockets.py::test_getnameinfo
        let (host, service) = try await getNameInfo(host: "127.0.0.1", port: 6666)
        #expect(host == "localhost")
        #expect(!service.isEmpty)
        let error = await #expect(throws: InvalidArgumentError.self) { _ = try await getNameInfo(host: "localhost", port: 80) }
        #expect(error?.message.contains("localhost") == true)
    }

    @Test("bad input is an error naming the value; an unknown name is NameResolutionError")
    func badInput() async throws {
        await #expect(throws: InvalidArgumentError.self) { _ = try await getAddrInfo("", port: 80) }
        let port = await #expect(throws: InvalidArgumentError.self) { _ = try await getAddrInfo("localhost", port: 65536) }
        #expect(port?.message.contains("65536") == true)
        await #expect(throws: InvalidArgumentError.self) { _ = try await getAddrInfo("localhost", port: 80, family: .unix) }
        await #expect(throws: InvalidArgumentError.self) { _ = try await getNameInfo(host: "127.0.0.1", port: -1) }
        await #expect(throws: InvalidArgumentError.self) { _ = try await getAddrInfo("bücher..example", port: 80) }
        // A numeric host that is not an address: the resolver's own error, without the network.
        await #expect(throws: NameResolutionError.self) { _ = try await getAddrInfo("300.300.300.300", port: 80, family: .ipv6) }
    }

    @Test("a cancelled lookup returns at once; the thread's result is dropped")
    func cancellation() async throws {
        // The lookup mechanism with a lookup that blocks until released (no network involved).
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let started = ContinuousClock.now
        let result: Int? = try await moveOnAfter(.milliseconds(50)) { _ in
            try await resolveOnWorkerThread { () -> Int in
                release.wait()
                finished.signal()
                return 1
            }
        }
        #expect(result == nil)
        #expect(ContinuousClock.now - started < failsafe)
        release.signal()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        // And the public call in a cancelled scope: a checkpoint.
        try await withCancelScope { scope in
            scope.cancel()
            await #expect(throws: CancellationError.self) { _ = try await getAddrInfo("localhost", port: 80) }
        }
    }

    @Test("IDNA: international names become xn-- labels (known vectors)")
    func idna() throws {
        #expect(try IDNA.encode("bücher.example") == "xn--bcher-kva.example")
        #expect(try IDNA.encode("München.DE") == "xn--mnchen-3ya.DE")
        // IDNA 2008 keeps ß (AnyIO's test_getaddrinfo: "faß.de" is not "fass.de").
        #expect(try IDNA.encode("faß.de") == "xn--fa-hia.de")
        #expect(try IDNA.encode("bücher。example") == "xn--bcher-kva.example")
        #expect(try IDNA.encode("example.com") == "example.com")
        #expect(try IDNA.encode("bücher.example.") == "xn--bcher-kva.example.")
        // RFC 3492, section 7.1: (A) Arabic (Egyptian), (B) Chinese (simplified), (L) mixed.
        let arabic = "\u{0644}\u{064A}\u{0647}\u{0645}\u{0627}\u{0628}\u{062A}\u{0643}\u{0644}\u{0645}\u{0648}\u{0634}\u{0639}\u{0631}\u{0628}\u{064A}\u{061F}"
        #expect(IDNA.punycode(Array(arabic.unicodeScalars)) == "egbpdaj6bu4bxfgehfvwxn")
        #expect(IDNA.punycode(Array("他们为什么不说中文".unicodeScalars)) == "ihqwcrb4cv8a8dqg056pqjye")
        #expect(IDNA.punycode(Array("3年B組金八先生".unicodeScalars)) == "3B-ww4c5e180e575a65lsy2b")
        #expect(throws: InvalidArgumentError.self) { try IDNA.encode(String(repeating: "ü", count: 70) + ".example") }
    }
}
