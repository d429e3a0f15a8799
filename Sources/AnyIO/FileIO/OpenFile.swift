//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Opens the file at `path` and returns it as an ``AsyncFile``.
///
/// The open runs on a worker thread (``ToThread/runSync(limiter:abandonOnCancel:_:)``), as does
/// every call on the returned file, borrowing a thread from `limiter` (the default thread
/// limiter when `nil`). It is a checkpoint, and cancellable until the worker thread starts the
/// open.
///
/// ```swift
/// let file = try await openFile(notesPath, mode: "w")
/// try await file.executeThenClose { file in
///     try await file.write("first line\n")
/// }
/// ```
///
/// | mode | reads | writes | creates | truncates | position |
/// |---|---|---|---|---|---|
/// | `r` | yes | | | | start |
/// | `w` | | yes | yes | yes | start |
/// | `a` | | yes | yes | | every write at the end |
/// | `x` | | yes | must not exist | | start |
///
/// `+` adds the other direction (`r+`, `w+`, `a+`, `x+`); `b` is accepted and ignored (every
/// file is binary; ``AsyncFile/readText()`` and ``AsyncFile/write(_:)-(String)`` use UTF-8).
///
/// - Parameters:
///   - path: The file's path.
///   - mode: How to open it, as `fopen` and Python's `open` spell it; `"r"` by default.
///   - limiter: The limiter that bounds the worker threads this file's calls use.
/// - Returns: The open file; close it with ``AsyncFile/close()`` (or use
///   ``AsyncResource/executeThenClose(isolation:_:)``).
/// - Throws: ``InvalidArgumentError`` for a mode that is not one of the above (before any I/O);
///   ``FileSystemError`` naming the path when the system refuses (`ENOENT`, `EACCES`, `EEXIST`
///   for `x`, `EISDIR` for a directory); `CancellationError`.
/// - SeeAlso: AnyIO `open_file()`.
public func openFile(_ path: String, mode: String = "r", limiter: CapacityLimiter? = nil) async throws -> AsyncFile {
    let mode = try FileOpenMode(mode)
    let ledger = FileDescriptorLedger.current
    let core = try await ToThread.runSync(limiter: limiter) {
        try FileCore.open(path, mode: mode, limiter: limiter, ledger: ledger)
    }
    return AsyncFile(core: core)
}
