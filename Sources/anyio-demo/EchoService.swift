//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import Synchronization

// The demo's network service: a line-based echo server on TCP, built the AnyIO way.
//
// - `nursery.start` returns once the listener is bound, with the port it got (`--port 0`, the
//   default, asks the system for a free one), so the caller can print where to connect.
// - `serve` runs every connection's handler in a child task of its own and closes the stream
//   after it; a connection's failure ends only that connection (the handler catches it).
// - Per-connection deadline: a client that sends nothing for `idleTimeout` is told so and
//   disconnected (`moveOnAfter` around each line: a timeout is just a cancel scope).
// - Graceful shutdown: cancelling the demo's nursery cancels `serve` and every handler; each
//   handler says goodbye in a shielded, deadline-bounded scope before its stream is closed.
//
// Try it: `swift run anyio-demo`, then in another terminal `nc 127.0.0.1 PORT` (or Python's
// `socket.create_connection`), type lines, and watch the demo's log.

/// What the echo service counts, for its shutdown summary.
final class EchoStatistics: Sendable {
    let connections = Atomic<Int>(0)
    let lines = Atomic<Int>(0)
}

/// Binds a TCP listener on 127.0.0.1:`port`, reports the bound port through `status`, then
/// serves line echo until cancelled.
func runEchoService(port: Int, idleTimeout: Duration, status: consuming TaskStatus<Int>) async throws {
    let listener = try await makeTCPListener(localHost: "127.0.0.1", localPort: port)
    let statistics = EchoStatistics()
    do {
        status.started(try listener.extra(SocketAttribute.localPort))
        try await listener.serve { stream in
            await handleEchoConnection(stream, idleTimeout: idleTimeout, statistics: statistics)
        }
    } catch let cancellation as CancellationError {
        await stopStep("echo") {
            await listener.close()
            let connections = statistics.connections.load(ordering: .relaxed)
            let lines = statistics.lines.load(ordering: .relaxed)
            return "\(connections) connections, \(lines) lines echoed"
        }
        throw cancellation
    } catch {
        await listener.close()
        throw error
    }
}

/// One connection: answers each line with `echo: <line>`, until the client closes, stays silent
/// for `idleTimeout`, or the demo shuts down. Never throws: a broken connection ends only itself.
func handleEchoConnection(_ stream: SocketStream, idleTimeout: Duration, statistics: EchoStatistics) async {
    let number = statistics.connections.add(1, ordering: .relaxed).newValue
    let peer = (try? stream.extra(SocketAttribute.remotePort)).map { "127.0.0.1:\($0)" } ?? "?"
    say("echo: connection \(number) from \(peer)")
    let buffered = BufferedByteStream(stream)
    do {
        try await buffered.send("hello from anyio-demo; send lines, they come back\n")
        while true {
            // The per-connection deadline: each line must arrive within `idleTimeout`.
            let line = try await moveOnAfter(idleTimeout) { _ in
                try await buffered.receiveUntil([0x0A], maxBytes: 4096)
            }
            guard let line else {
                try await buffered.send("idle for \(describe(idleTimeout)), goodbye\n")
                say("echo: connection \(number) idle, closed")
                return
            }
            statistics.lines.add(1, ordering: .relaxed)
            try await buffered.send("echo: " + String(decoding: line, as: UTF8.self) + "\n")
        }
    } catch is CancellationError {
        // The demo is shutting down: a last word, shielded and bounded, then the stream closes.
        _ = try? await withCancelScope(deadline: currentTime() + .milliseconds(200), shield: true) { _ in
            try await buffered.send("server shutting down, goodbye\n")
        }
        say("echo: connection \(number) closed by shutdown")
    } catch {
        // The client left (end of stream, reset) or sent a line longer than 4 KiB.
        say("echo: connection \(number) ended (\(error))")
    }
}
