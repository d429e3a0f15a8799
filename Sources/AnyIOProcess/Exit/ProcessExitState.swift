//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

/// The exit side of a child process: its status once reaped, the tasks in `wait()`, and its
/// pidfd. No locks, no side effects; `ProcessExitStorage` holds it in a `StateLock`.
struct ProcessExitState<Waiter> {
    /// The return code once the child has been reaped (negative: the signal that killed it).
    /// `nil` until then; set once, by `reaped(_:)`, never changed after.
    private(set) var returnCode: Int32?
    /// The pidfd, open from the spawn until the exit watcher is done with it (then -1); -1 all
    /// along where the kernel has no pidfd.
    /// Invariant: `pidfd >= 0` only while the watcher's source may still use it.
    var pidfd: Int32
    /// Tasks in `wait()`. Invariant: empty once `returnCode` is set (all woken in the same step).
    private var waiters = WaitQueue<Waiter, Void>()

    init(pidfd: Int32) {
        self.pidfd = pidfd
    }

    enum WaitAction {
        /// The child has exited: return this code.
        case exited(Int32)
        /// Park with this ticket; `reaped(_:)` will wake it.
        case park(QueueTicket)
    }

    /// A task calls `wait()`.
    mutating func wait() -> WaitAction {
        // Reaped already: answer at once.
        if let returnCode { return .exited(returnCode) }
        // Still running: queue the caller in the same step that found it running.
        return .park(waiters.register())
    }

    mutating func park(_ ticket: QueueTicket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        waiters.park(ticket, waiter)
    }

    /// The waiter's task was cancelled: only the wait ends (the child keeps running).
    mutating func cancel(_ ticket: QueueTicket) -> Waiter? {
        waiters.cancel(ticket)
    }

    /// The child was reaped with `code`: returns the waiters to wake.
    mutating func reaped(_ code: Int32) -> [Waiter] {
        // Reaped twice is impossible: the watcher stops at the first reap.
        precondition(returnCode == nil, "ProcessExitState.reaped(\(code)): already reaped with \(returnCode ?? 0)")
        returnCode = code
        return waiters.unparkAll()
    }
}
