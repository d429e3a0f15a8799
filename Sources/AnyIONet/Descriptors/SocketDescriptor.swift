//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A non-blocking socket descriptor owned by one of this module's sockets (Unix streams and
/// listeners, UDP and Unix datagram sockets): its system calls, its readiness waits, and its one
/// `close`.
///
/// Operations try the system call first and wait for readiness (a `ReadinessWait`, on a Dispatch
/// source) only when it would block, so a socket with data waiting costs one call.
///
/// The descriptor number is used only while it is open and ours: every use (a system call, a
/// readiness wait) is counted, `close()` marks the socket closed (new uses throw
/// `ClosedResourceError`), ends the waits in progress with `ClosedResourceError`, and closes the
/// descriptor once the last use has ended. A descriptor number can thus never be closed under a
/// task that is still in a system call on it (and then be reused by another `open`).
///
/// Invariant: `users` counts the uses in progress; the descriptor is closed exactly once, when
/// `closed` and `users == 0`.
/// Invariant: at most one readiness wait per direction at a time (the sockets' `ResourceGuard`s
/// make sure; a second one traps).
final class SocketDescriptor: Sendable {
    private struct State {
        /// `close()` was called (or the safety net ran). Terminal.
        var closed = false
        /// Uses in progress (system calls and readiness waits).
        var users = 0
        /// The readiness wait for reading in progress, if any.
        var readWait: ReadinessWait?
        /// The readiness wait for writing in progress, if any.
        var writeWait: ReadinessWait?
        /// A `close()` waiting for the last use to end.
        var closer: UnsafeContinuation<Void, Never>?
    }

    /// The descriptor.
    let fd: Int32
    private let state = StateLock(State())

    /// Takes ownership of `fd` (non-blocking, close-on-exec).
    init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        // Nobody can use the descriptor any more (a use holds a reference).
        if !state.withLock({ $0.closed }) { _ = systemClose(fd) }
    }

    /// Whether ``close()`` was called.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// Runs `body` with the descriptor, which stays open while it runs.
    ///
    /// - Throws: `ClosedResourceError` once the socket was closed, or what `body` throws.
    func withDescriptor<R>(_ body: (Int32) throws -> R) throws -> R {
        try state.withLock { state in
            if state.closed { throw ClosedResourceError() }
            state.users += 1
        }
        defer { endUse() }
        return try body(fd)
    }

    /// Ends one use; the last use after `close()` lets the closer go on.
    private func endUse() {
        let closer: UnsafeContinuation<Void, Never>? = state.withLock { state in
            state.users -= 1
            guard state.closed, state.users == 0 else { return nil }
            defer { state.closer = nil }
            return state.closer
        }
        // Single resumption: the closer is taken out of the state under the lock.
        closer?.resume()
    }

    /// Runs `attempt` until it does not return `nil` ("would block"), waiting for the descriptor
    /// to become ready for `direction` in between. A checkpoint: cancellation is checked first,
    /// and a call that did not wait yields once.
    ///
    /// - Parameters:
    ///   - direction: What to wait for when `attempt` would block.
    ///   - kind: The wait's kind, for the task tree.
    ///   - site: What the task tree shows the blocked task waiting on (made only when it waits).
    ///   - attempt: One try of the system call; `nil` if it would block.
    /// - Throws: `ClosedResourceError` once the socket was closed (also while waiting),
    ///   `CancellationError`, or what `attempt` throws.
    func perform<R>(
        _ direction: ReadinessWait.Direction,
        kind: WaitKind,
        site: @autoclosure () -> String,
        _ attempt: (Int32) throws -> R?
    ) async throws -> R {
        try throwIfCancelled()
        var waited = false
        while true {
            if let result = try withDescriptor(attempt) {
                if !waited { await budgetedSchedulePoint() }
                return result
            }
            setCurrentTaskBlockedOn(SocketWaitSite(description: site()))
            defer { setCurrentTaskBlockedOn(nil) }
            try await waitUntilReady(direction, kind: kind)
            waited = true
        }
    }

    /// Waits once for the descriptor to become ready for `direction`.
    ///
    /// - Throws: `ClosedResourceError` once the socket was closed (also while waiting), or
    ///   `CancellationError`.
    func waitUntilReady(_ direction: ReadinessWait.Direction, kind: WaitKind) async throws {
        let wait = ReadinessWait(fd: fd, direction: direction)
        try state.withLock { state in
            if state.closed { throw ClosedResourceError() }
            state.users += 1
            switch direction {
            case .read:
                precondition(state.readWait == nil, "AnyIONet: internal error: two read waits on one socket")
                state.readWait = wait
            case .write:
                precondition(state.writeWait == nil, "AnyIONet: internal error: two write waits on one socket")
                state.writeWait = wait
            }
        }
        defer {
            state.withLock { state in
                switch direction {
                case .read: state.readWait = nil
                case .write: state.writeWait = nil
                }
            }
            endUse()
        }
        wait.start()
        try await wait.wait(kind: kind)
    }

    /// Closes the socket: later uses throw `ClosedResourceError`, waits in progress end with
    /// `ClosedResourceError`, and the descriptor is closed once the last use has ended (at once
    /// if none is in progress; the uses still in progress are system calls that do not block, or
    /// waits that end now). Not cancellable; calling it again does nothing.
    func close() async {
        let waits: [ReadinessWait]? = state.withLock { state in
            if state.closed { return nil }
            state.closed = true
            return [state.readWait, state.writeWait].compactMap { $0 }
        }
        guard let waits else { return }
        for wait in waits { wait.finish(.closing) }
        await withUnsafeContinuation { (closer: UnsafeContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.users == 0 { return true }
                state.closer = closer
                return false
            }
            // Single resumption: either here, or by the last use (`endUse`), never both.
            if now { closer.resume() }
        }
        _ = systemClose(fd)
    }
}

/// The C library's `close`, under a name that does not clash with the sockets' `close()`.
func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #elseif canImport(Musl)
    Musl.close(fd)
    #elseif canImport(Darwin)
    Darwin.close(fd)
    #endif
}
