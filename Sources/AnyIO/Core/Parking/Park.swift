//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

// The asynchronous half of every wait in the library, written once. A primitive registers the
// caller in its `WaitQueue` under its lock (the decision to wait), and then calls `park`:
//
//     let ticket = state.withLock { $0.acquire(…) }            // registered
//     try await park(on: .lock) { waiter in
//         state.withLock { $0.park(ticket, waiter) }          // a `ParkOutcome`
//     } cancel: {
//         state.withLock { $0.cancel(ticket) }                // a waiter to fail, or nil
//     }
//
// Rules this enforces for every primitive:
// - Single resumption: the queue hands each continuation out exactly once: to a wake-up, to the
//   cancellation handler, or back to `park` (woken or cancelled before it parked).
// - Every continuation is resumed after the primitive's lock is released (the closures return
//   what to do; `park` does it).
// - The wait is marked for introspection (`WaitMark`) before the task parks, and the mark ends
//   before the task is resumed (`ParkedContinuation`).

/// Parks the running task until the primitive wakes it, or until it is cancelled.
///
/// - Parameters:
///   - kind: What the task waits on, for the task tree and `waitAllTasksBlocked()`.
///   - caller: The waiting logical task, if the primitive has it at hand already (a lock's owner).
///   - park: Hands the continuation to the primitive (under its lock) and returns what to do with
///     it: keep it parked, or resume it now. Runs once, synchronously.
///   - cancel: The cancellation handler: takes the waiter out of the primitive (under its lock)
///     and returns its continuation if it was parked; `nil` if it was woken already or has not
///     parked yet (the queue records that).
/// - Throws: The error the waiter was resumed with: `CancellationError` if it was cancelled.
package nonisolated(nonsending) func park(
    on kind: WaitKind,
    _ park: (ParkedContinuation<Void, any Error>) -> ParkOutcome<ParkedContinuation<Void, any Error>>,
    cancel: @Sendable () -> ParkedContinuation<Void, any Error>?
) async throws {
    try await parkMarked(WaitMark.begin(kind), park, cancel: cancel)
}

/// `park(on:_:cancel:)` for a caller whose logical task is at hand already (a lock's owner).
nonisolated(nonsending) func park(
    on kind: WaitKind,
    caller: LogicalTask,
    _ park: (ParkedContinuation<Void, any Error>) -> ParkOutcome<ParkedContinuation<Void, any Error>>,
    cancel: @Sendable () -> ParkedContinuation<Void, any Error>?
) async throws {
    try await parkMarked(WaitMark.begin(kind, caller: caller), park, cancel: cancel)
}

/// The body of both `park` variants, once the wait is marked.
@inline(__always)
nonisolated(nonsending) private func parkMarked(
    _ mark: WaitMark,
    _ park: (ParkedContinuation<Void, any Error>) -> ParkOutcome<ParkedContinuation<Void, any Error>>,
    cancel: @Sendable () -> ParkedContinuation<Void, any Error>?
) async throws {
    // Whether the task really parked (then it gave up its thread, and its schedule-point budget
    // starts full when it resumes), or was resumed before it suspended.
    var parked = false
    defer { if parked { refillSchedulePointBudget() } }
    try await withTaskCancellationHandler {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            let outcome = park(ParkedContinuation(continuation, mark))
            if case .parked = outcome { parked = true }
            outcome.settle()
        }
    } onCancel: {
        cancel()?.resume(throwing: CancellationError())
    }
}

extension ParkOutcome where Waiter == ParkedContinuation<Void, any Error> {
    /// Does what the outcome says (call after the lock is released).
    package func settle() {
        switch self {
        case .parked: break
        case .resume(let waiter): waiter.resume()
        case .fail(let waiter, let error): waiter.resume(throwing: error)
        }
    }
}
