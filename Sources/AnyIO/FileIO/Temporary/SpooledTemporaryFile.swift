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

/// A temporary file that keeps its bytes in memory until its size exceeds `maxSize`, and then
/// rolls over to a real (unnamed) temporary file.
///
/// Made by ``withSpooledTemporaryFile(maxSize:isolation:_:)``. It has ``AsyncFile``'s
/// ``read(_:)``, ``readText()``, ``write(_:)-([UInt8])``, ``write(_:)-(String)``,
/// ``seek(_:from:)`` and ``tell()``. A write that would make the file *larger* than `maxSize`
/// rolls it over first (a file of exactly `maxSize` bytes stays in memory); ``rollover()`` does
/// it on demand. After the rollover every call goes to the disk file, through a worker thread.
///
/// Every call is a checkpoint, also in memory (it checks for cancellation first, then yields).
/// Calls from several tasks at once are safe. After ``close()`` every call throws
/// ``ClosedResourceError``.
///
/// - SeeAlso: AnyIO `SpooledTemporaryFile`.
public final class SpooledTemporaryFile: AsyncResource {
    private enum Storage {
        /// In memory: the bytes and the position. `version` counts changes, so that a rollover
        /// that copied an older state can tell.
        case memory(bytes: [UInt8], position: Int, version: Int)
        /// Rolled over: every call goes to the file.
        case disk(AsyncFile)
        /// Closed.
        case closed
    }

    /// The size above which the file rolls over to disk; `0` or less for never.
    public let maxSize: Int
    private let ledger: FileDescriptorLedger?
    /// Changes on every in-memory write and seek, on the rollover and on close.
    private let storage = StateLock(Storage.memory(bytes: [], position: 0, version: 0))

    init(maxSize: Int, ledger: FileDescriptorLedger?) {
        self.maxSize = maxSize
        self.ledger = ledger
    }

    /// Whether the file has rolled over to disk.
    ///
    /// - SeeAlso: AnyIO `SpooledTemporaryFile._rolled`.
    public var rolledOver: Bool {
        storage.withLock { if case .disk = $0 { true } else { false } }
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool {
        storage.withLock { if case .closed = $0 { true } else { false } }
    }

    // MARK: - Calls

    /// Reads `count` bytes, or every byte to the end when `count` is `nil`.
    ///
    /// - Parameter count: How many bytes to read; `nil` for the rest.
    /// - Returns: The bytes; fewer than `count` only at the end, none there.
    /// - Throws: ``InvalidArgumentError`` for a negative `count`; ``ClosedResourceError``;
    ///   ``FileSystemError`` after the rollover; `CancellationError`.
    /// - SeeAlso: ``AsyncFile/read(_:)``.
    public func read(_ count: Int? = nil) async throws -> [UInt8] {
        if let count, count < 0 {
            throw InvalidArgumentError("SpooledTemporaryFile.read: count must not be negative, got \(count); pass nil to read to the end")
        }
        return try await perform({ try await $0.read(count) }) { bytes, position in
            let end = count.map { min(bytes.count, position + $0) } ?? bytes.count
            guard position < end else { return [] }
            defer { position = end }
            return Array(bytes[position..<end])
        }
    }

    /// Reads the rest as UTF-8 text (invalid bytes become U+FFFD).
    ///
    /// - Returns: The text from the current position to the end.
    /// - Throws: What ``read(_:)`` throws.
    public func readText() async throws -> String {
        String(decoding: try await read(), as: UTF8.self)
    }

    /// Writes `bytes` at the current position, rolling over to disk first if the file would
    /// grow beyond ``maxSize``.
    ///
    /// - Parameter bytes: The bytes to write.
    /// - Throws: ``ClosedResourceError``; ``FileSystemError`` (the rollover or the disk write
    ///   failed); `CancellationError`.
    /// - SeeAlso: ``AsyncFile/write(_:)-([UInt8])``.
    public func write(_ bytes: [UInt8]) async throws {
        while true {
            try await LowLevel.checkpointIfCancelled()
            let needsRollover = try storage.withLock { storage throws(ClosedResourceError) -> Bool? in
                switch storage {
                case .closed:
                    throw ClosedResourceError()
                case .disk:
                    // Rolled over: write to disk below.
                    return nil
                case .memory(var content, let position, let version):
                    let newSize = max(content.count, position + bytes.count)
                    if maxSize > 0 && newSize > maxSize { return true }
                    storage = .closed  // Released for the copy below (no copy-on-write).
                    if position > content.count {
                        content += repeatElement(0, count: position - content.count)
                    }
                    let overlap = min(bytes.count, content.count - position)
                    content.replaceSubrange(position..<position + overlap, with: bytes[..<overlap])
                    content += bytes[overlap...]
                    storage = .memory(bytes: content, position: position + bytes.count, version: version + 1)
                    return false
                }
            }
            switch needsRollover {
            case nil:
                try await diskFile().write(bytes)
                return
            case true?:
                try await rollover()
            case false?:
                await LowLevel.cancelShieldedCheckpoint()
                return
            }
        }
    }

    /// Writes `text` encoded as UTF-8.
    ///
    /// - Parameter text: The text to write.
    /// - Throws: What ``write(_:)-([UInt8])`` throws.
    public func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }

    /// Moves the position.
    ///
    /// - Parameters:
    ///   - offset: The new position, counted from `whence`.
    ///   - whence: Where `offset` counts from; the start by default.
    /// - Returns: The new position, from the start.
    /// - Throws: ``FileSystemError`` with `EINVAL` for a position before the start;
    ///   ``ClosedResourceError``; `CancellationError`.
    /// - SeeAlso: ``AsyncFile/seek(_:from:)``.
    @discardableResult
    public func seek(_ offset: Int, from whence: SeekOrigin = .start) async throws -> Int {
        try await perform({ try await $0.seek(offset, from: whence) }) { bytes, position in
            let base = switch whence {
            case .start: 0
            case .current: position
            case .end: bytes.count
            }
            guard base + offset >= 0 else { throw FileSystemError(code: EINVAL, operation: "seek", path: nil) }
            position = base + offset
            return position
        }
    }

    /// The current position, from the start.
    ///
    /// - Returns: The position in bytes.
    /// - Throws: ``ClosedResourceError``; ``FileSystemError`` after the rollover;
    ///   `CancellationError`.
    /// - SeeAlso: ``AsyncFile/tell()``.
    public func tell() async throws -> Int {
        try await perform({ try await $0.tell() }) { _, position in position }
    }

    /// Moves the contents to a real temporary file now, if they are still in memory.
    ///
    /// The position is kept.
    ///
    /// - Throws: ``ClosedResourceError``; ``FileSystemError`` if the file cannot be created or
    ///   written; `CancellationError`.
    /// - SeeAlso: AnyIO `SpooledTemporaryFile.rollover()`.
    public func rollover() async throws {
        let ledger = ledger
        while true {
            let snapshot = try storage.withLock { storage throws(ClosedResourceError) -> (bytes: [UInt8], position: Int, version: Int)? in
                switch storage {
                case .closed: throw ClosedResourceError()
                case .disk: return nil
                case .memory(let bytes, let position, let version): return (bytes, position, version)
                }
            }
            guard let snapshot else { return }
            let core = try await ToThread.runSync {
                let (descriptor, path) = try FileSystemCalls.makeTemporaryFile(ledger: ledger)
                try? FileSystemCalls.removeFile(path, missingOK: true)
                let core = try FileCore.wrap(descriptor: descriptor, path: path, streamMode: "w+", limiter: nil, ledger: ledger)
                do {
                    try core.withStream(.writing) { file in
                        try FileStreamCalls.write(file, snapshot.bytes, path: path)
                        guard fseeko(file, off_t(snapshot.position), SEEK_SET) == 0 else {
                            throw FileSystemError.current("seek", path: path)
                        }
                    }
                } catch {
                    core.closeNow()
                    throw error
                }
                return core
            }
            let file = AsyncFile(core: core)
            let installed = storage.withLock { storage -> Bool in
                // Install only over the state that was copied; else copy again (or stop, if closed).
                guard case .memory(_, _, let version) = storage, version == snapshot.version else { return false }
                storage = .disk(file)
                return true
            }
            if installed { return }
            await file.close()
        }
    }

    /// Closes the file, and its disk file if it rolled over; never throws, and closes also when
    /// the caller is cancelled. Closing twice is harmless.
    ///
    /// - SeeAlso: AnyIO `SpooledTemporaryFile.aclose()`.
    public func close() async {
        let previous = storage.withLock { storage -> Storage in
            defer { storage = .closed }
            return storage
        }
        if case .disk(let file) = previous { await file.close() }
    }

    // MARK: - Helpers

    /// The disk file, or ``ClosedResourceError``.
    private func diskFile() throws -> AsyncFile {
        try storage.withLock { storage throws(ClosedResourceError) -> AsyncFile in
            guard case .disk(let file) = storage else { throw ClosedResourceError() }
            return file
        }
    }

    /// Runs `onDisk` with the disk file after the rollover, or `inMemory` under the lock before
    /// it (with a checkpoint around it).
    private func perform<T: Sendable>(
        _ onDisk: (AsyncFile) async throws -> T,
        inMemory: (borrowing [UInt8], inout Int) throws -> T
    ) async throws -> T {
        try await LowLevel.checkpointIfCancelled()
        let outcome = try storage.withLock { storage -> Result<T, any Error>? in
            switch storage {
            case .closed:
                throw ClosedResourceError()
            case .disk:
                return nil
            case .memory(let bytes, var position, let version):
                let result = Result { try inMemory(bytes, &position) }
                storage = .memory(bytes: bytes, position: position, version: version + 1)
                return result
            }
        }
        guard let outcome else { return try await onDisk(try diskFile()) }
        await LowLevel.cancelShieldedCheckpoint()
        return try outcome.get()
    }
}
