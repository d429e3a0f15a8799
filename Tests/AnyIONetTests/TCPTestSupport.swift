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
