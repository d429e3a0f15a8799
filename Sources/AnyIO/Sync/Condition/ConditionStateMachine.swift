//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The waiting list of a ``Condition``: no locks, no `async`, no side effects.
///
/// A `wait()` *registers* in the queue while it still holds the condition's lock, then releases
/// the lock, then parks. So a `notify` that runs between the release and the parking is not lost:
/// the queue records the waiter as woken, and its `park` returns `.resume` at once.
///
/// A woken waiter is not resumed: the storage moves its continuation into the lock's queue (Trio's
/// repark), payload `Owner` naming the task that will hold the lock again.
struct ConditionStateMachine<Owner, Waiter> {
    typealias Ticket = WaitQueue<Waiter, Owner>.Ticket

    /// Waiting calls in FIFO order, with the task each one runs in.
    private var queue = WaitQueue<Waiter, Owner>()

    init() {}

    /// The number of `wait()` calls waiting for a notification.
    var waitingCount: Int { queue.count }

    /// A `wait()` (holding the lock) takes its place in the queue.
    mutating func register(_ owner: Owner) -> Ticket {
        queue.register(owner)
    }

    /// A registered `wait()` hands in its continuation. `.resume` means it was notified before
    /// it parked: move it to the lock's queue.
    mutating func park(_ ticket: Ticket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        queue.park(ticket, waiter)
    }

    /// A `wait()` was cancelled: the continuation to fail, if it had parked and was not notified
    /// (a notification wins).
    mutating func cancel(_ ticket: Ticket) -> Waiter? {
        queue.cancel(ticket)
    }

    /// Notifies the `count` longest-waiting calls (all with `Int.max`); returns the parked ones, to
    /// be moved to the lock's queue in this order. The ones not parked yet move when they park.
    mutating func notify(_ count: Int) -> [(owner: Owner, waiter: Waiter)] {
        var woken: [(owner: Owner, waiter: Waiter)] = []
        var remaining = count
        while remaining > 0, let (_, owner, waiter) = queue.unparkFirst() {
            if let waiter { woken.append((owner, waiter)) }
            remaining -= 1
        }
        return woken
    }
}
