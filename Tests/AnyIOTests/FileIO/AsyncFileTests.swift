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

@Suite("FileIO: AsyncFile", .timeLimit(.minutes(1)))
struct AsyncFileTests {
    @Test("opens and closes, keeping the limiter", arguments: [false, true])
    func openClose(withLimiter: Bool) async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testdata"
            testWriteFile(path, fileTestData)
            let limiter = withLimiter ? CapacityLimiter(totalTokens: 1) : nil
            let file = try await openFile(path.description, limiter: limiter)
            #expect(file.limiter === limiter)
            #expect(file.path == path.description)
            #expect(!file.isClosed)
            await file.close()
            #expect(file.isClosed)
        }
    }
    // Ported from test_fileio.py::TestAsyncFile::test_open_close

    @Test("read() returns the whole file")
    func readAll() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testdata"
            testWriteFile(path, fileTestData)
            let file = try await openFile(path.description, mode: "rb")
            let data = try await file.executeThenClose { try await $0.read() }
            #expect(file.isClosed)
            #expect(data == fileTestData)
        }
    }
    // Ported from test_fileio.py::TestAsyncFile::test_read

    @Test("read(count) returns count bytes, fewer only at the end, none after it")
    func readCount() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testdata"
            testWriteFile(path, fileTestData)
            try await openFile(path.description).executeThenClose { file throws in
                #expect(try await file.read(100) == Array(fileTestData[..<100]))
                #expect(try await file.read(0) == [])
                #expect(try await file.tell() == 100)
                #expect(try await file.read(20_000) == Array(fileTestData[100...]))
                #expect(try await file.read(10) == [])
                #expect(try await file.read() == [])
                await #expect(throws: InvalidArgumentError.self) { try await file.read(-1) }
            }
        }
    }
    // Ported from test_fileio.py::TestAsyncFile::test_readinto (a bounded read)

    @Test("appending adds to the end")
    func appendWrite() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testdata"
            testWriteFile(path, fileTestData)
            try await openFile(path.description, mode: "ab").executeThenClose { file throws in
                try await file.write([UInt8](repeating: UInt8(ascii: "f"), count: 1000))
            }
            #expect(testReadFile(path)?.count == fileTestData.count + 1000)
        }
    }
    // Ported from test_fileio.py::TestAsyncFile::test_write

    @Test("lines yields each line without its terminator")
    func asyncIteration() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testfile"
            testWriteFile(path, "blah blah\nfoo foo\nbar bar")
            var lines: [String] = []
            try await openFile(path.description).executeThenClose { file throws in
                for try await line in file.lines { lines.append(line) }
            }
            #expect(lines == ["blah blah", "foo foo", "bar bar"])
        }
    }
    // Ported from test_fileio.py::TestAsyncFile::test_async_iteration

    @Test("readLine keeps empty lines, strips \\r\\n, and returns nil at the end")
    func readLine() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "lines"
            testWriteFile(path, "one\r\n\ntwo\n")
            try await openFile(path.description).executeThenClose { file throws in
                #expect(try await file.readLine() == "one")
                #expect(try await file.readLine() == "")
                #expect(try await file.readLine() == "two")
                #expect(try await file.readLine() == nil)
                #expect(try await file.readLine() == nil)
            }
        }
    }

    @Test("readText decodes UTF-8 from the current position")
    func readText() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "text"
            try await openFile(path.description, mode: "w").executeThenClose { file throws in
                try await file.write("héllo wörld ✓")
            }
            try await openFile(path.description).executeThenClose { file throws in
                try await file.seek(1)
                #expect(try await file.readText() == "éllo wörld ✓")
            }
        }
    }

    @Test("seek from start, current and end; tell; truncate; flush")
    func seekTellTruncate() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "data"
            try await openFile(path.description, mode: "w+").executeThenClose { file throws in
                try await file.write("0123456789")
                #expect(try await file.tell() == 10)
                #expect(try await file.seek(2) == 2)
                #expect(try await file.read(3) == Array("234".utf8))
                #expect(try await file.seek(-2, from: .current) == 3)
                #expect(try await file.seek(-1, from: .end) == 9)
                #expect(try await file.read() == Array("9".utf8))
                try await file.seek(4)
                try await file.truncate()
                #expect(try await file.tell() == 4, "truncate does not move the position")
                try await file.truncate(2)
                try await file.flush()
                #expect(testReadFile(path) == Array("01".utf8))
                await #expect(throws: FileSystemError.self) { try await file.seek(-1) }
            }
        }
    }

    @Test("an update file can switch between reading and writing")
    func readThenWrite() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "data"
            testWriteFile(path, "abcdef")
            try await openFile(path.description, mode: "r+").executeThenClose { file throws in
                #expect(try await file.read(2) == Array("ab".utf8))
                try await file.write("XY")
                #expect(try await file.read() == Array("ef".utf8))
                try await file.write("!")
            }
            #expect(testReadFile(path) == Array("abXYef!".utf8))
        }
    }

    @Test("every valid mode opens", arguments: ["r", "rb", "r+", "rb+", "r+b", "br", "w", "wb", "w+", "a", "ab+", "x", "xb", "x+"])
    func validModes(mode: String) async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "file"
            if !mode.contains("x") { testWriteFile(path, "content") }
            let file = try await openFile(path.description, mode: mode)
            await file.close()
        }
    }

    @Test("an invalid mode throws InvalidArgumentError naming it and the valid ones",
          arguments: ["", "q", "rw", "r++", "rbb", "rt", "wx", "+", "b", "R"])
    func invalidMode(mode: String) async throws {
        try await withFileLedger {
            let error = await #expect(throws: InvalidArgumentError.self) {
                try await openFile("/nonexistent", mode: mode)
            }
            #expect(error?.message.contains("\"\(mode)\"") == true)
            #expect(error?.message.contains("\"r\", \"w\", \"a\", \"x\"") == true)
        }
    }

    @Test("a missing file throws FileSystemError with the path")
    func missingFile() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "missing" / "file"
            let error = await #expect(throws: FileSystemError.self) { try await openFile(path.description) }
            #expect(error?.code == ENOENT)
            #expect(error?.path == path.description)
            #expect(error?.description == "open '\(path)': No such file or directory (ENOENT)")
        }
    }

    @Test("a directory opened as a file is an error naming the path", arguments: ["r", "w", "a+"])
    func directoryAsFile(mode: String) async throws {
        try await withFileTestDirectory { directory throws in
            let error = await #expect(throws: FileSystemError.self) {
                try await openFile(directory.description, mode: mode)
            }
            #expect(error?.code == EISDIR)
            #expect(error?.description.lowercased().contains("is a directory") == true)
            #expect(error?.description.contains(directory.description) == true)
        }
    }

    @Test("x refuses an existing file with EEXIST")
    func exclusiveCreate() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "file"
            testWriteFile(path, "x")
            let error = await #expect(throws: FileSystemError.self) { try await openFile(path.description, mode: "x") }
            #expect(error?.code == EEXIST)
        }
    }

    @Test("writing a file opened for reading fails with a FileSystemError")
    func writeToReadOnly() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "file"
            testWriteFile(path, "x")
            try await openFile(path.description).executeThenClose { file throws in
                let error = await #expect(throws: FileSystemError.self) { try await file.write("more") }
                #expect(error?.path == path.description)
            }
        }
    }

    @Test("every call after close throws ClosedResourceError; closing twice is harmless")
    func callsAfterClose() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "file"
            let file = try await openFile(path.description, mode: "w+")
            await file.close()
            await file.close()
            await #expect(throws: ClosedResourceError.self) { try await file.read() }
            await #expect(throws: ClosedResourceError.self) { try await file.readLine() }
            await #expect(throws: ClosedResourceError.self) { try await file.write("x") }
            await #expect(throws: ClosedResourceError.self) { try await file.seek(0) }
            await #expect(throws: ClosedResourceError.self) { try await file.tell() }
            await #expect(throws: ClosedResourceError.self) { try await file.truncate() }
            await #expect(throws: ClosedResourceError.self) { try await file.flush() }
        }
    }
    // Ported from test_tempfile.py::TestNamedTemporaryFile::test_exception_handling (use after close)

    @Test("close flushes buffered writes")
    func closeFlushes() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "file"
            let file = try await openFile(path.description, mode: "w")
            try await file.write("buffered")
            await file.close()
            #expect(testReadFile(path) == Array("buffered".utf8))
        }
    }

    @Test("a call in a cancelled scope throws CancellationError and does nothing")
    func cancelledBeforeCall() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "file"
            testWriteFile(path, fileTestData)
            try await openFile(path.description).executeThenClose { file throws in
                try await withCancelScope { scope throws in
                    scope.cancel()
                    await #expect(throws: CancellationError.self) { try await file.read(10) }
                    await #expect(throws: CancellationError.self) { try await file.seek(50) }
                    await #expect(throws: CancellationError.self) { try await openFile(path.description) }
                }
                #expect(try await file.tell() == 0)
            }
        }
    }
    // SPEC IO18 (cancellable before the blocking call starts)

    @Test("close by a cancelled caller still closes")
    func closeWhenCancelled() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "file"
            let file = try await openFile(path.description, mode: "w")
            try await file.write("kept")
            try await withCancelScope { scope throws in
                scope.cancel()
                await file.close()
            }
            #expect(file.isClosed)
            #expect(testReadFile(path) == Array("kept".utf8))
        }
    }
    // SPEC IO3

    @Test("executeThenClose closes when the body throws or is cancelled")
    func executeThenCloseOnError() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "file"
            testWriteFile(path, "x")
            let file = try await openFile(path.description)
            await #expect(throws: TestError("boom")) {
                try await file.executeThenClose { _ in throw TestError("boom") }
            }
            #expect(file.isClosed)
            let second = try await openFile(path.description)
            try await withCancelScope { scope throws in
                try await second.executeThenClose { second throws in
                    scope.cancel()
                    _ = try await second.read()
                }
            }
            #expect(second.isClosed)
        }
    }
    // SPEC IO3

    @Test("a file dropped without close is closed by deinit")
    func deinitCloses() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "file"
            var file: AsyncFile? = try await openFile(path.description, mode: "w")
            try await file?.write("safety net")
            file = nil
            // The last reference may be a worker thread's, released just after the call returned.
            let ledger = try #require(FileDescriptorLedger.current)
            while ledger.openCount > 0 { try await LowLevel.checkpoint() }
            #expect(testReadFile(path) == Array("safety net".utf8))
        }
    }
    // SPEC IO3 (deinit safety net)

    @Test("a close during a running call waits for it; later calls throw ClosedResourceError")
    func closeDuringCall() async throws {
        try await withFileTestDirectory { directory throws in
            let fifo = directory / "fifo"
            #expect(mkfifo(fifo.description, 0o600) == 0)
            // A writer that never blocks the open (O_RDWR on a FIFO is allowed on Linux and Darwin).
            let writer = open(fifo.description, O_RDWR)
            #expect(writer >= 0)
            defer { close(writer) }
            let file = try await openFile(fifo.description)
            try await withNursery { nursery in
                nursery.startSoon { () async throws in
                    // Blocks in the worker thread until the bytes below arrive.
                    #expect(try await file.read(5) == Array("hello".utf8))
                }
                while file.core.inFlightCount == 0 { try await LowLevel.checkpoint() }
                nursery.startSoon { await file.close() }
                while !file.isClosed { try await LowLevel.checkpoint() }
                await #expect(throws: ClosedResourceError.self) { try await file.tell() }
                _ = "hello".withCString { write(writer, $0, 5) }
            }
            #expect(file.isClosed)
        }
    }

    @Test("a call waiting for its limiter's token is cancellable and does nothing")
    func cancelWhileWaitingForToken() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testdata"
            testWriteFile(path, fileTestData)
            let limiter = CapacityLimiter(totalTokens: 1)
            let file = try await openFile(path.description, limiter: limiter)
            #expect(limiter.tryAcquire(onBehalfOf: "test"))
            try await withNursery { nursery throws in
                nursery.startSoon { () async throws in
                    await #expect(throws: CancellationError.self) { _ = try await file.read(10) }
                }
                while limiter.statistics().tasksWaiting == 0 { try await LowLevel.checkpoint() }
                nursery.cancel()
            }
            limiter.release(onBehalfOf: "test")
            #expect(try await file.tell() == 0)
            #expect(try await file.read(10) == Array(fileTestData[..<10]))
            await file.close()
        }
    }
    // SPEC IO18 (respects the limiter; cancellable before the blocking call starts)
}
