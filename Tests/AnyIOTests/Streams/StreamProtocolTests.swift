//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Testing

@testable import AnyIO

@Suite("Stream protocols", .timeLimit(.minutes(1)), .anyIO(timeLimit: .seconds(30)))
struct StreamProtocolTests {
    @Test("each TypedAttribute() is a distinct key, and a set answers only its own keys")
    func typedAttributeIdentity() throws {
        let first = TypedAttribute<Int>(), second = TypedAttribute<Int>()
        #expect(first != second)
        #expect(first == first)
        var set = TypedAttributeSet()
        set.set(first, to: 1)
        #expect(try set.value(of: first) == 1)
        #expect(set.contains(first) && !set.contains(second))
        let error = #expect(throws: TypedAttributeLookupError.self) { try set.value(of: second) }
        #expect(error?.description.contains("attribute: Int") == true)
        set[first] = nil
        #expect(!set.contains(first))
    }

    @Test("chunks(maxBytes:) yields the stream's bytes and ends at the end of the stream")
    func chunks() async throws {
        let (a, b) = memoryByteStreamPair()
        try await a.send(Array(0..<10))
        await a.close()
        var chunks: [[UInt8]] = []
        for try await chunk in b.chunks(maxBytes: 4) { chunks.append(chunk) }
        #expect(chunks == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    }

    @Test("chunks(maxBytes: 0) throws InvalidArgumentError on the first iteration")
    func chunksInvalid() async throws {
        let (_, b) = memoryByteStreamPair()
        await #expect(throws: InvalidArgumentError.self) {
            for try await _ in b.chunks(maxBytes: 0) {}
        }
    }

    @Test("executeThenClose closes after the body returns, throws, or is cancelled")
    func executeThenClose() async throws {
        let (a, b) = memoryByteStreamPair()
        let value = try await a.executeThenClose { stream in
            try await stream.send("x")
            return 5
        }
        #expect(value == 5)
        #expect(try await b.receive() == Array("x".utf8))
        await #expect(throws: EndOfStreamError.self) { try await b.receive() }

        let (c, d) = memoryByteStreamPair()
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await c.executeThenClose { _ in throw Boom() }
        }
        await #expect(throws: EndOfStreamError.self) { try await d.receive() }

        let (e, f) = memoryByteStreamPair()
        _ = try await withCancelScope { scope in
            try await e.executeThenClose { stream in
                scope.cancel()
                _ = try await stream.receive()
            }
        }
        await #expect(throws: EndOfStreamError.self) { try await f.receive() }
    }

    @Test("memory object streams are object streams")
    func memoryObjectStreamsConform() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
        let sender: any ObjectSendStream<Int> = send
        let receiver: any ObjectReceiveStream<Int> = receive
        try await sender.send(3)
        #expect(try await receiver.receive() == 3)
        #expect(throws: TypedAttributeLookupError.self) { try receiver.extra(TypedAttribute<Int>()) }
        await sender.close()
        await #expect(throws: EndOfStreamError.self) { try await receiver.receive() }
    }

    @Test("ByteSendStream.send(String) sends UTF-8")
    func sendString() async throws {
        let (a, b) = memoryByteStreamPair()
        try await a.send("€")
        try await a.send(contentsOf: [0x21][...])
        #expect(try await b.receive() == [0xE2, 0x82, 0xAC, 0x21])
    }
}
