//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The caller's end of one pipe to a child process (non-blocking), shared by the stream that
/// reads or writes it and by `ChildProcess.close()`.
///
/// A call tries its system call first; on `EAGAIN` it waits for readiness through a one-shot
/// Dispatch source (read or write), created on demand and cancelled by its own event handler, so
/// nothing polls and no thread blocks. See `PipeEndState` for who may close the descriptor when.
final class PipeEnd: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    enum Direction { case read, write }

    let direction: Direction
    /// The task tree's name: `stdout of process 12345 (cat)`.
    let site: ProcessWaitSite
    private let state: StateLock<PipeEndState<Waiter, ArmedSource>>
    private let ledger: FileDescriptorLedger?

    init(descriptor: Int32, direction: Direction, description: String, ledger: FileDescriptorLedger?) {
        self.direction = direction
        self.site = ProcessWaitSite(description)
        self.state = StateLock(PipeEndState(descriptor: descriptor))
        self.ledger = ledger
    }

    deinit {
        // Safety net: a pipe end dropped unclosed still closes (no source can be armed then,
        // since an armed source holds the end).
        close()
    }

    var isClosed: Bool { state.withLock { $0.isClosed } }

    /// Runs `call` with the descriptor, kept open until it returns.
    func withDescriptor<R>(_ call: (Int32) -> R) throws -> R {
        let descriptor = try state.withLock { try $0.beginCall() }
        defer { if let fd = state.withLock({ $0.endCall() }) { release(fd) } }
        return call(descriptor)
    }

    /// Waits until the descriptor is ready for this end's direction, or the end is closed.
    ///
    /// - Throws: `ClosedResourceError` if the end is or gets closed; `CancellationError`.
    func waitUntilReady() async throws {
        guard case .park(let ticket, let arm) = try state.withLock({ try $0.waitUntilReady() }) else { return }
        if arm { armSource() }
        setCurrentTaskBlockedOn(site)
        defer { setCurrentTaskBlockedOn(nil) }
        try await park(on: direction == .read ? .processReceive : .processSend) { waiter in
            state.withLock { $0.park(ticket, waiter) }
        } cancel: {
            state.withLock { $0.cancel(ticket) }
        }
    }

    /// Closes the end: waiting calls throw `ClosedResourceError`, and the descriptor closes as
    /// soon as no system call or source uses it. Idempotent; never blocks.
    func close() {
        guard let action = state.withLock({ $0.close() }) else { return }
        action.cancel?.source.cancel()
        for waiter in action.fail { waiter.resume(throwing: ClosedResourceError()) }
        if let fd = action.release { release(fd) }
    }

    /// Creates and activates a one-shot readiness source for the descriptor.
    ///
    /// Invariant: counted in `users` (by `waitUntilReady`) from before it exists until its
    /// cancel handler has run, so the descriptor stays open as long as Dispatch may watch it.
    private func armSource() {
        let descriptor = state.withLock { $0.descriptor }
        let source: any DispatchSourceProtocol =
            direction == .read
            ? DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: processEventQueue)
            : DispatchSource.makeWriteSource(fileDescriptor: descriptor, queue: processEventQueue)
        // One-shot: the first event cancels it. The handlers hold the source (and `self`) until
        // Dispatch releases them after the cancel handler.
        source.setEventHandler { source.cancel() }
        source.setCancelHandler { [self] in
            let (wake, release) = state.withLock { $0.sourceDone() }
            for waiter in wake { waiter.resume() }
            if let release { self.release(release) }
        }
        source.activate()
        let armed = ArmedSource(source)
        if !state.withLock({ $0.storeSource(armed) }) { source.cancel() }
    }

    private func release(_ descriptor: Int32) {
        ledger?.recordClose(descriptor)
        _ = Glibc.close(descriptor)
    }
}

/// A Dispatch source kept in `PipeEndState` so that `close()` can cancel it.
// @unchecked Sendable: the box is immutable, and the only call made through it from another
// thread is `DispatchSourceProtocol.cancel()`, which Dispatch documents as thread-safe.
final class ArmedSource: @unchecked Sendable {
    let source: any DispatchSourceProtocol

    init(_ source: any DispatchSourceProtocol) {
        self.source = source
    }
}
