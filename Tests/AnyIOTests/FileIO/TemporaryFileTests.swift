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

/// How a temporary-file body ends, for the cleanup tests.
enum BodyEnding: String, CaseIterable, Sendable {
    case returning, throwing, cancelled
}

/// Runs `body` in a cancel scope that it gets, expecting the ending `ending` (see `finishBody`).
func endBody(_ ending: BodyEnding, _ body: (CancelScope) async throws -> Void) async throws {
    switch ending {
    case .returning:
        let result: Void? = try await withCancelScope { scope throws in try await body(scope) }
        #expect(result != nil)
    case .throwing:
        await #expect(throws: TestError("body")) {
            try await withCancelScope { scope throws in try await body(scope) }
        }
    case .cancelled:
        let result: Void? = try await withCancelScope { scope throws in try await body(scope) }
        #expect(result == nil, "the scope caught the cancellation")
    }
}

/// Ends a temporary-file body as `ending` says: returns, throws `TestError("body")`, or cancels
/// `scope` (the enclosing scope of `endBody`) and hits a checkpoint, which throws.
func finishBody(_ ending: BodyEnding, _ scope: CancelScope) async throws {
    switch ending {
    case .returning:
        return
    case .throwing:
        throw TestError("body")
    case .cancelled:
        scope.cancel()
        try await LowLevel.checkpoint()
        Issue.record("the checkpoint did not throw")
    }
}

@Suite("FileIO: temporary files", .timeLimit(.minutes(1)))
struct TemporaryFileTests {
    @Test("an already-cancelled caller makes no temporary file or directory, and its body does not run")
    func alreadyCancelledMakesNothing() async throws {
        try await withFileLedger {
            let bodyRan = TestBox(false)
            _ = try await withCancelScope { scope in
                scope.cancel()
                await #expect(throws: CancellationError.self) {
                    try await withTemporaryDirectory { _ in bodyRan.value = true }
                }
                await #expect(throws: CancellationError.self) {
                    try await withNamedTemporaryFile { _, _ in bodyRan.value = true }
                }
                await #expect(throws: CancellationError.self) {
                    try await withTemporaryFile { _ in bodyRan.value = true }
                }
            }
            #expect(!bodyRan.value)
        }
    }

    @Test("a body cancelled before its first checkpoint still has what was made removed")
    func cancelledBeforeFirstCheckpoint() async throws {
        try await withFileLedger {
            let made = TestBox<String?>(nil)
            _ = try await withCancelScope { scope in
                try await withTemporaryDirectory { directory in
                    made.value = directory.description
                    scope.cancel()
                    try await LowLevel.checkpoint()
                }
            }
            let path = try #require(made.value)
            #expect(!testExists(AsyncPath(path)))
        }
    }

    @Test("withTemporaryFile: write, seek, read; closed afterwards")
    func temporaryFile() async throws {
        try await withFileLedger {
            var captured: AsyncFile?
            let result = try await withTemporaryFile { file throws in
                captured = file
                #expect(!testExists(AsyncPath(file.path)), "the file has no name")
                try await file.write(Array("temporary file data".utf8))
                try await file.seek(0)
                return try await file.read()
            }
            #expect(result == Array("temporary file data".utf8))
            #expect(captured?.isClosed == true)
        }
    }
    // Ported from test_tempfile.py::TestTemporaryFile::test_temporary_file

    @Test("withTemporaryFile closes the file however the body ends", arguments: BodyEnding.allCases)
    func temporaryFileCleanup(ending: BodyEnding) async throws {
        try await withFileLedger {
            var captured: AsyncFile?
            try await endBody(ending) { scope throws in
                try await withTemporaryFile { file throws in
                    captured = file
                    try await file.write("x")
                    try await finishBody(ending, scope)
                }
            }
            #expect(captured?.isClosed == true)
        }
    }

    @Test("withNamedTemporaryFile: the path exists during the body and not after")
    func namedTemporaryFile() async throws {
        try await withFileLedger {
            var captured: (AsyncFile, AsyncPath)?
            try await withNamedTemporaryFile { file, path throws in
                captured = (file, path)
                #expect(testExists(path))
                #expect(file.path == path.description)
                try await file.write(Array("named temporary file data".utf8))
                try await file.seek(0)
                #expect(try await file.read() == Array("named temporary file data".utf8))
            }
            let (file, path) = try #require(captured)
            #expect(!testExists(path))
            await #expect(throws: ClosedResourceError.self) { try await file.write("should fail") }
        }
    }
    // Ported from test_tempfile.py::TestNamedTemporaryFile::test_named_temporary_file and test_exception_handling

    @Test("withNamedTemporaryFile removes the file however the body ends", arguments: BodyEnding.allCases)
    func namedTemporaryFileCleanup(ending: BodyEnding) async throws {
        try await withFileLedger {
            var captured: (AsyncFile, AsyncPath)?
            try await endBody(ending) { scope throws in
                try await withNamedTemporaryFile { file, path throws in
                    captured = (file, path)
                    try await file.write("x")
                    try await finishBody(ending, scope)
                }
            }
            let (file, path) = try #require(captured)
            #expect(file.isClosed)
            #expect(!testExists(path))
        }
    }

    @Test("withNamedTemporaryFile does not mind a file the body removed")
    func namedTemporaryFileRemovedByBody() async throws {
        try await withFileLedger {
            try await withNamedTemporaryFile { _, path throws in
                try await path.unlink()
            }
        }
    }

    @Test("withTemporaryDirectory: a directory during the body, gone with its contents after")
    func temporaryDirectory() async throws {
        try await withFileLedger {
            var captured: AsyncPath?
            try await withTemporaryDirectory { directory throws in
                captured = directory
                #expect(testIsDirectory(directory))
                let file = directory / "test.txt"
                try await file.writeText("temp dir test")
                #expect(try await file.exists())
                try await (directory / "nested/deeper").mkdir(parents: true)
                try await (directory / "nested/deeper/file").touch()
                #expect(symlink("/", (directory / "nested/root").description) == 0)
            }
            let directory = try #require(captured)
            #expect(!testExists(directory))
            let error = await #expect(throws: FileSystemError.self) {
                try await (directory / "nonexistent.txt").writeText("should fail")
            }
            #expect(error?.code == ENOENT)
        }
    }
    // Ported from test_tempfile.py::TestTemporaryDirectory::test_context_manager and test_exception_handling

    @Test("withTemporaryDirectory removes the directory however the body ends", arguments: BodyEnding.allCases)
    func temporaryDirectoryCleanup(ending: BodyEnding) async throws {
        try await withFileLedger {
            var captured: AsyncPath?
            try await endBody(ending) { scope throws in
                try await withTemporaryDirectory { directory throws in
                    captured = directory
                    try await (directory / "file.txt").writeText("cleanup test")
                    try await finishBody(ending, scope)
                }
            }
            #expect(!testExists(try #require(captured)))
        }
    }
    // Ported from test_tempfile.py::TestTemporaryDirectory::test_cleanup_method

    @Test("a cancelled caller creates nothing")
    func cancelledBeforeCreation() async throws {
        try await withFileLedger {
            try await withCancelScope { scope throws in
                scope.cancel()
                await #expect(throws: CancellationError.self) { try await withTemporaryFile { _ in Issue.record("ran") } }
                await #expect(throws: CancellationError.self) { try await withNamedTemporaryFile { _, _ in Issue.record("ran") } }
                await #expect(throws: CancellationError.self) { try await withTemporaryDirectory { _ in Issue.record("ran") } }
            }
        }
    }
}

@Suite("FileIO: SpooledTemporaryFile", .timeLimit(.minutes(1)))
struct SpooledTemporaryFileTests {
    @Test("stays in memory up to maxSize and rolls over past it")
    func writeWithoutRollover() async throws {
        try await withFileLedger {
            try await withSpooledTemporaryFile(maxSize: 10) { file throws in
                try await file.write(Array("12345".utf8))
                #expect(!file.rolledOver)
                try await file.write(Array("67890X".utf8))
                #expect(file.rolledOver)
                try await file.seek(0)
                #expect(try await file.readText() == "1234567890X")
            }
        }
    }
    // Ported from test_tempfile.py::TestSpooledTemporaryFile::test_writewithout_rolled

    @Test("exactly maxSize bytes stay in memory; one more rolls over")
    func exactBoundary() async throws {
        try await withFileLedger {
            try await withSpooledTemporaryFile(maxSize: 10) { file throws in
                try await file.write(Array("0123456789".utf8))
                #expect(!file.rolledOver)
                try await file.write(Array("x".utf8))
                #expect(file.rolledOver)
            }
        }
    }
    // Ported from test_tempfile.py::TestSpooledTemporaryFile::test_exact_boundary_no_rollover

    @Test("contents and position survive the rollover")
    func writeLines() async throws {
        try await withFileLedger {
            try await withSpooledTemporaryFile(maxSize: 20) { file throws in
                try await file.write("hello")
                try await file.write("world")
                #expect(!file.rolledOver)
                try await file.seek(0)
                #expect(try await file.read() == Array("helloworld".utf8))
                try await file.seek(5)
                try await file.write("1234567890123456")
                #expect(file.rolledOver)
                #expect(try await file.tell() == 21)
                try await file.seek(0)
                #expect(try await file.readText() == "hello1234567890123456")
            }
        }
    }
    // Ported from test_tempfile.py::TestSpooledTemporaryFile::test_writelines

    @Test("in memory: overwrite, seek past the end, read(count), seek origins", arguments: [false, true])
    func memorySemantics(rolledOver: Bool) async throws {
        try await withFileLedger {
            try await withSpooledTemporaryFile(maxSize: 1000) { file throws in
                if rolledOver { try await file.rollover() }
                #expect(file.rolledOver == rolledOver)
                try await file.write("abcdef")
                try await file.seek(2)
                try await file.write("XY")
                #expect(try await file.tell() == 4)
                #expect(try await file.read(1) == Array("e".utf8))
                #expect(try await file.seek(-1, from: .current) == 4)
                #expect(try await file.seek(-2, from: .end) == 4)
                #expect(try await file.read(10) == Array("ef".utf8))
                #expect(try await file.read(10) == [])
                try await file.seek(8)
                try await file.write("!")
                try await file.seek(0)
                #expect(try await file.read() == Array("abXYef".utf8) + [0, 0] + Array("!".utf8))
                await #expect(throws: FileSystemError.self) { try await file.seek(-1) }
            }
        }
    }

    @Test("maxSize 0 never rolls over")
    func unlimited() async throws {
        try await withSpooledTemporaryFile(maxSize: 0) { file throws in
            try await file.write([UInt8](repeating: 1, count: 100_000))
            #expect(!file.rolledOver)
        }
    }

    @Test("closed after the body; calls then throw ClosedResourceError")
    func closedState() async throws {
        try await withFileLedger {
            var captured: SpooledTemporaryFile?
            try await withSpooledTemporaryFile(maxSize: 10) { file throws in
                captured = file
                #expect(!file.isClosed)
            }
            let file = try #require(captured)
            #expect(file.isClosed)
            await #expect(throws: ClosedResourceError.self) { try await file.write("x") }
            await #expect(throws: ClosedResourceError.self) { try await file.read() }
            await #expect(throws: ClosedResourceError.self) { try await file.tell() }
        }
    }
    // Ported from test_tempfile.py::TestSpooledTemporaryFile::test_closed_state

    @Test("the rolled-over file is closed however the body ends", arguments: BodyEnding.allCases)
    func cleanup(ending: BodyEnding) async throws {
        try await withFileLedger {
            var captured: SpooledTemporaryFile?
            try await endBody(ending) { scope throws in
                try await withSpooledTemporaryFile(maxSize: 4) { file throws in
                    captured = file
                    try await file.write("more than four")
                    #expect(file.rolledOver)
                    try await finishBody(ending, scope)
                }
            }
            #expect(captured?.isClosed == true)
        }
    }

    @Test("a call in a cancelled scope throws CancellationError, also in memory")
    func cancelledCalls() async throws {
        try await withSpooledTemporaryFile(maxSize: 100) { file throws in
            try await withCancelScope { scope throws in
                scope.cancel()
                await #expect(throws: CancellationError.self) { try await file.write("x") }
                await #expect(throws: CancellationError.self) { try await file.tell() }
            }
            #expect(try await file.tell() == 0)
        }
    }
}
