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
