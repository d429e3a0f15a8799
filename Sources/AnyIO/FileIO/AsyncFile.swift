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

/// An open file whose blocking calls run on worker threads.
///
/// Made by ``openFile(_:mode:limiter:)`` or ``AsyncPath/open(mode:)``. Every method runs its
/// system call on a worker thread through ``ToThread/runSync(limiter:abandonOnCancel:_:)``, is a
/// checkpoint, and is cancellable until the worker thread starts the call. Once the call runs it
/// finishes: a read cancelled at that point has moved the file position, and its bytes are
/// dropped (as with any `ToThread` call cancelled while it runs).
///
/// ```swift
/// let file = try await openFile("/etc/hosts")
/// var count = 0
/// try await file.executeThenClose { file in
///     for try await _ in file.lines { count += 1 }
/// }
/// ```
///
/// Calls from several tasks at once are safe; their order is not specified. After
/// ``close()`` every call throws ``ClosedResourceError``; a call still running when another task
/// closes the file finishes first, and the file closes when it ends. Dropping the last reference
/// without closing closes the file too, as a safety net.
///
/// - SeeAlso: AnyIO `AsyncFile`.
public final class AsyncFile: AsyncResource {
    let core: FileCore

    init(core: FileCore) {
        self.core = core
    }

    /// The path the file was opened with.
    public var path: String { core.path }

    /// The limiter this file's calls borrow worker threads from; `nil` for the default limiter.
    ///
    /// - SeeAlso: AnyIO `AsyncFile.limiter`.
    public var limiter: CapacityLimiter? { core.limiter }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { core.isClosed }

    // MARK: - Reading

    /// Reads `count` bytes, or every byte to the end of the file when `count` is `nil`.
    ///
    /// Returns fewer than `count` bytes only at the end of the file, and none there.
    ///
    /// - Parameter count: How many bytes to read; `nil` for the rest of the file.
    /// - Returns: The bytes read; empty at the end of the file.
    /// - Throws: ``InvalidArgumentError`` for a negative `count`; ``FileSystemError`` (for example
    ///   `EBADF` on a file not opened for reading); ``ClosedResourceError``; `CancellationError`.
    /// - SeeAlso: AnyIO `AsyncFile.read(size)`.
    public func read(_ count: Int? = nil) async throws -> [UInt8] {
        if let count, count < 0 {
            throw InvalidArgumentError("AsyncFile.read: count must not be negative, got \(count); pass nil to read to the end")
        }
        let path = core.path
        return try await core.run(.reading) { file in
            try FileStreamCalls.read(file, count: count, path: path)
        }
    }

    /// Reads the rest of the file as UTF-8 text.
    ///
    /// Invalid UTF-8 is replaced with U+FFFD.
    ///
    /// - Returns: The text from the current position to the end.
    /// - Throws: What ``read(_:)`` throws.
    /// - SeeAlso: AnyIO `AsyncFile.read()` on a file opened in text mode.
    public func readText() async throws -> String {
        String(decoding: try await read(), as: UTF8.self)
    }

    /// Reads the next line, without its `"\n"` (or `"\r\n"`).
    ///
    /// The last line of a file need not end with a newline.
    ///
    /// - Returns: The line, or `nil` at the end of the file. An empty line is `""`.
    /// - Throws: ``FileSystemError``; ``ClosedResourceError``; `CancellationError`.
    /// - SeeAlso: AnyIO `AsyncFile.readline()` (which keeps the newline and returns `""` at the end).
    public func readLine() async throws -> String? {
        let path = core.path
        guard let bytes = try await core.run(.reading, { file in try FileStreamCalls.readLine(file, path: path) }) else {
            return nil
        }
        var end = bytes.count
        if end > 0 && bytes[end - 1] == UInt8(ascii: "\n") {
            end -= 1
            if end > 0 && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// The file's remaining lines, each without its line terminator.
    ///
    /// Each iteration calls ``readLine()``; the loop ends at the end of the file and throws what
    /// ``readLine()`` throws.
    ///
    /// ```swift
    /// for try await line in file.lines where line.hasPrefix("#") {
    ///     print(line)
    /// }
    /// ```
    ///
    /// - SeeAlso: AnyIO `async for line in file`.
    public var lines: some AsyncSequence<String, any Error> {
        AsyncFileLines(file: self)
    }

    // MARK: - Writing

    /// Writes `bytes` at the current position (at the end in append mode).
    ///
    /// The bytes may sit in the file's buffer until ``flush()`` or ``close()``.
    ///
    /// - Parameter bytes: The bytes to write.
    /// - Throws: ``FileSystemError`` (for example `EBADF` on a file not opened for writing, or
    ///   `ENOSPC`); ``ClosedResourceError``; `CancellationError`.
    /// - SeeAlso: AnyIO `AsyncFile.write(b)`.
    public func write(_ bytes: [UInt8]) async throws {
        let path = core.path
        try await core.run(.writing) { file in
            try FileStreamCalls.write(file, bytes, path: path)
        }
    }

    /// Writes `text` encoded as UTF-8.
    ///
    /// - Parameter text: The text to write.
    /// - Throws: What ``write(_:)-([UInt8])`` throws.
    /// - SeeAlso: AnyIO `AsyncFile.write(s)` on a file opened in text mode.
    public func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }

    // MARK: - Position and size

    /// Moves the file position.
    ///
    /// - Parameters:
    ///   - offset: The new position, counted from `whence`.
    ///   - whence: Where `offset` counts from; the start of the file by default.
    /// - Returns: The new position, from the start of the file.
    /// - Throws: ``FileSystemError`` (`EINVAL` for a position before the start);
    ///   ``ClosedResourceError``; `CancellationError`.
    /// - SeeAlso: AnyIO `AsyncFile.seek(offset, whence)`.
    @discardableResult
    public func seek(_ offset: Int, from whence: SeekOrigin = .start) async throws -> Int {
        let path = core.path
        return try await core.run(.none) { file in
            guard fseeko(file, off_t(offset), whence.whence) == 0 else {
                throw FileSystemError.current("seek", path: path)
            }
            return try FileStreamCalls.tell(file, path: path)
        }
    }

    /// The current file position, from the start of the file.
    ///
    /// - Returns: The position in bytes.
    /// - Throws: ``FileSystemError``; ``ClosedResourceError``; `CancellationError`.
    /// - SeeAlso: AnyIO `AsyncFile.tell()`.
    public func tell() async throws -> Int {
        let path = core.path
        return try await core.run(.unchanged) { file in try FileStreamCalls.tell(file, path: path) }
    }

    /// Cuts or extends the file to `size` bytes (the current position when `nil`).
    ///
    /// Flushes buffered writes first. The file position does not move.
    ///
    /// - Parameter size: The new size; `nil` for the current position.
    /// - Throws: ``FileSystemError`` (for example `EINVAL` on a file not opened for writing);
    ///   ``ClosedResourceError``; `CancellationError`.
    /// - SeeAlso: AnyIO `AsyncFile.truncate(size)`.
    public func truncate(_ size: Int? = nil) async throws {
        let path = core.path
        try await core.run(.none) { file in
            guard fflush(file) == 0 else { throw FileSystemError.current("flush", path: path) }
            let size = try size ?? FileStreamCalls.tell(file, path: path)
            guard ftruncate(fileno(file), off_t(size)) == 0 else {
                throw FileSystemError.current("truncate", path: path)
            }
        }
    }

    /// Writes the file's buffered bytes to the operating system.
    ///
    /// - Throws: ``FileSystemError``; ``ClosedResourceError``; `CancellationError`.
    /// - SeeAlso: AnyIO `AsyncFile.flush()`.
    public func flush() async throws {
        let path = core.path
        try await core.run(.none) { file in
            guard fflush(file) == 0 else { throw FileSystemError.current("flush", path: path) }
        }
    }

    // MARK: - Closing

    /// Flushes and closes the file.
    ///
    /// Never throws, and closes also when the calling task is cancelled (the close runs in a
    /// shielded scope). A call that another task is running finishes first; calls made later
    /// throw ``ClosedResourceError``. Closing twice is harmless. A failure of the final flush is
    /// not reported (call ``flush()`` first to see it).
    ///
    /// - SeeAlso: AnyIO `AsyncFile.aclose()`.
    public func close() async {
        await core.close()
    }
}

/// The stdio calls of ``AsyncFile``, run on a worker thread inside ``FileCore/withStream(_:_:)``.
enum FileStreamCalls {
    /// How many bytes one `fread` asks for when reading to the end.
    static let chunkSize = 65_536

    /// Reads `count` bytes (or to the end), stopping early only at the end of the file.
    static func read(_ file: CFilePointer, count: Int?, path: String) throws -> [UInt8] {
        // Forget an earlier end of file: the file may have grown (glibc's EOF flag is sticky).
        clearerr(file)
        var result: [UInt8] = []
        while true {
            let want = count.map { min($0 - result.count, chunkSize) } ?? chunkSize
            if want == 0 { break }
            let chunk = [UInt8](unsafeUninitializedCapacity: want) { buffer, initialized in
                initialized = fread(buffer.baseAddress!, 1, want, file)
            }
            if result.isEmpty { result = chunk } else { result += chunk }
            if chunk.count < want {
                if ferror(file) != 0 {
                    let error = FileSystemError.current("read", path: path)
                    clearerr(file)
                    throw error
                }
                break
            }
        }
        return result
    }

    /// Reads one line with its terminator; `nil` at the end of the file.
    static func readLine(_ file: CFilePointer, path: String) throws -> [UInt8]? {
        clearerr(file)
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        let length = getline(&line, &capacity, file)
        guard length >= 0, let line else {
            if ferror(file) != 0 {
                let error = FileSystemError.current("read", path: path)
                clearerr(file)
                throw error
            }
            return nil
        }
        return line.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// Writes every byte of `bytes`.
    static func write(_ file: CFilePointer, _ bytes: [UInt8], path: String) throws {
        guard !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress!, 1, $0.count, file) }
        if written < bytes.count {
            let error = FileSystemError.current("write", path: path)
            clearerr(file)
            throw error
        }
    }

    /// The stream's position.
    static func tell(_ file: CFilePointer, path: String) throws -> Int {
        let position = ftello(file)
        guard position >= 0 else { throw FileSystemError.current("tell", path: path) }
        return Int(position)
    }
}
