//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The current time on the clock that deadlines use: the run's clock.
///
/// That is `ContinuousClock.now`, unless the running code is under a virtual clock
/// (`AnyIOTesting`'s `MockClock`, chosen per test or per task tree): then it is that clock's
/// virtual instant. Compute deadlines from it (`currentTime() + .seconds(5)`), not from
/// `ContinuousClock.now`, so that code runs unchanged on virtual time.
///
/// - SeeAlso: AnyIO `current_time()`.
public func currentTime() -> ContinuousClock.Instant {
    RunClock.now
}

/// The earliest deadline of the enclosing cancel scopes, up to the nearest shielded scope.
///
/// Returns `nil` when no enclosing scope has a deadline. If the running code is already
/// cancelled, returns an instant that is not later than now. Instants are on the run's clock
/// (see ``currentTime()``).
///
/// - SeeAlso: AnyIO `current_effective_deadline()` (which returns `inf` where this returns `nil`).
public func currentEffectiveDeadline() -> ContinuousClock.Instant? {
    if isCurrentlyCancelled() { return RunClock.now }
    var earliest: ContinuousClock.Instant?
    var boundary = currentBoundary()
    while let current = boundary {
        let (deadline, shield) = current.deadlineAndShield
        if let deadline { earliest = min(earliest ?? deadline, deadline) }
        guard !shield, case .enclosing(let next) = current.cancelChainParent else { break }
        boundary = next
    }
    return earliest
}

/// Waits for `duration` on the run's clock (see ``currentTime()``). A checkpoint.
///
/// - Parameter duration: How long to wait; zero or negative just checkpoints.
/// - Throws: `CancellationError` if cancelled before or while waiting.
/// - SeeAlso: AnyIO `sleep(delay)`.
public func sleep(for duration: Duration) async throws {
    guard let clock = RunClock.current else {
        return try await sleep(until: .now + duration, on: nil)
    }
    try await sleep(until: clock.now + duration, on: clock)
}

/// Waits until `deadline` on the run's clock (see ``currentTime()``). A checkpoint.
///
/// - Parameter deadline: When to return; a passed deadline just checkpoints.
/// - Throws: `CancellationError` if cancelled before or while waiting.
/// - SeeAlso: AnyIO `sleep_until(deadline)`.
public func sleep(until deadline: ContinuousClock.Instant) async throws {
    try await sleep(until: deadline, on: RunClock.current)
}

/// `sleep(until:)` on `clock` (`nil`: the continuous clock).
private func sleep(until deadline: ContinuousClock.Instant, on clock: VirtualClock?) async throws {
    try throwIfCancelled()
    if let clock {
        if deadline <= clock.now {
            await yieldSchedulePoint()
            return
        }
        // The clock parks the sleeper like a primitive (it ends the mark before resuming).
        return try await clock.sleep(until: deadline)
    }
    if deadline <= .now {
        await yieldSchedulePoint()
        return
    }
    // The runtime's timer resumes the sleep, so the mark ends here; until then the task tree
    // shows the sleep, and `waitAllTasksBlocked()` counts it as blocked until `deadline`.
    let mark = WaitMark.begin(.sleep, until: deadline)
    defer { mark.end() }
    try await Task.sleep(until: deadline, clock: .continuous)
}

/// Waits until cancelled. A checkpoint.
///
/// Uses no timer: a sleeping task costs a continuation and a cancellation handler.
///
/// - Throws: `CancellationError`, always, once the enclosing scope is cancelled.
/// - SeeAlso: AnyIO `sleep_forever()`.
public func sleepForever() async throws -> Never {
    try throwIfCancelled()
    let waiter = ForeverWaiter()
    let mark = WaitMark.begin(.sleepForever)
    try await withTaskCancellationHandler {
        try await withUnsafeThrowingContinuation { waiter.park(ParkedContinuation($0, mark)) }
    } onCancel: {
        waiter.cancel()
    }
    fatalError("AnyIO: internal error: sleepForever returned")
}

/// The parked continuation of one `sleepForever()` call.
final class ForeverWaiter: Sendable {
    enum State {
        /// Not parked yet and not cancelled.
        case idle
        /// Parked; resumed only by `cancel()`.
        case parked(ParkedContinuation<Void, any Error>)
        /// Cancelled (before or after parking); terminal.
        case cancelled
    }
    let state = StateLock(State.idle)

    func park(_ continuation: ParkedContinuation<Void, any Error>) {
        let resumeNow = state.withLock { state -> Bool in
            switch state {
            case .idle:
                // Normal path: wait for cancellation.
                state = .parked(continuation)
                return false
            case .cancelled:
                // Cancelled before we parked: resume at once.
                return true
            case .parked:
                fatalError("AnyIO: sleepForever parked twice")
            }
        }
        // Single resumption: either here, or by cancel() which finds `.parked` exactly once.
        if resumeNow { continuation.resume(throwing: CancellationError()) }
    }

    func cancel() {
        let continuation = state.withLock { state -> ParkedContinuation<Void, any Error>? in
            switch state {
            case .parked(let continuation):
                // Wake the sleeper.
                state = .cancelled
                return continuation
            case .idle:
                // Cancelled before parking: `park` resumes at once.
                state = .cancelled
                return nil
            case .cancelled:
                // Already woken.
                return nil
            }
        }
        continuation?.resume(throwing: CancellationError())
    }
}
