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

// The file layer's doc-comment and article snippets, compiled here verbatim against the
// stand-ins each test defines (every snippet must compile). Each test names the doc comment or
// article its snippet stands in; keep the two in step. Lines marked `// (test)` are not part of
// the snippet.

private func consume(_ chunk: [UInt8]) {}
private func runTool(arguments: [String]) async throws {}
private func store(_ bytes: [UInt8]) async throws {}

@Suite("FileIO: doc snippets", .timeLimit(.minutes(1)))
struct FileDocSnippetTests {
    // FileSystemError's doc comment.
    @Test func fileSystemError() async throws {
        do {
            _ = try await AsyncPath("/etc/missing").readText()
        } catch let error as FileSystemError where error.code == ENOENT {
            print("no such file:", error.path ?? "?")
        }
    }

    // openFile's doc comment.
    @Test func openFileSnippet() async throws {
        try await withTemporaryDirectory { directory in  // (test)
            let notesPath = (directory / "notes.txt").description  // (test)
            let file = try await openFile(notesPath, mode: "w")
            try await file.executeThenClose { file in
                try await file.write("first line\n")
            }
            #expect(testReadFile(AsyncPath(notesPath)) == Array("first line\n".utf8))  // (test)
        }  // (test)
    }

    // AsyncFile's and AsyncFile.lines' doc comments, and the README example in the report.
    @Test func asyncFileLines() async throws {
        try await withTemporaryDirectory { directory in  // (test)
            let hosts = (directory / "hosts").description  // (test)
            testWriteFile(AsyncPath(hosts), "# comment\n127.0.0.1 localhost\n# another\n")  // (test)
            let file = try await openFile(hosts)
            var count = 0
            try await file.executeThenClose { file in
                for try await _ in file.lines { count += 1 }
            }
            #expect(count == 3)  // (test)
            let again = try await openFile(hosts)  // (test)
            var comments: [String] = []  // (test)
            for try await line in again.lines where line.hasPrefix("#") {
                comments.append(line)  // (test: print(line))
            }
            await again.close()  // (test)
            #expect(comments == ["# comment", "# another"])  // (test)
        }  // (test)
    }

    // AsyncPath's doc comment (and `/`, iterdir, glob, FileStatus).
    @Test func asyncPath() async throws {
        let config = try await AsyncPath.home() / ".config" / "tool.json"
        if try await config.exists() { print(try await config.readText()) }
        let directory: AsyncPath = "/var/log"
        for try await log in directory.glob("*.log") {
            print(log.name, try await log.stat().size)
        }
        #expect((AsyncPath("/usr") / "lib/swift").description == "/usr/lib/swift")
        #expect((AsyncPath("/usr") / "/etc").description == "/etc")
        for try await entry in AsyncPath("/etc").iterdir() where entry.suffix == ".conf" {
            print(entry.name)
        }
        for try await source in AsyncPath("Sources").glob("**/*.swift") { _ = source }
        let status = try await AsyncPath("/etc/hosts").stat()
        print(status.size, status.kind, String(status.permissions, radix: 8))
    }

    // FileStreamAttribute's, FileReadStream's and FileWriteStream's doc comments.
    @Test func fileStreams() async throws {
        try await withTemporaryDirectory { directory in  // (test)
            let logPath = (directory / "out.log").description  // (test)
            let writer = try await FileWriteStream.fromPath(logPath, append: true)  // (test: stream)
            try await writer.executeThenClose { stream in
                try await stream.send("started\n")
            }
            let stream = try await FileReadStream.fromPath(logPath)
            try await stream.executeThenClose { stream in
                for try await chunk in stream.chunks() { consume(chunk) }
            }
            let hosts = try await FileReadStream.fromPath("/etc/hosts")  // (test: stream)
            print(try hosts.extra(FileStreamAttribute.path))   // "/etc/hosts"
            await hosts.close()  // (test)
        }  // (test)
    }

    // The temporary-file functions' doc comments.
    @Test func temporaryFiles() async throws {
        let echoed = try await withTemporaryFile { file in
            try await file.write("scratch")
            try await file.seek(0)
            return try await file.readText()
        }
        #expect(echoed == "scratch")  // (test)
        try await withNamedTemporaryFile { file, path in
            try await file.write("input for a tool")
            try await file.flush()
            try await runTool(arguments: [path.description])
        }
        try await withTemporaryDirectory { directory in
            try await (directory / "a.txt").writeText("first")
            try await (directory / "nested").mkdir()
        }   // gone here
        let upload = try await FileReadStream.fromPath("/etc/hosts")  // (test)
        try await withSpooledTemporaryFile(maxSize: 64 * 1024) { buffer in
            for try await chunk in upload.chunks() { try await buffer.write(chunk) }
            try await buffer.seek(0)
            try await store(try await buffer.read())
        }
        await upload.close()  // (test)
    }

    // The Files article.
    @Test func filesArticle() async throws {
        let logPath = "/etc/hosts"  // (test)
        let file = try await openFile(logPath)
        let errors = try await file.executeThenClose { file in
            var count = 0
            for try await line in file.lines where line.contains("ERROR") { count += 1 }
            return count
        }
        #expect(errors >= 0)  // (test)
        try await withTemporaryDirectory { directory in
            try await (directory / "src/app").mkdir(parents: true)
            try await (directory / "src/app/main.swift").writeText("print(1)")
            for try await source in directory.glob("**/*.swift") {
                print(source.name, try await source.stat().size)
            }
        }
    }
}

#if os(Linux)
/// Checks the descriptor ledger against the kernel's own list, for descriptors this test knows
/// about (other suites open and close files in the same process meanwhile).
@Suite("FileIO: /proc/self/fd", .serialized, .timeLimit(.minutes(1)))
struct FileDescriptorProcTests {
    /// What `/proc/self/fd/<descriptor>` points at, or `nil` if the descriptor is not open.
    func openTarget(_ descriptor: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test("each file, stream and temporary file's descriptor is gone from /proc/self/fd after close")
    func descriptorsClosed() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "probe"
            let file = try await openFile(path.description, mode: "w")
            let descriptor = file.core.descriptor
            #expect(openTarget(descriptor) == path.description)
            await file.close()
            #expect(openTarget(descriptor) != path.description)

            let stream = try await FileReadStream.fromPath(path.description)
            let streamDescriptor = try stream.extra(FileStreamAttribute.fileDescriptor)
            #expect(openTarget(streamDescriptor) == path.description)
            await stream.close()
            #expect(openTarget(streamDescriptor) != path.description)

            var namedDescriptor: Int32 = -1
            var namedPath = ""
            try await withNamedTemporaryFile { file, path throws in
                namedDescriptor = file.core.descriptor
                namedPath = path.description
                #expect(openTarget(namedDescriptor) == namedPath)
            }
            #expect(openTarget(namedDescriptor) != namedPath)
        }
    }
}
#endif
