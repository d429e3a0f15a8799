//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// Waits until every task the library started, other than the caller, is blocked.
///
/// A task is blocked while it waits in a library primitive (`Event.wait()`, `Lock.acquire()`, a
/// memory object stream, `Semaphore`, `Condition`, `CapacityLimiter`, `Future`,
/// `TaskHandle.value`, a nursery waiting for its children, `start`, `ToThread.runSync`, a
/// `BlockingPortal`, a `SignalReceiver`), in `sleepForever()`, or in `sleep(for:)` / `sleep(until:)` until its
/// deadline passes. Tests use it to let everything else run as far as it can:
///
/// ```swift
/// try await withNursery { nursery in
///     nursery.startSoon { try await event.wait() }
///     try await waitAllTasksBlocked()     // the child now waits in Event.wait()
///     #expect(event.statistics().tasksWaiting == 1)
///     event.set()
/// }
/// ```
///
/// It returns once two looks at all tasks, one after the other, found every task blocked in the
/// same wait both times: so at the moment between the looks all of them were blocked at once,
/// and nothing had woken any of them. It yields (and then sleeps briefly) between tries, and is a
/// checkpoint.
///
/// Which tasks count: process-wide, as AnyIO's is loop-wide. Inside a test run with
/// `AnyIOTesting` (`.anyIO` trait or `withAnyIOTest`), only the tasks of that test, so that tests
/// running in parallel do not wait for each other.
///
/// Limits: a task waiting in code outside the library (`Task.sleep`, `AsyncStream`, SwiftNIO,
/// a continuation of your own) counts as running, so this does not return while one does; and
/// tasks the library did not start (`Task { }`) are not watched at all, so one that is about to
/// wake a blocked task is not waited for.
///
/// On virtual time (`AnyIOTesting`'s `MockClock`), a task inside this call counts as running, so
/// an autojump waits until it has returned (Trio's rule). A sleep on a virtual clock counts as
/// blocked until the clock wakes it.
///
/// - Throws: `CancellationError` if the caller is cancelled while waiting.
/// - SeeAlso: AnyIO `wait_all_tasks_blocked()`, Trio `trio.testing.wait_all_tasks_blocked()`.
public func waitAllTasksBlocked() async throws {
    try throwIfCancelled()
    let caller = currentLogicalTask().child
    let tag = TaskTreeTag.current
    var tries = 0
    var previous: [UInt64: UInt64]?
    while true {
        let now = blockedWaits(excluding: caller, tag: tag)
        if let now, let previous, now == previous {
            return
        }
        previous = now
        tries += 1
        if now != nil || tries < 50 {
            // All blocked once (look again right away), or just started: yield.
            await yieldSchedulePoint()
        } else {
            // Something is running: back off a little.
            try await Task.sleep(for: .microseconds(tries < 200 ? 100 : 1_000))
        }
        try throwIfCancelled()
    }
}

/// Every library task (under roots with `tag`, or all), other than `excluded`, by id with the
/// sequence number of its current wait; `nil` if any of them is not blocked.
/// Also the autojump's test of "every task blocked" (`VirtualClock.drive`).
func blockedWaits(excluding excluded: ChildTask?, tag: TaskTreeTag?) -> [UInt64: UInt64]? {
    var waits: [UInt64: UInt64] = [:]
    let now = ContinuousClock.now
    func visit(_ nursery: NurseryStorage) -> Bool {
        let (members, pending, _) = nursery.introspectionSnapshot
        for child in pending + members {
            let nurseries = child.introspectionSnapshot.nurseries
            if child !== excluded {
                guard let wait = child.currentWait else { return false }
                if let deadline = wait.deadline, deadline <= now { return false }
                waits[child.id] = wait.number
            }
            for inner in nurseries where !visit(inner) { return false }
        }
        return true
    }
    for root in TaskTreeRegistry.shared.roots(tag: tag) where !visit(root.nursery) {
        return nil
    }
    return waits
}
