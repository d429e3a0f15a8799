//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Connects to a Unix domain stream socket and returns the connection (IO10).
///
/// ```swift
/// let stream = try await connectUnix(path: "/tmp/app.sock")
/// ```
///
/// A path starting with NUL (`"\0name"`) is a Linux abstract socket name. A checkpoint, and
/// cancellable: while the listener's backlog is full the connect is retried every few
/// milliseconds until it succeeds or the caller is cancelled; a cancelled call leaves nothing
/// open.
///
/// - Parameter path: The socket's path (at most 107 bytes on Linux), or an abstract name.
/// - Returns: The connected stream.
/// - Throws: `InvalidArgumentError` naming the path if it is empty or too long for `sun_path`;
///   ``ConnectionFailedError`` with the path and the system's error (`ENOENT`, `ECONNREFUSED`,
///   …) if the connection fails; `CancellationError`.
/// - SeeAlso: AnyIO `connect_unix()`.
public func connectUnix(path: String) async throws -> UNIXSocketStream {
    let address = try SocketCalls.unixAddress(path, function: "connectUnix(path:)")
    try throwIfCancelled()
    let display = SocketCalls.displayPath(path)
    let fd: Int32
    do {
        fd = try SocketCalls.makeSocket(family: AF_UNIX, type: SocketCalls.streamType, address: display)
    } catch {
        throw ConnectionFailedError(attempts: [(address: display, error: error)])
    }
    var connected = false
    defer { if !connected { _ = systemClose(fd) } }
    while true {
        let result = address.withSockAddr { connect(fd, $0, $1) }
        if result == 0 { break }
        let code = errno
        if code == EINTR { continue }
        if code == EINPROGRESS {
            // Rare for Unix sockets: wait for the outcome like TCP does.
            try await waitWritableOwned(fd)
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == 0 { break }
            throw ConnectionFailedError(attempts: [(address: display, error: SocketError(code: error, operation: "connect", address: display))])
        }
        if SocketCalls.wouldBlock(code) {
            // The listener's backlog is full; readiness does not say when it has room.
            try await sleep(for: .milliseconds(5))
            continue
        }
        throw ConnectionFailedError(attempts: [(address: display, error: SocketError(code: code, operation: "connect", address: display))])
    }
    connected = true
    let stream = UNIXSocketStream(fd: fd)
    await yieldSchedulePoint()
    return stream
}

/// Waits for a descriptor this module owns and has not shared yet to become writable.
func waitWritableOwned(_ fd: Int32) async throws {
    let wait = ReadinessWait(fd: fd, direction: .write)
    wait.start()
    try await wait.wait(kind: .socketConnect)
}
