//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Testing

@testable import AnyIO

@Suite("Stapled streams", .timeLimit(.minutes(1)), .anyIO(timeLimit: .seconds(30)))
struct StapledStreamTests {
    @Test("a stapled byte stream sends to one stream and receives from the other")
    func byteReceiveSend() async throws {
        // anyio: tests/streams/test_stapled.py::TestStapledByteStream::test_receive_send
        let (out, peerIn) = memoryByteStreamPair()
        let (peerOut, into) = memoryByteStreamPair()
        let stapled = StapledByteStream(sendStream: out, receiveStream: into)
        try await stapled.send("hello")
        #expect(try await peerIn.receive() == Array("hello".utf8))
        try await peerOut.send("world")
        #expect(try await stapled.receive() == Array("world".utf8))
    }

    @Test("sendEOF closes the send stream only; close closes both")
    func byteSendEOFAndClose() async throws {
        // anyio: tests/streams/test_stapled.py::TestStapledByteStream::test_send_eof
        // anyio: tests/streams/test_stapled.py::TestStapledByteStream::test_aclose
        let (out, peerIn) = memoryByteStreamPair()
        let (peerOut, into) = memoryByteStreamPair()
        let stapled = StapledByteStream(sendStream: out, receiveStream: into)
        try await stapled.sendEOF()
        await #expect(throws: EndOfStreamError.self) { try await peerIn.receive() }
        try await peerOut.send("still")
        #expect(try await stapled.receive() == Array("still".utf8))
        await stapled.close()
        await #expect(throws: ClosedResourceError.self) { try await into.receive() }
    }

    @Test("maxBytes < 1 is rejected", arguments: [0, -1])
    func byteInvalidMaxBytes(maxBytes: Int) async throws {
        // anyio: tests/streams/test_stapled.py::TestStapledByteStream::test_receive_invalid_max_bytes
        let (out, _) = memoryByteStreamPair()
        let (_, into) = memoryByteStreamPair()
        let stapled = StapledByteStream(sendStream: out, receiveStream: into)
        await #expect(throws: InvalidArgumentError.self) { try await stapled.receive(maxBytes: maxBytes) }
    }

    @Test("a stapled object stream over memory object streams")
    func objectReceiveSend() async throws {
        // anyio: tests/streams/test_stapled.py::TestStapledObjectStream::test_receive_send
        // anyio: tests/streams/test_stapled.py::TestStapledObjectStream::test_send_eof
        // anyio: tests/streams/test_stapled.py::TestStapledObjectStream::test_aclose
        let (send, peerReceive) = makeMemoryObjectStream(of: String.self, bufferSize: 10)
        let (peerSend, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 10)
        let stapled = StapledObjectStream(sendStream: send, receiveStream: receive)
        try await stapled.send("foo")
        #expect(try await peerReceive.receive() == "foo")
        try await peerSend.send("bar")
        #expect(try await stapled.receive() == "bar")
        try await stapled.sendEOF()
        await #expect(throws: EndOfStreamError.self) { try await peerReceive.receive() }
        await stapled.close()
        await #expect(throws: ClosedResourceError.self) { try await receive.receive() }
    }

    @Test("typed attributes come from the receive stream first, then the send stream")
    func attributes() async throws {
        let shared = TypedAttribute<String>("shared"), sendOnly = TypedAttribute<String>("sendOnly")
        let stapled = StapledByteStream(
            sendStream: AttributeStream([shared: "send", sendOnly: "send"]),
            receiveStream: AttributeStream([shared: "receive"])
        )
        #expect(try stapled.extra(shared) == "receive")
        #expect(try stapled.extra(sendOnly) == "send")
        #expect(throws: TypedAttributeLookupError.self) { try stapled.extra(TypedAttribute<Int>()) }
    }

    @Test("a stapled pair of memory byte streams passes the two-way stream checks")
    func conformance() async throws {
        try await checkTwoWayStream {
            let (aOut, bIn) = memoryByteStreamPair(maxBufferSize: 4_096)
            let (bOut, aIn) = memoryByteStreamPair(maxBufferSize: 4_096)
            return (
                StapledByteStream(sendStream: aOut, receiveStream: aIn),
                StapledByteStream(sendStream: bOut, receiveStream: bIn)
            )
        }
    }
}

/// A byte stream that only answers attributes.
private final class AttributeStream: ByteSendStream, ByteReceiveStream {
    let values: [TypedAttribute<String>: String]
    init(_ values: [TypedAttribute<String>: String]) { self.values = values }
    func send(_ bytes: [UInt8]) async throws {}
    func receive(maxBytes: Int) async throws -> [UInt8] { throw EndOfStreamError() }
    func close() async {}
    func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        var set = TypedAttributeSet()
        for (key, value) in values { set.set(key, to: value) }
        return try set.value(of: attribute)
    }
}
