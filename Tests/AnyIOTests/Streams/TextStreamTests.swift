//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Testing

@testable import AnyIO

@Suite("Text streams", .timeLimit(.minutes(1)), .anyIO(timeLimit: .seconds(30)))
struct TextStreamTests {
    @Test("a character split across chunks decodes once its last byte arrives")
    func splitCharacter() async throws {
        // anyio: tests/streams/test_text.py::test_receive
        let (a, b) = memoryByteStreamPair()
        let text = TextReceiveStream(b)
        try await a.send([0xC3, 0xA5, 0xC3, 0xA4, 0xC3])  // "åä" and half of "ö"
        #expect(try await text.receive() == "åä")
        try await a.send([0xB6])
        #expect(try await text.receive() == "ö")
    }

    @Test("every split of a text into one-byte chunks decodes to the same text")
    func oneByteChunks() async throws {
        let original = "a€𝄞ö, 日本語 😀!"
        let (a, b) = memoryByteStreamPair(maxChunkSize: 1)
        let text = TextReceiveStream(b)
        try await a.send(Array(original.utf8))
        await a.close()
        var decoded = ""
        while true {
            do {
                decoded += try await text.receive()
            } catch is EndOfStreamError {
                break
            }
        }
        #expect(decoded == original)
    }

    @Test("a send encodes UTF-8")
    func send() async throws {
        // anyio: tests/streams/test_text.py::test_send
        let (a, b) = memoryByteStreamPair()
        let text = TextSendStream(a)
        try await text.send("åäö")
        #expect(try await b.receive() == [0xC3, 0xA5, 0xC3, 0xA4, 0xC3, 0xB6])
    }

    @Test("invalid UTF-8 throws with the byte offset from the start of the stream")
    func invalidBytesThrow() async throws {
        let (a, b) = memoryByteStreamPair()
        let text = TextReceiveStream(b)
        try await a.send(Array("hello".utf8))
        #expect(try await text.receive() == "hello")
        try await a.send([0x61, 0x62, 0xE5, 0xE4])  // "ab", then Latin-1 "åä"
        let error = await #expect(throws: UTF8DecodingError.self) { try await text.receive() }
        #expect(error?.byteOffset == 7)
        #expect(error?.description.contains("offset 7") == true)
    }

    @Test("invalid UTF-8 is replaced with U+FFFD when asked")
    func invalidBytesReplaced() async throws {
        // anyio: tests/streams/test_text.py::test_receive_encoding_error
        let (a, b) = memoryByteStreamPair()
        let text = TextReceiveStream(b, invalidUTF8: .replace)
        try await a.send([0xE5, 0xE4, 0xF6])  // "åäö" in Latin-1
        #expect(try await text.receive() == "\u{FFFD}\u{FFFD}\u{FFFD}")
    }

    @Test("a stream that ends inside a character: an error, or U+FFFD when replacing")
    func truncatedAtEnd() async throws {
        let (a, b) = memoryByteStreamPair()
        let strict = TextReceiveStream(b)
        try await a.send([0x78, 0xE2, 0x82])  // "x" and two of the three bytes of "€"
        await a.close()
        #expect(try await strict.receive() == "x")
        let error = await #expect(throws: UTF8DecodingError.self) { try await strict.receive() }
        #expect(error?.byteOffset == 1)

        let (c, d) = memoryByteStreamPair()
        let replacing = TextReceiveStream(d, invalidUTF8: .replace)
        try await c.send([0x78, 0xE2, 0x82])
        await c.close()
        #expect(try await replacing.receive() == "x")
        #expect(try await replacing.receive() == "\u{FFFD}")
        await #expect(throws: EndOfStreamError.self) { try await replacing.receive() }
    }

    @Test("a TextStream sends and receives over one byte stream")
    func bidirectional() async throws {
        // anyio: tests/streams/test_text.py::test_bidirectional_stream
        let (a, b) = memoryByteStreamPair()
        let text = TextStream(a)
        try await text.send("åäö")
        #expect(try await b.receive() == [0xC3, 0xA5, 0xC3, 0xA4, 0xC3, 0xB6])
        try await b.send([0xC3, 0xA6, 0xC3, 0xB8])
        #expect(try await text.receive() == "æø")
        try await text.sendEOF()
        await #expect(throws: EndOfStreamError.self) { try await b.receive() }
        await text.close()
        await #expect(throws: ClosedResourceError.self) { try await a.receive() }
    }

    @Test("the incremental decoder holds back only a prefix that can still become valid")
    func incompleteSuffix() {
        #expect(IncrementalUTF8Decoder.incompleteSuffixLength([0x61]) == 0)
        #expect(IncrementalUTF8Decoder.incompleteSuffixLength([0x61, 0xC3]) == 1)
        #expect(IncrementalUTF8Decoder.incompleteSuffixLength([0xE2, 0x82]) == 2)
        #expect(IncrementalUTF8Decoder.incompleteSuffixLength([0xF0, 0x9F, 0x98]) == 3)
        #expect(IncrementalUTF8Decoder.incompleteSuffixLength([0xF0, 0x9F, 0x98, 0x80]) == 0)
        // E0 80 can never be valid (overlong): nothing to wait for.
        #expect(IncrementalUTF8Decoder.incompleteSuffixLength([0xE0, 0x80]) == 0)
        #expect(IncrementalUTF8Decoder.incompleteSuffixLength([0xFF]) == 0)
    }
}
