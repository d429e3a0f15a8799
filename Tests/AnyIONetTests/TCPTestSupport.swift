//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import Foundation

/// A connected loopback TCP pair: (client, server side).
func connectedPair(host: String = "127.0.0.1") async throws -> (client: SocketStream, server: SocketStream) {
    let listener = try await makeTCPListener(localHost: host)
    let port = try listener.extra(SocketAttribute.localPort)
    let client = try await connectTCP(host: host, port: port)
    let server = try await tcpListener(listener).accept()
    await listener.close()
    return (client, server)
}

/// The one listener of a multi-listener made for one host.
func tcpListener(_ listener: MultiListener<SocketStream>) -> SocketListener<SocketStream> {
    listener.listeners[0] as! SocketListener<SocketStream>
}

/// Runs a Python 3 script with arguments on a worker thread and returns its exit status and
/// standard output. The scripts bound their own socket operations with timeouts.
func runPython(_ script: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
    try await ToThread.runSync {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Whether the host can listen on IPv6 loopback.
func ipv6LoopbackAvailable() async -> Bool {
    guard let listener = try? await makeTCPListener(localHost: "::1") else { return false }
    await listener.close()
    return true
}

/// Runs a Python 3 script that prints one line (a port) first: `firstLine` gets that line as
/// soon as it is printed, while the script goes on; returns the exit status at the end.
func runPythonReportingFirstLine(
    _ script: String,
    _ arguments: [String],
    firstLine: @escaping @Sendable (String) async throws -> Void
) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let handle = pipe.fileHandleForReading
    let line = try await ToThread.runSync { () -> String in
        var bytes: [UInt8] = []
        while let byte = try handle.read(upToCount: 1)?.first, byte != 0x0A { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }
    try await firstLine(line)
    return try await ToThread.runSync {
        let rest = handle.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, line + "\n" + String(decoding: rest, as: UTF8.self))
    }
}

/// Runs `body` with the port of a loopback listener whose backlog is full and that never
/// accepts: the kernel drops further SYNs, so a connect to it hangs (a black hole).
func withBlackHolePort<T>(_ body: (Int) async throws -> T) async throws -> T {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    precondition(bound == 0 && listen(fd, 0) == 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    let port = Int(UInt16(bigEndian: address.sin_port))
    var fillers: [SocketStream] = []
    for _ in 0..<4 {
        let stream: SocketStream?? = try await moveOnAfter(.milliseconds(300)) { _ in
            try? await connectTCP(host: "127.0.0.1", port: port)
        }
        if let stream = stream ?? nil { fillers.append(stream) } else { break }
    }
    do {
        let result = try await body(port)
        for stream in fillers { await stream.close() }
        return result
    } catch {
        for stream in fillers { await stream.close() }
        throw error
    }
}

/// An upper bound on a duration that only catches a hang. Loose: with the whole suite running
/// on a 2-core machine shared with other builds, SwiftNIO's two event loops are busy with the
/// bulk and load tests' megabytes, and a loopback connect there took 6 s (the TSan leg runs ~50x
/// slower still).
#if ANYIO_TSAN
let failsafe = Duration.seconds(90)
#else
let failsafe = Duration.seconds(30)
#endif
