//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The caller's end of one pipe to a child process (non-blocking), shared by the stream that
/// reads or writes it and by `ChildProcess.close()`.
///
/// A call tries its system call first; on `EAGAIN` it waits for readiness through a one-shot
/// registration with the `ReadinessWatcher` (epoll), made on demand, so nothing polls and no
/// thread blocks. See `PipeEndState` for who may close the descriptor when.
final class PipeEnd: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    enum Direction { case read, write }

    let direction: Direction
    /// The task tree's name: `stdout of process 12345 (cat)`.
    let site: ProcessWaitSite
    private let state: StateLock<PipeEndState<Waiter, UInt64>>
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
        for waiter in action.fail { waiter.resume(throwing: ClosedResourceError()) }
        if let fd = action.release { release(fd) }
        // Disarmed before the event: the callback will not run, so finish the registration here.
        if let token = action.cancel, ReadinessWatcher.shared.disarm(token) { registrationDone() }
    }

    /// Arms a one-shot readiness registration for the descriptor.
    ///
    /// Invariant: counted in `users` (by `waitUntilReady`) from before it exists until its
    /// callback ran or it was disarmed, so the descriptor stays open while epoll may watch it.
    private func armSource() {
        let descriptor = state.withLock { $0.descriptor }
        let token = ReadinessWatcher.shared.arm(descriptor, writing: direction == .write) { [self] in
            registrationDone()
        }
        // `close()` came between the decision to wait and here, and could not see the token.
        if !state.withLock({ $0.storeSource(token) }), ReadinessWatcher.shared.disarm(token) {
            registrationDone()
        }
    }

    /// The registration fired, or was disarmed: wake the waiters to retry, and close the
    /// descriptor if it was its last user after `close()`.
    private func registrationDone() {
        let (wake, release) = state.withLock { $0.sourceDone() }
        for waiter in wake { waiter.resume() }
        if let release { self.release(release) }
    }

    private func release(_ descriptor: Int32) {
        ledger?.recordClose(descriptor)
        _ = Glibc.close(descriptor)
    }
}
