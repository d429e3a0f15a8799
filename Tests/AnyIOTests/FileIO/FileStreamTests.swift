//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing

@testable import AnyIO

@Suite("FileIO: FileReadStream", .timeLimit(.minutes(1)))
struct FileReadStreamTests {
    func dataFile(in directory: AsyncPath) -> AsyncPath {
        let path = directory / "data.txt"
        testWriteFile(path, "Hello")
        return path
    }

    @Test("receives the file in pieces of at most maxBytes, then EndOfStreamError")
    func readFile() async throws {
        try await withFileTestDirectory { directory throws in
            let stream = try await FileReadStream.fromPath(dataFile(in: directory).description)
            try await stream.executeThenClose { stream throws in
                #expect(try await stream.receive(maxBytes: 3) == Array("Hel".utf8))
                #expect(try await stream.receive(maxBytes: 3) == Array("lo".utf8))
                await #expect(throws: EndOfStreamError.self) { try await stream.receive(maxBytes: 1) }
            }
        }
    }
    // Ported from test_file.py::TestFileReadStream::test_read_file_as_path and test_read_file

    @Test("chunks ends at the end of the file")
    func chunks() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "big"
            testWriteFile(path, fileTestData)
            var received: [UInt8] = []
            try await FileReadStream.fromPath(path.description).executeThenClose { stream throws in
                for try await chunk in stream.chunks(maxBytes: 4096) {
                    #expect(!chunk.isEmpty && chunk.count <= 4096)
                    received += chunk
                }
            }
            #expect(received == fileTestData)
        }
    }

    @Test("receive after close throws ClosedResourceError")
    func readAfterClose() async throws {
        try await withFileTestDirectory { directory throws in
            let stream = try await FileReadStream.fromPath(dataFile(in: directory).description)
            await stream.close()
            await stream.close()
            await #expect(throws: ClosedResourceError.self) { try await stream.receive() }
            #expect(throws: ClosedResourceError.self) { try stream.extra(FileStreamAttribute.fileDescriptor) }
        }
    }
    // Ported from test_file.py::TestFileReadStream::test_read_after_close

    @Test("maxBytes below 1 throws InvalidArgumentError", arguments: [0, -1])
    func invalidMaxBytes(maxBytes: Int) async throws {
        try await withFileTestDirectory { directory throws in
            try await FileReadStream.fromPath(dataFile(in: directory).description).executeThenClose { stream throws in
                let error = await #expect(throws: InvalidArgumentError.self) { try await stream.receive(maxBytes: maxBytes) }
                #expect(error?.message.contains("maxBytes must be at least 1") == true)
                #expect(try await stream.tell() == 0, "no I/O happened")
            }
        }
    }
    // Ported from test_file.py::TestFileReadStream::test_receive_invalid_max_bytes

    @Test("seek and tell")
    func seek() async throws {
        try await withFileTestDirectory { directory throws in
            try await FileReadStream.fromPath(dataFile(in: directory).description).executeThenClose { stream throws in
                try await stream.seek(2)
                #expect(try await stream.tell() == 2)
                #expect(try await stream.receive() == Array("llo".utf8))
                #expect(try await stream.tell() == 5)
            }
        }
    }
    // Ported from test_file.py::TestFileReadStream::test_seek

    @Test("answers the path and descriptor attributes")
    func extraAttributes() async throws {
        try await withFileTestDirectory { directory throws in
            let path = dataFile(in: directory)
            try await FileReadStream.fromPath(path.description).executeThenClose { stream throws in
                #expect(try stream.extra(FileStreamAttribute.path) == path.description)
                #expect(try stream.extra(FileStreamAttribute.fileDescriptor) > 2)
                #expect(throws: TypedAttributeLookupError.self) { try stream.extra(TypedAttribute<Int>()) }
            }
        }
    }
    // Ported from test_file.py::TestFileReadStream::test_extra_attributes

    @Test("a missing file throws FileSystemError naming it")
    func missing() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "missing"
            let error = await #expect(throws: FileSystemError.self) { try await FileReadStream.fromPath(path.description) }
            #expect(error?.path == path.description)
        }
    }

    @Test("a receive cancelled while its read runs loses no bytes; a concurrent receive is busy")
    func cancelledReceiveKeepsBytes() async throws {
        try await withFileTestDirectory { directory throws in
            let fifo = directory / "fifo"
            #expect(mkfifo(fifo.description, 0o600) == 0)
            let writer = open(fifo.description, O_RDWR)
            #expect(writer >= 0)
            defer { close(writer) }
            let stream = try await FileReadStream.fromPath(fifo.description)
            try await stream.executeThenClose { stream throws in
                try await withNursery { nursery throws in
                    nursery.startSoon { () async throws in
                        await #expect(throws: CancellationError.self) { _ = try await stream.receive() }
                    }
                    while stream.core.inFlightCount == 0 { try await LowLevel.checkpoint() }
                    await #expect(throws: BusyResourceError.self) { _ = try await stream.receive() }
                    nursery.cancel()
                    _ = "hello".withCString { write(writer, $0, 5) }
                }
                #expect(try await stream.receive(maxBytes: 2) == Array("he".utf8))
                #expect(try await stream.receive() == Array("llo".utf8))
            }
        }
    }
    // SPEC IO1, IO2
}

@Suite("FileIO: FileWriteStream", .timeLimit(.minutes(1)))
struct FileWriteStreamTests {
    @Test("sends write the file")
    func writeFile() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "written_data.txt"
            try await FileWriteStream.fromPath(path.description).executeThenClose { stream throws in
                try await stream.send(Array("Hel".utf8))
                try await stream.send("lo")
                try await stream.send([])
            }
            #expect(testReadFile(path) == Array("Hello".utf8))
        }
    }
    // Ported from test_file.py::TestFileWriteStream::test_write_file

    @Test("append adds to the end; without it the file is emptied", arguments: [true, false])
    func appendFile(append: Bool) async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "written_data.txt"
            testWriteFile(path, "Hello")
            try await FileWriteStream.fromPath(path.description, append: append).executeThenClose { stream throws in
                try await stream.send(", World!")
            }
            #expect(testReadFile(path) == Array((append ? "Hello, World!" : ", World!").utf8))
        }
    }
    // Ported from test_file.py::TestFileWriteStream::test_append_file

    @Test("send after close throws ClosedResourceError")
    func writeAfterClose() async throws {
        try await withFileTestDirectory { directory throws in
            let stream = try await FileWriteStream.fromPath((directory / "f").description, append: true)
            await stream.close()
            await #expect(throws: ClosedResourceError.self) { try await stream.send("foo") }
        }
    }
    // Ported from test_file.py::TestFileWriteStream::test_write_after_close

    @Test("answers the path and descriptor attributes")
    func extraAttributes() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "written_data.txt"
            try await FileWriteStream.fromPath(path.description).executeThenClose { stream throws in
                #expect(try stream.extra(FileStreamAttribute.path) == path.description)
                #expect(try stream.extra(FileStreamAttribute.fileDescriptor) > 2)
            }
        }
    }
    // Ported from test_file.py::TestFileWriteStream::test_extra_attributes

    @Test("a send in a cancelled scope writes nothing")
    func cancelledSend() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "f"
            try await FileWriteStream.fromPath(path.description).executeThenClose { stream throws in
                try await withCancelScope { scope throws in
                    scope.cancel()
                    await #expect(throws: CancellationError.self) { try await stream.send("x") }
                }
            }
            #expect(testReadFile(path) == [])
        }
    }
}
