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

// Helpers of the file tests. Test data is written and checked with plain libc calls, so that a
// bug in the file layer cannot hide behind the scaffolding.

/// Runs `body` with a fresh temporary directory and a fresh descriptor ledger bound, then checks
/// that every descriptor the file layer opened during the body was closed (also when the body
/// threw), and removes the directory.
func withFileTestDirectory(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (AsyncPath) async throws -> Void
) async throws {
    let directory = try FileSystemCalls.makeTemporaryDirectory()
    defer { try? FileSystemCalls.removeTree(directory, ledger: nil) }
    try await withFileLedger(sourceLocation: sourceLocation) {
        try await body(AsyncPath(directory))
    }
}

/// Runs `body` with a fresh descriptor ledger bound and checks that it ends with nothing open.
func withFileLedger<T>(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async throws -> T {
    let ledger = FileDescriptorLedger()
    let result: Result<T, any Error>
    do {
        result = .success(try await FileDescriptorLedger.$current.withValue(ledger) { try await body() })
    } catch {
        result = .failure(error)
    }
    #expect(ledger.openCount == 0, "descriptors left open: \(ledger.openPaths)", sourceLocation: sourceLocation)
    return try result.get()
}

/// Writes `bytes` to `path` with libc, replacing the file.
func testWriteFile(_ path: AsyncPath, _ bytes: [UInt8]) {
    guard let file = fopen(path.description, "wb") else {
        Issue.record("fopen \(path) failed: errno \(errno)")
        return
    }
    if !bytes.isEmpty { _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress!, 1, $0.count, file) } }
    fclose(file)
}

/// Writes `text` to `path` with libc.
func testWriteFile(_ path: AsyncPath, _ text: String) {
    testWriteFile(path, Array(text.utf8))
}

/// The bytes of the file at `path`, read with libc; `nil` if it cannot be opened.
func testReadFile(_ path: AsyncPath) -> [UInt8]? {
    guard let file = fopen(path.description, "rb") else { return nil }
    defer { fclose(file) }
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        result += buffer[..<count]
        if count < buffer.count { return result }
    }
}

/// Whether something exists at `path` (libc `lstat`).
func testExists(_ path: AsyncPath) -> Bool {
    var info = stat()
    return lstat(path.description, &info) == 0
}

/// Whether `path` is a directory (libc `stat`).
func testIsDirectory(_ path: AsyncPath) -> Bool {
    var info = stat()
    return stat(path.description, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

/// Creates a directory with libc.
func testMakeDirectory(_ path: AsyncPath) {
    if mkdir(path.description, 0o755) != 0 { Issue.record("mkdir \(path) failed: errno \(errno)") }
}

/// Ten thousand bytes: 1000 of each value 0 to 9, as AnyIO's `testdata` fixture.
let fileTestData: [UInt8] = (0..<10).flatMap { value in [UInt8](repeating: UInt8(value), count: 1000) }
