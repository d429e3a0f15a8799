//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import Foundation

/// A fresh socket path in /tmp (short enough for `sun_path`).
func temporarySocketPath(_ tag: String) -> String {
    "/tmp/anyio-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
}

/// A connected Unix stream pair: (client, server side). The socket file is removed.
func unixPair() async throws -> (client: UNIXSocketStream, server: UNIXSocketStream) {
    let path = temporarySocketPath("pair")
    let listener = try await makeUnixListener(path: path)
    let client = try await connectUnix(path: path)
    let server = try await listener.accept()
    await listener.close()
    unlink(path)
    return (client, server)
}

/// How many of this process's open descriptors refer to `path` (read from /proc/self/fd): robust
/// against other tests opening and closing descriptors meanwhile.
func openDescriptors(referringTo path: String) -> Int {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return entries.filter { entry in
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)")) == path
    }.count
}

/// Makes a file with `text` in /tmp and returns its path.
func temporaryFile(_ text: String) throws -> String {
    let path = "/tmp/anyio-file-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    return path
}

/// Reads everything a descriptor has (a regular file), from its current offset.
func readAll(_ fd: Int32) -> String {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// A connected `socketpair` of Unix stream sockets (both ends the caller's to close).
func makeSocketPair() -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    let result = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
    precondition(result == 0, "socketpair failed: \(errno)")
    return (fds[0], fds[1])
}

/// The sockets in /proc/net/unix bound to `path` (open in this process: the path is unique).
func socketsBound(to path: String) -> Int {
    // Read to the end with read(2): /proc files report size 0, and a single read may stop at a page.
    let fd = open("/proc/net/unix", O_RDONLY)
    guard fd >= 0 else { return -1 }
    defer { close(fd) }
    let table = readAll(fd)
    return table.split(separator: "\n").filter { $0.hasSuffix(" " + path) }.count
}

/// Whether `condition` holds within a few seconds (polled every 10 ms). For "this socket is gone"
/// checks: while another test spawns a process (the Python peers), the child holds copies of
/// every descriptor between its fork and its exec (close-on-exec closes them only then), so a
/// closed socket can linger in /proc/net for a moment.
func eventually(_ condition: () -> Bool) async throws -> Bool {
    for _ in 0..<300 {
        if condition() { return true }
        try await sleep(for: .milliseconds(10))
    }
    return condition()
}
