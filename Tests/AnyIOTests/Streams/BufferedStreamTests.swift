//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Testing

@testable import AnyIO

/// A receive stream that hands out scripted chunks, then the end of the stream.
final class ScriptedByteStream: ByteReceiveStream {
    let chunks: TestBox<[[UInt8]]>
    let closed = TestBox(false)
    static let name = TypedAttribute<String>("scriptName")

    init(_ chunks: [[UInt8]]) {
        self.chunks = TestBox(chunks)
    }

    func receive(maxBytes: Int) async throws -> [UInt8] {
        try checkMaxBytes(maxBytes, of: "receive(maxBytes:)")
        try await LowLevel.checkpoint()
        if closed.value { throw ClosedResourceError() }
        let chunk: [UInt8]? = chunks.update { chunks in
            guard !chunks.isEmpty else { return nil }
            let chunk = chunks.removeFirst()
            if chunk.count > maxBytes {
                chunks.insert(Array(chunk[maxBytes...]), at: 0)
                return Array(chunk[..<maxBytes])
            }
            return chunk
        }
        guard let chunk else { throw EndOfStreamError() }
        return chunk
    }

    func close() async { closed.value = true }

    func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        var attributes = TypedAttributeSet()
        attributes.set(Self.name, to: "scripted")
        return try attributes.value(of: attribute)
    }
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("Buffered byte streams", .timeLimit(.minutes(1)), .anyIO(timeLimit: .seconds(30)))
struct BufferedStreamTests {
    @Test("receiveExactly gathers bytes across chunks")
    func receiveExactly() async throws {
        // anyio: tests/streams/test_buffered.py::test_receive_exactly
        let buffered = BufferedByteReceiveStream(ScriptedByteStream([bytes("abcd"), bytes("efgh")]))
        #expect(try await buffered.receiveExactly(8) == bytes("abcdefgh"))
        #expect(try await buffered.receiveExactly(0) == [])
    }

    @Test("receiveExactly at the end of the stream throws IncompleteReadError and keeps the partial data")
    func receiveExactlyIncomplete() async throws {
        // anyio: tests/streams/test_buffered.py::test_receive_exactly_incomplete
        let buffered = BufferedByteReceiveStream(ScriptedByteStream([bytes("abcd")]))
        let error = await #expect(throws: IncompleteReadError.self) { try await buffered.receiveExactly(8) }
        #expect(error?.bufferedCount == 4)
        #expect(buffered.buffer == bytes("abcd"))
        #expect(try await buffered.receive(maxBytes: 100) == bytes("abcd"))
    }

    @Test("receiveUntil returns the bytes before the delimiter and consumes it")
    func receiveUntil() async throws {
        // anyio: tests/streams/test_buffered.py::test_receive_until
        let buffered = BufferedByteReceiveStream(ScriptedByteStream([bytes("abcd"), bytes("efgh")]))
        #expect(try await buffered.receiveUntil(bytes("de"), maxBytes: 10) == bytes("abc"))
        #expect(try await buffered.receiveUntil(bytes("h"), maxBytes: 10) == bytes("fg"))
    }

    @Test("a delimiter split across chunks is found")
    func delimiterSplitAcrossChunks() async throws {
        let buffered = BufferedByteReceiveStream(
            ScriptedByteStream([bytes("line one\r"), bytes("\nline two"), bytes("\r"), bytes("\n")])
        )
        #expect(try await buffered.receiveUntil(bytes("\r\n"), maxBytes: 100) == bytes("line one"))
        #expect(try await buffered.receiveUntil(bytes("\r\n"), maxBytes: 100) == bytes("line two"))
        #expect(buffered.buffer.isEmpty)
    }

    @Test("receiveUntil at the end of the stream throws IncompleteReadError and keeps the data")
    func receiveUntilIncomplete() async throws {
        // anyio: tests/streams/test_buffered.py::test_receive_until_incomplete
        let buffered = BufferedByteReceiveStream(ScriptedByteStream([bytes("abcd")]))
        await #expect(throws: IncompleteReadError.self) {
            try await buffered.receiveUntil(bytes("de"), maxBytes: 10)
        }
        #expect(buffered.buffer == bytes("abcd"))
    }

    @Test("receiveUntil throws DelimiterNotFoundError once maxBytes arrived without the delimiter")
    func delimiterNotFound() async throws {
        let buffered = BufferedByteReceiveStream(ScriptedByteStream([bytes("abc"), bytes("def"), bytes("g\n")]))
        let error = await #expect(throws: DelimiterNotFoundError.self) {
            try await buffered.receiveUntil(bytes("\n"), maxBytes: 5)
        }
        #expect(error?.maxBytes == 5)
        #expect(buffered.buffer == bytes("abcdef"))
        // A larger limit finds it; nothing was lost.
        #expect(try await buffered.receiveUntil(bytes("\n"), maxBytes: 100) == bytes("abcdefg"))
    }

    @Test("bad arguments throw InvalidArgumentError naming the argument", arguments: [0, -1])
    func invalidArguments(maxBytes: Int) async throws {
        // anyio: tests/streams/test_buffered.py::test_receive_invalid_max_bytes
        // anyio: tests/streams/test_buffered.py::test_buffered_stream_receive_invalid_max_bytes
        let buffered = BufferedByteReceiveStream(ScriptedByteStream([bytes("abc")]))
        let error = await #expect(throws: InvalidArgumentError.self) { try await buffered.receive(maxBytes: maxBytes) }
        #expect(error?.message.contains("maxBytes") == true)
        await #expect(throws: InvalidArgumentError.self) { try await buffered.receiveUntil([], maxBytes: 10) }
        await #expect(throws: InvalidArgumentError.self) {
            try await buffered.receiveUntil([10], maxBytes: maxBytes)
        }
        await #expect(throws: InvalidArgumentError.self) { try await buffered.receiveExactly(-1) }
        // Nothing was consumed.
        #expect(try await buffered.receiveExactly(3) == bytes("abc"))
    }

    @Test("fed data comes out before data not yet received from the wrapped stream")
    func feedData() async throws {
        // anyio: tests/streams/test_buffered.py::test_feed_data
        let buffered = BufferedByteReceiveStream(ScriptedByteStream([bytes("abcd")]))
        buffered.feedData(bytes("xxx"))
        buffered.feedData(bytes("foo")[...])
        #expect(try await buffered.receiveExactly(10) == bytes("xxxfooabcd"))
    }

    @Test("BufferedByteStream sends through, half-closes the wrapped stream, and close closes it")
    func bufferedByteStream() async throws {
        // anyio: tests/streams/test_buffered.py::test_buffered_stream
        let (a, b) = memoryByteStreamPair(maxChunkSize: 1)
        let buffered = BufferedByteStream(a)
        try await b.send(bytes("abcd"))
        #expect(try await buffered.receiveExactly(2) == bytes("ab"))
        #expect(try await buffered.receiveExactly(2) == bytes("cd"))
        try await buffered.send(bytes("xy"))
        try await buffered.sendEOF()
        #expect(try await b.receive(maxBytes: 10) == bytes("x"))
        #expect(try await b.receive(maxBytes: 10) == bytes("y"))
        await #expect(throws: EndOfStreamError.self) { try await b.receive(maxBytes: 10) }
        await buffered.close()
        await #expect(throws: ClosedResourceError.self) { try await buffered.receive(maxBytes: 1) }
        await #expect(throws: ClosedResourceError.self) { try await a.receive(maxBytes: 1) }
    }

    @Test("a cancelled receiveExactly keeps what it gathered for the next call", .anyIO(clock: .mock(autojump: .zero)))  // virtual time: the timeout fires at once
    func cancelledReceiveExactlyLosesNothing() async throws {
        let (a, b) = memoryByteStreamPair()
        let buffered = BufferedByteReceiveStream(a)
        try await b.send(bytes("abc"))
        let result = try await moveOnAfter(.milliseconds(50)) { _ in
            try await buffered.receiveExactly(6)
        }
        #expect(result == nil)
        #expect(buffered.buffer == bytes("abc"))
        try await b.send(bytes("def"))
        #expect(try await buffered.receiveExactly(6) == bytes("abcdef"))
    }

    @Test("every receive is a checkpoint, also when the buffer answers it")
    func bufferedReceiveIsACheckpoint() async throws {
        let buffered = BufferedByteReceiveStream(ScriptedByteStream([bytes("line\nrest")]))
        #expect(try await buffered.receiveUntil(bytes("\n"), maxBytes: 100) == bytes("line"))
        // "rest" is buffered now; a cancelled scope still stops every call before it takes it.
        _ = try await withCancelScope { scope in
            scope.cancel()
            await #expect(throws: CancellationError.self) { try await buffered.receive(maxBytes: 10) }
            await #expect(throws: CancellationError.self) { try await buffered.receiveExactly(2) }
            await #expect(throws: CancellationError.self) {
                try await buffered.receiveUntil(bytes("t"), maxBytes: 10)
            }
        }
        #expect(buffered.buffer == bytes("rest"))
    }

    @Test("two tasks receiving at once: the second gets BusyResourceError")
    func concurrentReceiveIsBusy() async throws {
        let (a, b) = memoryByteStreamPair()
        let buffered = BufferedByteReceiveStream(a)
        try await withNursery { nursery in
            nursery.startSoon {
                let received = try await buffered.receiveExactly(2)
                #expect(received == bytes("ok"))
            }
            try await waitAllTasksBlocked()
            await #expect(throws: BusyResourceError.self) { try await buffered.receive(maxBytes: 1) }
            try await b.send(bytes("ok"))
        }
    }

    @Test("the wrappers answer the typed attributes of the stream they wrap")
    func typedAttributesPassThrough() async throws {
        let buffered = BufferedByteReceiveStream(ScriptedByteStream([]))
        #expect(try buffered.extra(ScriptedByteStream.name) == "scripted")
        let other = TypedAttribute<Int>("other")
        #expect(throws: TypedAttributeLookupError.self) { try buffered.extra(other) }
        #expect(buffered.extra(other, default: 7) == 7)
        let text = TextReceiveStream(BufferedByteReceiveStream(ScriptedByteStream([])))
        #expect(try text.extra(ScriptedByteStream.name) == "scripted")
    }

    @Test("a BufferedByteStream over a memory pair passes the half-closeable stream checks")
    func conformance() async throws {
        try await checkHalfCloseableStream(bulkBytes: 200_000) {
            let (a, b) = memoryByteStreamPair(maxBufferSize: 1_000, maxChunkSize: 300)
            return (BufferedByteStream(a), BufferedByteStream(b))
        }
    }
}
