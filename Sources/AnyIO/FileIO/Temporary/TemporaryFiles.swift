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

/// Runs `body` with a new temporary file that has no name, then closes it.
///
/// The file is created in the temporary directory (`$TMPDIR`, else `/tmp`), opened for reading
/// and writing (`w+`), and removed from the directory at once, so nothing is left behind even
/// if the process dies. When the body ends (returning, throwing, or cancelled) the file is
/// closed, also under cancellation (the close runs shielded).
///
/// ```swift
/// let echoed = try await withTemporaryFile { file in
///     try await file.write("scratch")
///     try await file.seek(0)
///     return try await file.readText()
/// }
/// ```
///
/// - Parameters:
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code that uses the file.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws; ``FileSystemError`` if the file cannot be created;
///   `CancellationError` if the caller was cancelled before the file was created.
/// - SeeAlso: AnyIO `TemporaryFile`.
public func withTemporaryFile<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (AsyncFile) async throws -> T
) async throws -> T {
    let ledger = FileDescriptorLedger.current
    let core = try await makeShielded {
        let (descriptor, path) = try FileSystemCalls.makeTemporaryFile(ledger: ledger)
        try? FileSystemCalls.removeFile(path, missingOK: true)
        return try FileCore.wrap(descriptor: descriptor, path: path, streamMode: "w+", limiter: nil, ledger: ledger)
    }
    let file = AsyncFile(core: core)
    return try await runThenCleanUp(isolation: isolation, { try await body(file) }, cleanup: { await file.close() })
}

/// Runs `body` with a new, named temporary file and its path, then closes and deletes it.
///
/// The file is created in the temporary directory (`$TMPDIR`, else `/tmp`) with a unique name,
/// opened for reading and writing (`w+`). When the body ends (returning, throwing, or
/// cancelled) the file is closed and deleted, also under cancellation (the cleanup runs
/// shielded). A file the body already removed or renamed is not an error.
///
/// ```swift
/// try await withNamedTemporaryFile { file, path in
///     try await file.write("input for a tool")
///     try await file.flush()
///     try await runTool(arguments: [path.description])
/// }
/// ```
///
/// - Parameters:
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code that uses the file; it receives the open file and its path.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws; ``FileSystemError`` if the file cannot be created;
///   `CancellationError` if the caller was cancelled before the file was created.
/// - SeeAlso: AnyIO `NamedTemporaryFile`.
public func withNamedTemporaryFile<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (AsyncFile, AsyncPath) async throws -> T
) async throws -> T {
    let ledger = FileDescriptorLedger.current
    let core = try await makeShielded {
        let (descriptor, path) = try FileSystemCalls.makeTemporaryFile(ledger: ledger)
        do {
            return try FileCore.wrap(descriptor: descriptor, path: path, streamMode: "w+", limiter: nil, ledger: ledger)
        } catch {
            try? FileSystemCalls.removeFile(path, missingOK: true)
            throw error
        }
    }
    let file = AsyncFile(core: core)
    let path = core.path
    return try await runThenCleanUp(
        isolation: isolation,
        { try await body(file, AsyncPath(path)) },
        cleanup: {
            await file.close()
            await runShielded { try? FileSystemCalls.removeFile(path, missingOK: true) }
        }
    )
}

/// Runs `body` with a new temporary directory, then deletes it and everything in it.
///
/// The directory is created in the temporary directory (`$TMPDIR`, else `/tmp`) with a unique
/// name and mode `0700`. When the body ends (returning, throwing, or cancelled) it is removed
/// recursively (symbolic links inside are removed, not followed), also under cancellation (the
/// removal runs shielded). Files left open inside it are removed all the same; close them first
/// to free their storage.
///
/// ```swift
/// try await withTemporaryDirectory { directory in
///     try await (directory / "a.txt").writeText("first")
///     try await (directory / "nested").mkdir()
/// }   // gone here
/// ```
///
/// - Parameters:
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code that uses the directory; it receives its path.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws; ``FileSystemError`` if the directory cannot be created;
///   `CancellationError` if the caller was cancelled before it was created. A failure to
///   remove it is not reported.
/// - SeeAlso: AnyIO `TemporaryDirectory`.
public func withTemporaryDirectory<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (AsyncPath) async throws -> T
) async throws -> T {
    let path = try await makeShielded { try FileSystemCalls.makeTemporaryDirectory() }
    let ledger = FileDescriptorLedger.current
    return try await runThenCleanUp(
        isolation: isolation,
        { try await body(AsyncPath(path)) },
        cleanup: { await runShielded { try? FileSystemCalls.removeTree(path, ledger: ledger) } }
    )
}

/// Runs `body` with a ``SpooledTemporaryFile`` that keeps its bytes in memory until they exceed
/// `maxSize`, then closes it.
///
/// See ``SpooledTemporaryFile`` for when it rolls over to a real temporary file. When the body
/// ends (returning, throwing, or cancelled) the file is closed, and its disk file, if any, is
/// closed (it never had a name), also under cancellation.
///
/// ```swift
/// try await withSpooledTemporaryFile(maxSize: 64 * 1024) { buffer in
///     for try await chunk in upload.chunks() { try await buffer.write(chunk) }
///     try await buffer.seek(0)
///     try await store(try await buffer.read())
/// }
/// ```
///
/// - Parameters:
///   - maxSize: The most bytes kept in memory; a size above it rolls over to disk. `0` or less
///     keeps everything in memory (as Python's `max_size=0`).
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code that uses the file.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws.
/// - SeeAlso: AnyIO `SpooledTemporaryFile`.
public func withSpooledTemporaryFile<T>(
    maxSize: Int,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (SpooledTemporaryFile) async throws -> T
) async throws -> T {
    let file = SpooledTemporaryFile(maxSize: maxSize, ledger: FileDescriptorLedger.current)
    return try await runThenCleanUp(isolation: isolation, { try await body(file) }, cleanup: { await file.close() })
}

/// Runs `body`, then `cleanup` whether `body` returned or threw (cancellation included).
private func runThenCleanUp<T>(
    isolation: isolated (any Actor)?,
    _ body: () async throws -> T,
    cleanup: () async -> Void
) async throws -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return result
}

/// Makes what a temporary-file function makes, on a worker thread.
///
/// A checkpoint first (an already-cancelled caller makes nothing); then the making runs in a
/// shielded scope, because `ToThread.runSync` drops the result of a call whose caller was
/// cancelled while it ran, and a dropped temporary file or directory would stay on disk.
/// Invariant: whatever this returns is removed by the caller's cleanup; a cancellation that
/// arrived meanwhile is seen by the body's first checkpoint, after which the cleanup runs.
private func makeShielded<R: Sendable>(_ make: @escaping @Sendable () throws -> R) async throws -> R {
    try await LowLevel.checkpointIfCancelled()
    let made = try await withCancelScope(shield: true) { _ in try await ToThread.runSync(make) }
    guard let made else {
        fatalError("makeShielded: a shielded scope that nobody can cancel caught a cancellation")
    }
    return made
}

/// Runs `body` on a worker thread in a shielded cancel scope, so that cleanup runs also when the
/// caller is cancelled; if the thread call fails all the same, runs `body` on this thread.
/// `body` must be idempotent.
func runShielded(_ body: @escaping @Sendable () -> Void) async {
    let ran: Void? = try? await withCancelScope(shield: true) { _ in try await ToThread.runSync(body) }
    if ran == nil { body() }
}
