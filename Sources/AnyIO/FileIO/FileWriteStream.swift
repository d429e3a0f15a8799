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

/// A file written as a ``ByteSendStream``.
///
/// Each ``send(_:)`` writes every byte with `write(2)` on a worker thread (no user-space
/// buffering: the bytes are with the operating system when it returns). A send is a checkpoint,
/// cancellable until the write starts; one cancelled while it runs has written its bytes. A
/// second task sending at the same time gets ``BusyResourceError``; after ``close()`` sending
/// throws ``ClosedResourceError``.
///
/// ```swift
/// let stream = try await FileWriteStream.fromPath(logPath, append: true)
/// try await stream.executeThenClose { stream in
///     try await stream.send("started\n")
/// }
/// ```
///
/// Answers ``FileStreamAttribute/path`` and ``FileStreamAttribute/fileDescriptor``.
///
/// - SeeAlso: AnyIO `anyio.streams.file.FileWriteStream`.
public final class FileWriteStream: ByteSendStream {
    let core: FileCore
    private let sendGuard = ResourceGuard(action: "sending on")
    private let attributes: TypedAttributeSet

    init(core: FileCore) {
        self.core = core
        self.attributes = FileStreamAttribute.attributes(of: core)
    }

    /// Opens the file at `path` for writing, creating it if needed.
    ///
    /// - Parameters:
    ///   - path: The file's path.
    ///   - append: Whether to write at the end of an existing file (`true`) or empty it first
    ///     (`false`, the default).
    /// - Returns: The stream.
    /// - Throws: ``FileSystemError`` naming the path (`ENOENT` for a missing directory,
    ///   `EACCES`, `EISDIR`); `CancellationError`.
    /// - SeeAlso: AnyIO `FileWriteStream.from_path()`.
    public static func fromPath(_ path: String, append: Bool = false) async throws -> FileWriteStream {
        let ledger = FileDescriptorLedger.current
        let mode = try FileOpenMode(append ? "a" : "w")
        let core = try await ToThread.runSync { try FileCore.open(path, mode: mode, limiter: nil, ledger: ledger) }
        return FileWriteStream(core: core)
    }

    /// Writes every byte of `bytes` to the file.
    ///
    /// - Parameter bytes: The bytes to write; an empty array does nothing but the checkpoint.
    /// - Throws: ``BusyResourceError``; ``ClosedResourceError``; ``FileSystemError`` (such as
    ///   `ENOSPC`); `CancellationError`.
    /// - SeeAlso: AnyIO `FileWriteStream.send()`.
    public func send(_ bytes: [UInt8]) async throws {
        try await sendGuard.withGuard {
            let descriptor = core.descriptor
            let path = core.path
            try await core.run(.none) { _ in
                try FileWriteStream.writeAll(descriptor, bytes, path: path)
            }
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
    /// - SeeAlso: AnyIO `FileWriteStream.aclose()`.
    public func close() async {
        await core.close()
    }

    /// Writes all of `bytes` with `write(2)`, retrying short writes and `EINTR`.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError.current("write", path: path)
                }
                offset += written
            }
        }
    }
}
