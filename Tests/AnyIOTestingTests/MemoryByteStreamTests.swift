//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIOTesting
import Testing

@Suite("Memory byte streams and the stream conformance checks", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(150)))
struct MemoryByteStreamTests {
    @Test("a memory byte stream pair passes the half-closeable stream checks", arguments: [
        (65_536, Int.max, 1 << 20), (1, 1, 4_000), (1_000, 7, 50_000),
    ])
    func conformance(maxBufferSize: Int, maxChunkSize: Int, bulkBytes: Int) async throws {
        // trio: src/trio/_tests/test_testing.py::test_memory_stream_pair (check_half_closeable_stream)
        try await checkHalfCloseableStream(bulkBytes: bulkBytes) {
            memoryByteStreamPair(maxBufferSize: maxBufferSize, maxChunkSize: maxChunkSize)
        }
    }

    @Test("one-way checks on the two halves of a pair")
    func oneWay() async throws {
        try await checkOneWayStream {
            let (a, b) = memoryByteStreamPair(maxBufferSize: 10)
            return (send: a, receive: b)
        }
    }

    @Test("a sender waits while the peer's buffer is full (flow control)")
    func flowControl() async throws {
        let (a, b) = memoryByteStreamPair(maxBufferSize: 4)
        try await withNursery { nursery in
            nursery.startSoon { try await a.send(Array(0..<10)) }
            try await waitAllTasksBlocked()
            #expect(a.unreceivedCount == 4)
            var received: [UInt8] = []
            while received.count < 10 { received += try await b.receive(maxBytes: 3) }
            #expect(received == Array(0..<10))
        }
    }

    @Test("the checks catch a stream that breaks a promise")
    func checksCatchABrokenStream() async throws {
        let failure = await #expect(throws: StreamConformanceFailure.self) {
            try await checkOneWayStream {
                let (a, b) = memoryByteStreamPair()
                return (send: a, receive: GreedyStream(b))
            }
        }
        #expect(failure?.check == "receive(maxBytes:) returns between 1 and maxBytes bytes")
        #expect(failure?.message.contains("receive(maxBytes: 7) returned") == true)
    }
}

/// A receive stream that ignores `maxBytes` (returns whatever it has): it breaks IO2.
private final class GreedyStream: ByteReceiveStream {
    let inner: MemoryByteStream
    init(_ inner: MemoryByteStream) { self.inner = inner }
    func receive(maxBytes: Int) async throws -> [UInt8] {
        guard maxBytes >= 1 else { throw InvalidArgumentError("maxBytes") }
        return try await inner.receive(maxBytes: 1_000_000)
    }
    func close() async { await inner.close() }
    func extra<T>(_ attribute: TypedAttribute<T>) throws -> T { try inner.extra(attribute) }
}
