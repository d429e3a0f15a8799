// W9 `file-read`: N sequential `AsyncFile.read(4096)` of a 64 MiB file written (untimed) just
// before, so that it sits in the page cache; `seek(0)` before each read whose index i > 0 is a
// multiple of 16,384 (the end of the file). Mirrors `file_read` in python/wl_anyio.py.
// Variant `file-read:blocking-thread`: the same reads as one blocking `read(2)` loop inside a
// single `ToThread.runSync` call, the floor a worker-thread design can reach (SPEC §5.3 asks for
// `file-read` within 2× of it).
// Check: Σ bytes == 4096 × N.
import AnyIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let fileSize = 64 << 20
private let readSize = 4096
private let readsPerFile = fileSize / readSize  // 16,384

func benchFileRead(_ n: Int) async throws {
    try await withBenchFile { path in
        let sw = Stopwatch()
        let file = try await openFile(path, mode: "rb")
        var total = 0
        for i in 0..<n {
            if i > 0, i % readsPerFile == 0 { try await file.seek(0) }
            total += try await file.read(readSize).count
        }
        await file.close()
        let s = sw.seconds
        try check(total == readSize * n, "file-read: \(total) bytes != \(readSize * n)")
        emit(workload: "file-read", n: n, seconds: s, variant: "openFile(rb) + AsyncFile.read(4096)")
    }
}

func benchFileReadBlockingThread(_ n: Int) async throws {
    try await withBenchFile { path in
        let sw = Stopwatch()
        let total = try await ToThread.runSync { () throws -> Int in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            try check(fd >= 0, "file-read:blocking-thread: open failed, errno \(errno)")
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: readSize)
            var total = 0
            for i in 0..<n {
                if i > 0, i % readsPerFile == 0 { lseek(fd, 0, SEEK_SET) }
                total += buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, readSize) }
            }
            return total
        }
        let s = sw.seconds
        try check(total == readSize * n, "file-read:blocking-thread: \(total) bytes != \(readSize * n)")
        emit(
            workload: "file-read:blocking-thread", n: n, seconds: s,
            variant: "one ToThread.runSync with a blocking read(2) loop of 4096"
        )
    }
}

/// Writes the 64 MiB file in a new temporary directory (untimed), runs `body`, and removes both,
/// also when `body` throws.
private func withBenchFile(_ body: (String) async throws -> Void) async throws {
    var template = Array("/tmp/anyio-bench-XXXXXX".utf8CString)
    guard let directory = mkdtemp(&template) else { throw BenchCheckFailed(description: "mkdtemp failed, errno \(errno)") }
    let dir = String(cString: directory)
    let path = dir + "/data"
    defer {
        unlink(path)
        rmdir(dir)
    }
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw BenchCheckFailed(description: "open(\(path)) failed, errno \(errno)") }
    let block = [UInt8](repeating: 0x61, count: 1 << 20)
    for _ in 0..<(fileSize >> 20) {
        let written = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == block.count else {
            close(fd)
            throw BenchCheckFailed(description: "write failed, errno \(errno)")
        }
    }
    close(fd)
    try await body(path)
}
