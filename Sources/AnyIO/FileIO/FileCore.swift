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

/// One open file: a C stdio stream guarded so that no call uses it after it was closed, shared by
/// ``AsyncFile``, ``FileReadStream``, ``FileWriteStream`` and the temporary files.
///
/// Every blocking call runs on a worker thread through ``run(_:_:)``, which counts the call as in
/// flight for as long as it uses the stream. ``close()`` takes the stream out of the state at once
/// (so no new call can start: they throw ``ClosedResourceError``) and closes it when the last
/// call in flight ends, or at once when none is. So `fclose` never races a call.
final class FileCore: Sendable {
    /// Which way the last call moved data; C requires a flush or a seek between a write and a
    /// read on an update (`+`) stream, and ``withStream(_:_:)`` inserts it.
    enum Direction: Sendable {
        /// A positioning call or a flush: afterwards either direction may follow.
        case none
        /// A read.
        case reading
        /// A write.
        case writing
        /// A call that moves no data and does not count as positioning (`ftello`): the last
        /// direction stays.
        case unchanged
    }

    private struct State: Sendable {
        /// The open stream; `nil` once ``close()`` started (or the open failed).
        var file: CFile?
        /// Calls between ``withStream(_:_:)``'s entry and exit. Changes on each entry and exit.
        var inFlight = 0
        /// A stream whose close waits for the calls in flight to end. Set by ``close()`` when
        /// ``inFlight`` is not zero; cleared by the last call to end, which then closes it.
        var pendingClose: CFile?
        /// Set once the stream is really closed; every ``close()`` waits for it. Created by the
        /// first ``close()``.
        var closed: Event?
        /// Which way the last call moved data (see ``Direction``).
        var lastDirection = Direction.none
        // Invariant: file == nil || pendingClose == nil; pendingClose != nil implies inFlight > 0.
    }

    /// What ``close()`` must do once it released the lock.
    private enum CloseAction {
        /// Close this stream now (no call is in flight), then set the event.
        case close(CFile, Event)
        /// Wait for this event: a call in flight or another `close()` is closing.
        case wait(Event)
    }

    /// The path the file was opened with, for errors and ``FileStreamAttribute/path``.
    let path: String
    /// The descriptor under the stream; meaningful while the file is open.
    let descriptor: Int32
    /// The limiter every call borrows a worker thread through (`nil`: the default limiter).
    let limiter: CapacityLimiter?
    /// The ledger that recorded the open and will record the close.
    let ledger: FileDescriptorLedger?
    private let state: StateLock<State>

    /// Wraps a stream that is already open (and recorded in `ledger`).
    init(file: CFile, path: String, limiter: CapacityLimiter?, ledger: FileDescriptorLedger?) {
        self.path = path
        self.descriptor = fileno(file.pointer)
        self.limiter = limiter
        self.ledger = ledger
        self.state = StateLock(State(file: file))
    }

    deinit {
        // The safety net: nothing can be in flight (every call holds a reference to `self`).
        let leftover = state.withLock { state -> CFile? in
            let file = state.file ?? state.pendingClose
            state.file = nil
            state.pendingClose = nil
            return file
        }
        if let leftover { FileSystemCalls.closeStream(leftover, ledger: ledger) }
    }

    // MARK: - Opening

    /// Opens `path` with `mode` (blocking; call on a worker thread).
    ///
    /// A directory is refused with `EISDIR` naming the path, also in read-only mode, where
    /// `open(2)` itself would accept it.
    static func open(
        _ path: String, mode: FileOpenMode, limiter: CapacityLimiter?, ledger: FileDescriptorLedger?
    ) throws -> FileCore {
        let descriptor = try FileSystemCalls.openDescriptor(path, flags: mode.flags, ledger: ledger)
        return try wrap(descriptor: descriptor, path: path, streamMode: mode.streamMode, limiter: limiter, ledger: ledger)
    }

    /// Wraps an open descriptor in a stream; on failure the descriptor is closed.
    static func wrap(
        descriptor: Int32, path: String, streamMode: String, limiter: CapacityLimiter?,
        ledger: FileDescriptorLedger?
    ) throws -> FileCore {
        var info = stat()
        if fstat(descriptor, &info) == 0 && FileSystemCalls.kind(of: info) == .directory {
            FileSystemCalls.closeDescriptor(descriptor, ledger: ledger)
            throw FileSystemError(code: EISDIR, operation: "open", path: path)
        }
        guard let pointer = fdopen(descriptor, streamMode) else {
            let error = FileSystemError.current("open", path: path)
            FileSystemCalls.closeDescriptor(descriptor, ledger: ledger)
            throw error
        }
        return FileCore(file: CFile(pointer: pointer), path: path, limiter: limiter, ledger: ledger)
    }

    // MARK: - Calls

    /// How many calls are in flight, for tests.
    var inFlightCount: Int {
        state.withLock { $0.inFlight }
    }

    /// Whether ``close()`` was called.
    var isClosed: Bool {
        state.withLock { $0.file == nil }
    }

    /// Runs `body` with the stream on a worker thread: a checkpoint, cancellable until the thread
    /// starts it.
    ///
    /// - Throws: ``ClosedResourceError`` once the file is closed; what `body` throws;
    ///   `CancellationError`.
    func run<T: Sendable>(
        _ direction: Direction, _ body: @escaping @Sendable (CFilePointer) throws -> T
    ) async throws -> T {
        try await ToThread.runSync(limiter: limiter) { [self] in
            try withStream(direction, body)
        }
    }

    /// Runs `body` with the stream on this thread, counting it as in flight.
    func withStream<T>(_ direction: Direction, _ body: (CFilePointer) throws -> T) throws -> T {
        let (file, previous) = try state.withLock { state throws(ClosedResourceError) -> (CFile, Direction) in
            guard let file = state.file else { throw ClosedResourceError() }
            state.inFlight += 1
            let previous = state.lastDirection
            if direction != .unchanged { state.lastDirection = direction }
            return (file, previous)
        }
        defer { callEnded() }
        // C11 7.21.5.3: output may not be followed by input without an fflush or a positioning
        // call in between, nor input by output without a positioning call.
        switch (previous, direction) {
        case (.writing, .reading): fflush(file.pointer)
        case (.reading, .writing): fseeko(file.pointer, 0, SEEK_CUR)
        default: break
        }
        return try body(file.pointer)
    }

    /// Ends one call; the last call to end after a ``close()`` closes the stream.
    private func callEnded() {
        let action = state.withLock { state -> (CFile, Event?)? in
            state.inFlight -= 1
            guard state.inFlight == 0, let file = state.pendingClose else { return nil }
            state.pendingClose = nil
            return (file, state.closed)
        }
        if let (file, closed) = action {
            FileSystemCalls.closeStream(file, ledger: ledger)
            closed?.set()
        }
    }

    // MARK: - Closing

    /// Closes the stream on this thread, blocking; for code already on a worker thread.
    ///
    /// Like ``close()``, a call in flight on another thread closes the stream when it ends.
    func closeNow() {
        let file = state.withLock { state -> CFile? in
            guard state.closed == nil else { return nil }
            let closed = Event()
            state.closed = closed
            guard let file = state.file else {
                closed.set()
                return nil
            }
            state.file = nil
            if state.inFlight > 0 {
                state.pendingClose = file
                return nil
            }
            closed.set()
            return file
        }
        if let file { FileSystemCalls.closeStream(file, ledger: ledger) }
    }

    /// Closes the stream; never throws, and closes also when the caller is cancelled.
    ///
    /// Returns once the stream is closed. A call in flight finishes first (the close happens when
    /// it ends); calls that start afterwards throw ``ClosedResourceError``. Closing again waits
    /// for the first close and does nothing else.
    func close() async {
        let action = state.withLock { state -> CloseAction in
            if let closed = state.closed { return .wait(closed) }
            let closed = Event()
            state.closed = closed
            guard let file = state.file else {
                closed.set()
                return .wait(closed)
            }
            state.file = nil
            if state.inFlight > 0 {
                state.pendingClose = file
                return .wait(closed)
            }
            return .close(file, closed)
        }
        switch action {
        case .close(let file, let closed):
            let ledger = ledger
            // Shielded: a cancelled caller still closes (IO3). The closure never throws, so the
            // only way the thread call can fail is cancellation, which the shield rules out; the
            // fallback closes on this thread all the same.
            let done: Void? = try? await withCancelScope(shield: true) { _ in
                try await ToThread.runSync(limiter: limiter) {
                    FileSystemCalls.closeStream(file, ledger: ledger)
                    closed.set()
                }
            }
            if done == nil {
                if !closed.isSet {
                    FileSystemCalls.closeStream(file, ledger: ledger)
                    closed.set()
                }
            }
        case .wait(let closed):
            _ = try? await withCancelScope(shield: true) { _ in try await closed.wait() }
        }
    }
}
