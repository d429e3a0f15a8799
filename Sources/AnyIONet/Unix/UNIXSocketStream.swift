//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import AnyIO
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A Unix domain stream socket connection as a ``ByteStream``, which can also pass open file
/// descriptors (``sendFDs(_:fds:)`` / ``receiveFDs(maxMessageBytes:maxFDs:)``): what
/// ``connectUnix(path:)`` returns and a Unix listener accepts.
///
/// ```swift
/// let stream = try await connectUnix(path: "/tmp/app.sock")
/// try await stream.executeThenClose { stream in
///     try await stream.send("hello\n")
///     let reply = try await stream.receive()
/// }
/// ```
///
/// - `receive(maxBytes:)` returns between 1 and `maxBytes` bytes; it throws `EndOfStreamError`
///   once the peer sent EOF (after the data before it), `ClosedResourceError` after ``close()``
///   (also to a task blocked in it), `BrokenResourceError` when the connection broke, and
///   `BusyResourceError` while another task receives.
/// - Every call is a checkpoint. A cancelled `receive` loses no bytes (nothing is read ahead:
///   bytes stay in the kernel until a receive takes them, so descriptors sent with them are never
///   read by a plain `receive` by accident). A cancelled `send` may have sent a prefix of its
///   bytes; the stream is then fit only for `close()` (IO1).
///
/// Not built on a SwiftNIO channel: the socket is a non-blocking descriptor whose readiness is
/// watched with Dispatch sources, because passing descriptors needs `sendmsg`/`recvmsg` with
/// control data that NIO does not offer, and NIO's read-ahead would swallow them.
///
/// Answers ``SocketAttribute/family`` (`.unix`), ``SocketAttribute/localAddress`` and
/// ``SocketAttribute/remoteAddress`` (paths; `""` for an unnamed socket) through `extra(_:)`.
///
/// - SeeAlso: AnyIO `UNIXSocketStream`.
public final class UNIXSocketStream: ByteStream {
    let socket: SocketDescriptor
    private let attributes: TypedAttributeSet
    private let receiveGuard = ResourceGuard(action: "reading from")
    private let sendGuard = ResourceGuard(action: "writing to")
    /// `sendEOF()` was called: sends throw `ClosedResourceError`.
    private let eofSent = StateLock(false)
    /// `local → remote`, for the task tree.
    private let siteName: String

    /// Takes ownership of a connected, non-blocking Unix stream socket.
    init(fd: Int32) {
        socket = SocketDescriptor(fd: fd)
        var attributes = TypedAttributeSet()
        attributes.set(SocketAttribute.family, to: .unix)
        let local = SocketCalls.localAddress(fd).map(SocketCalls.unixPath) ?? ""
        let remote = SocketCalls.remoteAddress(fd).map(SocketCalls.unixPath) ?? ""
        attributes.set(SocketAttribute.localAddress, to: local)
        attributes.set(SocketAttribute.remoteAddress, to: remote)
        self.attributes = attributes
        let name = { (path: String) in path.isEmpty ? "(unnamed)" : SocketCalls.displayPath(path) }
        siteName = "unix \(name(local)) → \(name(remote))"
    }

    /// Receives at most `maxBytes` bytes: between 1 and `maxBytes`, waiting for the first.
    ///
    /// A checkpoint; a cancelled call loses nothing (the bytes stay for the next call).
    ///
    /// - Parameter maxBytes: The most bytes to return; at least 1.
    /// - Returns: The bytes, never empty.
    /// - Throws: `EndOfStreamError` at the end of the stream, `ClosedResourceError` once this
    ///   stream was closed, `BrokenResourceError` if the connection broke, `BusyResourceError`
    ///   while another task receives, `InvalidArgumentError` if `maxBytes < 1`, or
    ///   `CancellationError`.
    public func receive(maxBytes: Int) async throws -> [UInt8] {
        try checkMaxBytes(maxBytes, of: "receive(maxBytes:)")
        let capacity = min(maxBytes, 1 << 20)
        return try await receiveGuard.withGuard {
            try await socket.perform(.read, kind: .socketReceive, site: "receive on \(siteName)") { fd -> [UInt8]? in
                var code: Int32 = 0
                let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                    let received = recv(fd, buffer.baseAddress, capacity, 0)
                    count = max(received, 0)
                    code = received < 0 ? errno : (received == 0 ? -1 : 0)
                }
                // A short read into a large buffer: hand out a right-sized copy, not the buffer.
                if code == 0 { return bytes.count < capacity / 4 ? bytes.withUnsafeBufferPointer { Array($0) } : bytes }
                if code == -1 { throw EndOfStreamError() }
                if SocketCalls.wouldBlock(code) || code == EINTR { return nil }
                throw Self.broken(code, "receive")
            }
        }
    }

    /// Sends `bytes`, waiting while the socket's buffer is full.
    ///
    /// A checkpoint. Returns once every byte is handed to the kernel. If cancelled while waiting,
    /// a prefix may have been sent already; the stream is then fit only for `close()`.
    ///
    /// - Parameter bytes: The bytes to send (an empty array sends nothing).
    /// - Throws: `ClosedResourceError` once this stream was closed or ``sendEOF()`` was called,
    ///   `BrokenResourceError` if the connection broke, `BusyResourceError` while another task
    ///   sends, or `CancellationError`.
    public func send(_ bytes: [UInt8]) async throws {
        try await sendGuard.withGuard {
            if eofSent.withLock({ $0 }) { throw ClosedResourceError() }
            var offset = 0
            try await socket.perform(.write, kind: .socketSend, site: "send on \(siteName)") { fd -> Void? in
                while offset < bytes.count {
                    let sent = bytes.withUnsafeBytes { raw in
                        systemSend(fd, raw.baseAddress! + offset, bytes.count - offset)
                    }
                    if sent >= 0 {
                        offset += sent
                        continue
                    }
                    let code = errno
                    if code == EINTR { continue }
                    if SocketCalls.wouldBlock(code) { return nil }
                    throw Self.broken(code, "send")
                }
                return ()
            }
        }
    }

    /// Half-closes the connection: the peer receives the data sent so far and then the end of
    /// the stream; this side can still receive (IO4). Calling it again does nothing.
    ///
    /// A checkpoint.
    ///
    /// - Throws: `ClosedResourceError` once this stream was closed, `BrokenResourceError` if the
    ///   connection broke, or `CancellationError`.
    public func sendEOF() async throws {
        try throwIfCancelled()
        let first = eofSent.withLock { sent -> Bool in
            defer { sent = true }
            return !sent
        }
        if first {
            try socket.withDescriptor { fd in
                if shutdown(fd, Int32(SHUT_WR)) != 0, errno != ENOTCONN { throw Self.broken(errno, "shutdown") }
            }
        } else if socket.isClosed {
            throw ClosedResourceError()
        }
        await budgetedSchedulePoint()
    }

    /// Sends `message` together with open file descriptors (`SCM_RIGHTS`).
    ///
    /// The peer receives copies of the descriptors (new numbers in its process) with the first
    /// byte of the message; this side's descriptors stay open and remain the caller's to close. A
    /// checkpoint.
    ///
    /// ```swift
    /// let fd = open("/etc/hostname", O_RDONLY)
    /// try await stream.sendFDs(Array("here".utf8), fds: [fd])
    /// close(fd)
    /// ```
    ///
    /// - Parameters:
    ///   - message: The bytes to send with the descriptors; not empty.
    ///   - fds: The descriptors; not empty.
    /// - Throws: `InvalidArgumentError` for an empty message or descriptor list (before any I/O),
    ///   `SocketError` if the system refuses a descriptor (`EBADF`), `ClosedResourceError`,
    ///   `BrokenResourceError`, `BusyResourceError`, or `CancellationError`.
    /// - SeeAlso: AnyIO `UNIXSocketStream.send_fds()`.
    public func sendFDs(_ message: [UInt8], fds: [Int32]) async throws {
        guard !message.isEmpty else { throw InvalidArgumentError("sendFDs(_:fds:): message must not be empty") }
        guard !fds.isEmpty else { throw InvalidArgumentError("sendFDs(_:fds:): fds must not be empty") }
        try await sendGuard.withGuard {
            if eofSent.withLock({ $0 }) { throw ClosedResourceError() }
            var offset = 0
            try await socket.perform(.write, kind: .socketSend, site: "send on \(siteName)") { fd -> Void? in
                while offset < message.count {
                    let sent: Int
                    if offset == 0 {
                        sent = Self.sendMessage(fd, message, fds: fds)
                    } else {
                        sent = message.withUnsafeBytes { raw in
                            systemSend(fd, raw.baseAddress! + offset, message.count - offset)
                        }
                    }
                    if sent >= 0 {
                        offset += sent
                        continue
                    }
                    let code = errno
                    if code == EINTR { continue }
                    if SocketCalls.wouldBlock(code) { return nil }
                    if code == EBADF || code == EINVAL { throw SocketError(code: code, operation: "sendFDs", address: "\(fds)") }
                    throw Self.broken(code, "sendmsg")
                }
                return ()
            }
        }
    }

    /// Receives a message of at most `maxMessageBytes` bytes and the descriptors sent with it
    /// (`SCM_RIGHTS`), at most `maxFDs` of them.
    ///
    /// The received descriptors are new in this process (close-on-exec) and the caller's to
    /// close. Descriptors beyond `maxFDs` are closed, never leaked. A checkpoint; a cancelled call
    /// receives nothing.
    ///
    /// ```swift
    /// let (message, fds) = try await stream.receiveFDs(maxMessageBytes: 1024, maxFDs: 1)
    /// defer { fds.forEach { close($0) } }
    /// ```
    ///
    /// - Parameters:
    ///   - maxMessageBytes: The most message bytes to receive; at least 0.
    ///   - maxFDs: The most descriptors to keep; at least 1.
    /// - Returns: The message bytes and the descriptors.
    /// - Throws: `InvalidArgumentError` for a negative `maxMessageBytes` or a `maxFDs < 1` (before
    ///   any I/O), `EndOfStreamError` at the end of the stream, `ClosedResourceError`,
    ///   `BrokenResourceError`, `BusyResourceError`, or `CancellationError`.
    /// - SeeAlso: AnyIO `UNIXSocketStream.receive_fds()`.
    public func receiveFDs(maxMessageBytes: Int, maxFDs: Int) async throws -> (message: [UInt8], fds: [Int32]) {
        guard maxMessageBytes >= 0 else {
            throw InvalidArgumentError("receiveFDs(maxMessageBytes:maxFDs:): maxMessageBytes must be at least 0, not \(maxMessageBytes)")
        }
        guard maxFDs >= 1 else {
            throw InvalidArgumentError("receiveFDs(maxMessageBytes:maxFDs:): maxFDs must be at least 1, not \(maxFDs)")
        }
        return try await receiveGuard.withGuard {
            try await socket.perform(.read, kind: .socketReceive, site: "receive on \(siteName)") { fd -> (message: [UInt8], fds: [Int32])? in
                var (message, fds, code) = Self.receiveMessage(fd, maxMessageBytes: maxMessageBytes, maxFDs: maxFDs)
                if code != 0 {
                    if SocketCalls.wouldBlock(code) || code == EINTR { return nil }
                    throw Self.broken(code, "recvmsg")
                }
                if message.isEmpty && fds.isEmpty { throw EndOfStreamError() }
                if fds.count > maxFDs {
                    // The control buffer's alignment may leave room for more than asked for.
                    for extra in fds[maxFDs...] { _ = systemClose(extra) }
                    fds.removeSubrange(maxFDs...)
                }
                return (message, fds)
            }
        }
    }

    /// Closes the connection (IO3): a task blocked in `receive` or `send` wakes with
    /// `ClosedResourceError`. Always closes, also when the caller is cancelled; calling it again
    /// does nothing.
    public func close() async {
        await socket.close()
    }

    /// Looks up a typed attribute: the ``SocketAttribute`` values of a Unix socket.
    ///
    /// - Throws: `TypedAttributeLookupError` for an attribute the stream does not provide.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        try attributes.value(of: attribute)
    }

    // MARK: - System calls

    /// The error a caller sees for a failed system call on the connection.
    static func broken(_ code: Int32, _ operation: String) -> BrokenResourceError {
        BrokenResourceError(reason: "the connection broke: \(SocketError(code: code, operation: operation))")
    }

    /// `sendmsg` with the descriptors in an `SCM_RIGHTS` message; the bytes sent, or -1 (`errno`).
    static func sendMessage(_ fd: Int32, _ message: [UInt8], fds: [Int32]) -> Int {
        let dataLength = fds.count * MemoryLayout<Int32>.size
        let space = SocketCalls.cmsgSpace(dataLength)
        let control = UnsafeMutableRawBufferPointer.allocate(byteCount: space, alignment: MemoryLayout<cmsghdr>.alignment)
        defer { control.deallocate() }
        control.initializeMemory(as: UInt8.self, repeating: 0)
        var header = cmsghdr()
        header.cmsg_len = .init(SocketCalls.cmsgLength(dataLength))
        header.cmsg_level = SOL_SOCKET
        header.cmsg_type = Int32(SCM_RIGHTS)
        control.storeBytes(of: header, as: cmsghdr.self)
        let dataOffset = SocketCalls.cmsgAlign(MemoryLayout<cmsghdr>.size)
        for (index, descriptor) in fds.enumerated() {
            control.storeBytes(of: descriptor, toByteOffset: dataOffset + index * 4, as: Int32.self)
        }
        var message = message
        return message.withUnsafeMutableBytes { bytes in
            var vector = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                var header = msghdr()
                header.msg_iov = vectorPointer
                header.msg_iovlen = 1
                header.msg_control = control.baseAddress
                header.msg_controllen = .init(space)
                return sendmsg(fd, &header, SocketCalls.sendFlags)
            }
        }
    }

    /// `recvmsg` with room for `maxFDs` descriptors: the bytes, the descriptors (possibly more
    /// than `maxFDs`, by the control buffer's alignment), and 0 or the `errno`.
    static func receiveMessage(_ fd: Int32, maxMessageBytes: Int, maxFDs: Int) -> (message: [UInt8], fds: [Int32], code: Int32) {
        let space = SocketCalls.cmsgSpace(maxFDs * MemoryLayout<Int32>.size)
        let control = UnsafeMutableRawBufferPointer.allocate(byteCount: space, alignment: MemoryLayout<cmsghdr>.alignment)
        defer { control.deallocate() }
        control.initializeMemory(as: UInt8.self, repeating: 0)
        var buffer = [UInt8](repeating: 0, count: max(maxMessageBytes, 1))
        var header = msghdr()
        let received: Int = buffer.withUnsafeMutableBytes { bytes in
            var vector = iovec(iov_base: bytes.baseAddress, iov_len: maxMessageBytes)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                header.msg_iov = vectorPointer
                header.msg_iovlen = 1
                header.msg_control = control.baseAddress
                header.msg_controllen = .init(space)
                #if os(Linux)
                let flags = Int32(MSG_CMSG_CLOEXEC)
                #else
                let flags: Int32 = 0
                #endif
                return recvmsg(fd, &header, flags)
            }
        }
        if received < 0 { return ([], [], errno) }
        let fds = SocketCalls.receivedDescriptors(control: UnsafeRawBufferPointer(control), length: Int(header.msg_controllen))
        return (Array(buffer.prefix(received)), fds, 0)
    }
}

/// The C library's `send`, under a name that does not clash with the streams' `send(_:)`.
func systemSend(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.send(fd, pointer, count, SocketCalls.sendFlags)
    #elseif canImport(Musl)
    Musl.send(fd, pointer, count, SocketCalls.sendFlags)
    #else
    Darwin.send(fd, pointer, count, SocketCalls.sendFlags)
    #endif
}
