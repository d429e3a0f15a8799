// W9 `file-read`: N sequential `AsyncFile.read(4096)` calls on a 64 MiB file in the page cache,
// wrapping around with `seek(0)` at the end of the file. Mirrors `file_read` in
// python/wl_anyio.py (`anyio.open_file(path, "rb")` + `f.read(4096)`).
// Check: Σ bytes == 4096 × N. The file and its directory are made and removed outside the timing.
import AnyIO

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

func benchFileRead(_ n: Int) async throws {
    let fileSize = 67_108_864, chunk = 4096
    let perPass = fileSize / chunk
    var template = Array("/tmp/anyio-bench-XXXXXX".utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
        throw BenchCheckFailed(description: "file-read: mkdtemp failed")
    }
    let directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let path = directory + "/data"
    defer {
        unlink(path)
        rmdir(directory)
    }
    // Untimed setup: 64 MiB written just before t0, so that it sits in the page cache.
    guard let out = fopen(path, "wb") else { throw BenchCheckFailed(description: "file-read: fopen failed") }
    let block = [UInt8](repeating: 0x61, count: 1 << 20)
    for _ in 0..<(fileSize / block.count) { _ = block.withUnsafeBufferPointer { fwrite($0.baseAddress!, 1, $0.count, out) } }
    fclose(out)

    var total = 0
    let sw = Stopwatch()
    let file = try await openFile(path, mode: "rb")
    for i in 0..<n {
        if i > 0 && i % perPass == 0 { try await file.seek(0) }
        total += try await file.read(chunk).count
    }
    await file.close()
    let s = sw.seconds
    try check(total == chunk * n, "file-read: \(total) bytes != \(chunk * n)")
    emit(workload: "file-read", n: n, seconds: s, variant: "openFile(rb) + AsyncFile.read(4096), 64 MiB file")
}
