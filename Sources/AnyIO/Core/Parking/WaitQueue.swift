//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The one waiting queue of the library: the tasks parked in one primitive, first come first
/// served (Trio's `ParkingLot`, as a value type that the primitive's state machine owns and guards
/// with the primitive's lock).
///
/// A wait goes through three events, because the decision to wait and the continuation arrive at
/// different times:
///
/// 1. ``register(_:)``: under the lock, in the same critical section that found the primitive
///    busy, the caller takes its place in line and gets a ``Ticket``.
/// 2. ``park(_:_:)``: once the continuation exists, the caller hands it in.
/// 3. ``cancel(_:)``: the caller's cancellation handler, at any time, even before step 2.
///
/// Meanwhile the primitive wakes waiters with ``unparkFirst(failing:)`` /
/// ``unparkAll(failing:)``, and may move a waiter to another queue (``unparkFirst(failing:)``,
/// then ``enqueueParked(_:_:)`` on the other queue: Trio's `repark`). A waiter woken or cancelled between steps 1 and 2
/// is recorded, and step 2 then returns what to do with the continuation at once
/// (cancel-before-suspend, wake-before-suspend). `park(on:park:cancel:)` does the asynchronous
/// half once for every primitive.
///
/// Because registration happens in the critical section that decided to wait, a ticket that is
/// neither queued nor recorded has been woken and resumed already: a cancellation arriving for it
/// is stale and does nothing (the wake-up won).
///
/// Generic over the waiter (a `ParkedContinuation` in the library, a plain value in the
/// synchronous tests) and over a payload kept with each entry (who will own a lock, which
/// borrower waits for a token; `Void` where nothing is needed). No locks, no `async`.
///
/// Invariant: a ticket is in at most one of `entries` and `early`, and in neither once its
/// continuation has been handed out.
/// Invariant: an entry of `early` belongs to a waiter that has not parked yet.
package struct WaitQueue<Waiter, Payload> {
    /// Names one registered wait; unique per queue, never reused.
    package typealias Ticket = QueueTicket

    /// Where a queued waiter is.
    private enum Slot {
        /// Registered; its continuation is not handed in yet.
        case registered(Payload)
        /// Parked on this continuation.
        case parked(Payload, Waiter)
    }

    /// What happened to a waiter before it parked.
    private enum Early {
        /// Woken normally (`unpark…` without an error).
        case woken
        /// Woken with an error (`unpark…(failing:)`).
        case failed(any Error)
        /// Its cancellation arrived.
        case cancelled
    }

    /// The waiters in line, first come first served.
    private var entries = TicketQueue<Slot>()
    /// Waiters that left the line before they parked, and why. Almost always empty (the window is
    /// between a registration and the continuation's arrival), so a linear search is cheapest.
    private var early: [(ticket: Ticket, outcome: Early)] = []

    package init() {}

    /// The number of waiters in line (registered or parked).
    var count: Int { entries.count }

    /// Whether nobody waits.
    package var isEmpty: Bool { entries.isEmpty }

    /// The payloads of the waiters in line, first first (for statistics and descriptions).
    var payloads: [Payload] {
        entries.values.map { slot in
            switch slot {
            case .registered(let payload), .parked(let payload, _): return payload
            }
        }
    }

    /// The payload of the first waiter in line.
    var firstPayload: Payload? {
        switch entries.first {
        case .registered(let payload)?, .parked(let payload, _)?: return payload
        case nil: return nil
        }
    }

    /// Whether `ticket`'s waiter is in line.
    func contains(_ ticket: Ticket) -> Bool { entries.contains(ticket) }

    /// Takes a place at the back of the line. Call in the critical section that decided to wait.
    package mutating func register(_ payload: Payload) -> Ticket {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return entries.append(.registered(payload))
    }

    /// The registered waiter `ticket` hands in its continuation.
    ///
    /// Returns `.parked` if it is stored, or what to do with it now if it was woken or cancelled
    /// while it was on its way. Traps on a ticket this queue never registered, or parked twice.
    package mutating func park(_ ticket: Ticket, _ waiter: Waiter) -> ParkOutcome<Waiter> {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if !early.isEmpty, let index = early.firstIndex(where: { $0.ticket == ticket }) {
            let outcome = early.remove(at: index).outcome
            switch outcome {
            case .woken: return .resume(waiter)
            case .failed(let error): return .fail(waiter, error)
            case .cancelled: return .fail(waiter, CancellationError())
            }
        }
        let stored: Bool? = entries.update(ticket) { slot in
            guard case .registered(let payload) = slot else { return false }
            slot = .parked(payload, waiter)
            return true
        }
        switch stored {
        case true?:
            return .parked
        case false?:
            fatalError("AnyIO: internal error: waiter \(ticket) parked twice")
        case nil:
            fatalError("AnyIO: internal error: waiter \(ticket) parked without being registered")
        }
    }

    /// The waiter `ticket` was cancelled. Returns its continuation, to be resumed with
    /// `CancellationError`, if it was parked; records the cancellation if it has not parked yet;
    /// does nothing if it was woken already (the wake-up won).
    package mutating func cancel(_ ticket: Ticket) -> Waiter? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return cancelEntry(ticket)?.waiter
    }

    /// `cancel(_:)`, also returning the payload of the waiter if it was still in line.
    mutating func cancelEntry(_ ticket: Ticket) -> (payload: Payload, waiter: Waiter?)? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard let slot = entries.remove(ticket) else { return nil }
        switch slot {
        case .parked(let payload, let waiter):
            return (payload, waiter)
        case .registered(let payload):
            early.append((ticket, .cancelled))
            return (payload, nil)
        }
    }

    /// Takes the first waiter out of line without waking it: its payload, and its continuation if
    /// it has parked. Returns `nil` when nobody waits.
    ///
    /// A waiter that has not parked yet is recorded as woken (or failed, with `error`): its
    /// `park` then resumes it at once. The caller resumes a returned continuation itself (after
    /// the lock), with `error` if one was given, or moves it to another queue.
    mutating func unparkFirst(failing error: (any Error)? = nil) -> (ticket: Ticket, payload: Payload, waiter: Waiter?)? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard let (ticket, slot) = entries.popFirst() else { return nil }
        switch slot {
        case .parked(let payload, let waiter):
            return (ticket, payload, waiter)
        case .registered(let payload):
            early.append((ticket, error.map { .failed($0) } ?? .woken))
            return (ticket, payload, nil)
        }
    }

    /// Takes every waiter out of line; returns the parked continuations, first first, to be
    /// resumed after the lock (with `error` if one was given). Waiters that have not parked yet
    /// are recorded, as in ``unparkFirst(failing:)``.
    package mutating func unparkAll(failing error: (any Error)? = nil) -> [Waiter] {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        var waiters: [Waiter] = []
        waiters.reserveCapacity(entries.count)
        while let (_, _, waiter) = unparkFirst(failing: error) {
            if let waiter { waiters.append(waiter) }
        }
        return waiters
    }

    /// Puts an already parked continuation at the back of the line, moved here from another queue
    /// (Trio's `repark`). Its cancellation handler belongs to the other queue, so this entry can
    /// only be woken, never cancelled.
    @discardableResult
    mutating func enqueueParked(_ payload: Payload, _ waiter: Waiter) -> Ticket {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        return entries.append(.parked(payload, waiter))
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        for (ticket, _) in early { precondition(!entries.contains(ticket)) }
    }
    #endif
}

extension WaitQueue where Payload == Void {
    /// Takes a place at the back of the line.
    package mutating func register() -> Ticket { register(()) }
}

/// What a waiter must do with the continuation it handed in (``WaitQueue/park(_:_:)``).
package enum ParkOutcome<Waiter> {
    /// Stay suspended: it was stored, and a wake-up or the cancellation handler resumes it.
    case parked
    /// Resume it normally now: it was woken before it parked.
    case resume(Waiter)
    /// Resume it with this error now: it was cancelled (`CancellationError`) or failed before it
    /// parked.
    case fail(Waiter, any Error)
}
