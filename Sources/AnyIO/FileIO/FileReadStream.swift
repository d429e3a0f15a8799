//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A file read as a ``ByteReceiveStream``.
///
/// Each ``receive(maxBytes:)`` is one `read(2)` on a worker thread, so it returns as soon as the
/// file (or FIFO) has bytes, between 1 and `maxBytes` of them, and throws ``EndOfStreamError``
/// at the end of the file. A receive is cancel-safe: cancelled before the read starts it takes
/// nothing; cancelled while the read runs, the bytes it read are kept for the next receive (so
/// no byte is lost, and ``tell()`` still counts them as unread). A second task receiving at the
/// same time gets ``BusyResourceError``. After ``close()`` receiving throws
/// ``ClosedResourceError``; a read already running when another task closes the stream finishes
/// first.
///
/// ```swift
/// let stream = try await FileReadStream.fromPath(logPath)
/// try await stream.executeThenClose { stream in
///     for try await chunk in stream.chunks() { consume(chunk) }
/// }
/// ```
///
/// Answers ``FileStreamAttribute/path`` and ``FileStreamAttribute/fileDescriptor``.
///
/// - SeeAlso: AnyIO `anyio.streams.file.FileReadStream`.
public final class FileReadStream: ByteReceiveStream {
    let core: FileCore
    private let receiveGuard = ResourceGuard(action: "receiving on")
    /// Bytes read by a receive whose caller was cancelled while the read ran; handed out first.
    /// Filled by the worker thread, emptied by the receiving task and by ``seek(_:)``.
    private let unread = StateLock<[UInt8]>([])
    private let attributes: TypedAttributeSet

    init(core: FileCore) {
        self.core = core
        self.attributes = FileStreamAttribute.attributes(of: core)
    }

    /// Opens the file at `path` for reading.
    ///
    /// - Parameter path: The file's path.
    /// - Returns: The stream, positioned at the start of the file.
    /// - Throws: ``FileSystemError`` naming the path (`ENOENT`, `EACCES`, `EISDIR`);
    ///   `CancellationError`.
    /// - SeeAlso: AnyIO `FileReadStream.from_path()`.
    public static func fromPath(_ path: String) async throws -> FileReadStream {
        let ledger = FileDescriptorLedger.current
        let mode = try FileOpenMode("r")
        let core = try await ToThread.runSync { try FileCore.open(path, mode: mode, limiter: nil, ledger: ledger) }
        return FileReadStream(core: core)
    }

    /// Receives the next bytes of the file.
    ///
    /// A checkpoint. See the type's discussion for cancellation.
    ///
    /// - Parameter maxBytes: The most bytes to return; at least 1.
    /// - Returns: Between 1 and `maxBytes` bytes.
    /// - Throws: ``EndOfStreamError`` at the end of the file; ``InvalidArgumentError`` if
    ///   `maxBytes < 1` (before any I/O); ``BusyResourceError``; ``ClosedResourceError``;
    ///   ``FileSystemError``; `CancellationError`.
    /// - SeeAlso: AnyIO `FileReadStream.receive()`.
    public func receive(maxBytes: Int) async throws -> [UInt8] {
        try checkMaxBytes(maxBytes, of: "FileReadStream.receive(maxBytes:)")
        return try await receiveGuard.withGuard {
            if unread.withLock({ !$0.isEmpty }) {
                try await LowLevel.checkpoint()
                guard !core.isClosed else { throw ClosedResourceError() }
            } else {
                let descriptor = core.descriptor
                let path = core.path
                try await core.run(.none) { [self] _ in
                    let bytes = try FileReadStream.readOnce(descriptor, maxBytes: maxBytes, path: path)
                    // Kept here, not returned, so that a cancelled caller loses nothing.
                    unread.withLock { $0 += bytes }
                }
            }
            return takeUnread(maxBytes)
        }
    }

    /// Moves the read position to `position` bytes from the start of the file.
    ///
    /// Bytes a cancelled receive kept are dropped.
    ///
    /// - Parameter position: The new position.
    /// - Throws: ``FileSystemError`` (`EINVAL` for a negative position); ``ClosedResourceError``;
    ///   `CancellationError`.
    /// - SeeAlso: AnyIO `FileReadStream.seek()`.
    public func seek(_ position: Int) async throws {
        let descriptor = core.descriptor
        let path = core.path
        try await core.run(.none) { [self] _ in
            guard lseek(descriptor, off_t(position), SEEK_SET) >= 0 else {
                throw FileSystemError.current("seek", path: path)
            }
            unread.withLock { $0 = [] }
        }
    }

    /// The position of the next byte a receive returns, from the start of the file.
    ///
    /// - Returns: The position.
    /// - Throws: ``FileSystemError``; ``ClosedResourceError``; `CancellationError`.
    /// - SeeAlso: AnyIO `FileReadStream.tell()`.
    public func tell() async throws -> Int {
        let descriptor = core.descriptor
        let path = core.path
        return try await core.run(.none) { [self] _ in
            let position = lseek(descriptor, 0, SEEK_CUR)
            guard position >= 0 else { throw FileSystemError.current("tell", path: path) }
            return Int(position) - unread.withLock { $0.count }
        }
    }

    /// Answers ``FileStreamAttribute/path`` and ``FileStreamAttribute/fileDescriptor``.
    ///
    /// - Parameter attribute: The attribute to look up.
    /// - Returns: Its value.
    /// - Throws: ``TypedAttributeLookupError`` for other attributes.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        try attributes.value(of: attribute)
    }

    /// Closes the file; never throws, and closes also when the caller is cancelled.
    ///
    /// - SeeAlso: AnyIO `FileReadStream.aclose()`.
    public func close() async {
        await core.close()
    }

    /// Takes up to `maxBytes` of the kept bytes.
    private func takeUnread(_ maxBytes: Int) -> [UInt8] {
        unread.withLock { unread in
            if unread.count <= maxBytes {
                defer { unread = [] }
                return unread
            }
            let head = Array(unread[..<maxBytes])
            unread.removeFirst(maxBytes)
            return head
        }
    }

    /// One `read(2)` of up to `maxBytes` (retried on `EINTR`).
    ///
    /// - Throws: ``EndOfStreamError`` when it reads nothing; ``FileSystemError``.
    static func readOnce(_ descriptor: Int32, maxBytes: Int, path: String) throws -> [UInt8] {
        let want = min(maxBytes, 1 << 24)
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: want) { buffer, count in
            while true {
                let got = read(descriptor, buffer.baseAddress, want)
                if got >= 0 {
                    count = got
                    return
                }
                if errno != EINTR {
                    failure = errno
                    count = 0
                    return
                }
            }
        }
        if failure != 0 { throw FileSystemError(code: failure, operation: "read", path: path) }
        if bytes.isEmpty { throw EndOfStreamError() }
        return bytes
    }
}
