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

/// Listens for Unix domain stream connections at `path` (IO10).
///
/// ```swift
/// let listener = try await makeUnixListener(path: "/tmp/app.sock", mode: 0o600)
/// try await listener.serve { stream in
///     for try await chunk in stream.chunks() { try await stream.send(chunk) }
/// }
/// ```
///
/// A socket file already at `path` is removed first (a stale socket left by an earlier process;
/// as in AnyIO, no check is made whether another process still listens on it); any other kind of
/// file there is an error, and is left alone. A path starting with NUL (`"\0name"`) is a Linux
/// abstract name, with no file. Closing the listener does not remove the socket file.
///
/// - Parameters:
///   - path: The socket's path (at most 107 bytes on Linux), or an abstract name.
///   - mode: The permission bits to give the socket file (`0o600`: the owner only); `nil` leaves
///     what the umask gives.
///   - backlog: The kernel's queue of connections not yet accepted (capped at 65535).
/// - Returns: The listener.
/// - Throws: `InvalidArgumentError` naming the path if it is empty or too long for `sun_path`,
///   or for a `backlog < 1`; ``SocketError`` naming the path if a file that is not a socket is
///   there (`EADDRINUSE`) or the system refuses (`EACCES`, …); `CancellationError`.
/// - SeeAlso: AnyIO `create_unix_listener()`.
public func makeUnixListener(path: String, mode: UInt32? = nil, backlog: Int = 65536) async throws -> SocketListener<UNIXSocketStream> {
    guard backlog >= 1 else { throw InvalidArgumentError("makeUnixListener: backlog must be at least 1, not \(backlog)") }
    let fd = try await makeBoundUnixSocket(path: path, mode: mode, type: SocketCalls.streamType, function: "makeUnixListener")
    if listen(fd, Int32(min(backlog, 65535))) != 0 {
        let error = SocketError.current("listen", address: SocketCalls.displayPath(path))
        _ = systemClose(fd)
        throw error
    }
    let socket = UnixListeningSocket(fd: fd)
    var attributes = TypedAttributeSet()
    attributes.set(SocketAttribute.family, to: .unix)
    attributes.set(SocketAttribute.localAddress, to: SocketCalls.localAddress(fd).map(SocketCalls.unixPath) ?? path)
    await yieldSchedulePoint()
    return SocketListener(socket: socket, attributes: attributes)
}

/// A non-blocking Unix socket of `type` bound to `path` (a stale socket file there removed
/// first), with `mode` applied to the file.
func makeBoundUnixSocket(path: String, mode: UInt32?, type: Int32, function: String) async throws -> Int32 {
    let address = try SocketCalls.unixAddress(path, function: function)
    try throwIfCancelled()
    let display = SocketCalls.displayPath(path)
    if !path.hasPrefix("\0") {
        // File system calls: on a worker thread (a slow or remote file system blocks).
        try await ToThread.runSync { try removeStaleSocketFile(path) }
    }
    let fd = try SocketCalls.makeSocket(family: AF_UNIX, type: type, address: display)
    do {
        if address.withSockAddr({ bind(fd, $0, $1) }) != 0 { throw SocketError.current("bind", address: display) }
        if let mode, !path.hasPrefix("\0") {
            if chmod(path, mode_t(mode)) != 0 { throw SocketError.current("chmod", address: display) }
        }
    } catch {
        _ = systemClose(fd)
        throw error
    }
    return fd
}

/// Removes a socket file at `path`; throws if something other than a socket is there.
private func removeStaleSocketFile(_ path: String) throws {
    var status = stat()
    guard lstat(path, &status) == 0 else { return }  // nothing there (or not reachable: bind says)
    guard (status.st_mode & S_IFMT) == S_IFSOCK else {
        throw SocketError(code: EADDRINUSE, operation: "bind (a file that is not a socket is in the way)", address: path)
    }
    if unlink(path) != 0, errno != ENOENT { throw SocketError.current("unlink (stale socket)", address: path) }
}

