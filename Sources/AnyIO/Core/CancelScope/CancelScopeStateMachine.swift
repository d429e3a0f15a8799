//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of a ``CancelScope``: no locks, no `async`, no side effects. Each event returns what
/// the caller must do: a cancellation walk to run after releasing the lock, and changes to the
/// deadline timer to make before releasing it. Read with `CancelScope` (the storage).
///
/// Generic over the body task, the timer entry and the nursery so that the tests can use plain
/// values.
///
/// Invariant: the phase moves idle → entered → exited, once each.
/// Invariant: while entered, `cancelCalled || (outerCancelled && !shield)` implies `effective`
/// after every event (the converse fails only after a shield was raised late: `effective` is
/// never cleared); `effective` is never true before entry.
/// Invariant: `timer` is armed only while entered, with `deadline` in the future and
/// `cancelCalled` false when it was armed.
struct CancelScopeStateMachine<BodyTask, Timer: AnyObject, Nursery> {
    enum Phase: Equatable {
        /// Created, not entered yet: `cancel()` and the deadline are recorded for entry.
        case idle
        /// The body is running (or the nursery is waiting for its children).
        case entered
        /// Left. Cancelling now only records `cancelCalled`.
        case exited
    }

    /// The cancellation to carry out after the lock, when the scope has just become effectively
    /// cancelled: the caller sets the scope's flag (counted in `CancelWalks`) under the lock, then
    /// cancels these outside it.
    struct Walk {
        var bodyTask: BodyTask?
        var nursery: Nursery?
    }

    /// What the caller must do with the deadline timer, before releasing the lock.
    struct TimerChange {
        /// Disarm this entry (it was dropped from the state).
        var disarm: Timer?
        /// Arm a new entry for this deadline, then hand it to `timerArmed`.
        var arm: ContinuousClock.Instant?

        static var none: TimerChange { TimerChange() }
    }

    private(set) var phase = Phase.idle
    /// The deadline; the timer entry is re-armed when it changes while entered.
    private(set) var deadline: ContinuousClock.Instant?
    /// Whether cancellation from outside (enclosing scopes, native task cancellation) is ignored.
    private(set) var shield: Bool
    /// Set by `cancel()` or by the deadline firing; never cleared.
    private(set) var cancelCalled = false
    /// The first reason given; "deadline" when the deadline fired first.
    private(set) var reason: String?
    /// Whether the scope caught the cancellation that ended its body. Set at exit.
    private(set) var cancelledCaught = false
    /// Set when the task that entered the scope was natively cancelled (which is how a cancelled
    /// enclosing scope, or `Task.cancel()`, reaches us). Never cleared.
    private(set) var outerCancelled = false
    /// Whether the scope is effectively cancelled (the storage mirrors it in an atomic flag).
    private(set) var effective = false
    /// The task running the body, registered on entry; kept after exit.
    private(set) var bodyTask: BodyTask?
    /// The armed deadline entry, while entered and the deadline is in the future.
    private(set) var timer: Timer?
    /// The nursery whose children share this scope, if this is a nursery's scope. Dropped at exit.
    private(set) var nursery: Nursery?

    init(deadline: ContinuousClock.Instant?, shield: Bool) {
        self.deadline = deadline
        self.shield = shield
    }

    // MARK: - Events

    /// `cancel(reason:)`: only the first reason is kept.
    mutating func cancel(reason: String?) -> Walk? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if !cancelCalled {
            cancelCalled = true
            self.reason = reason
        }
        return updateEffective()
    }

    /// The deadline was set to `newValue` at `now`.
    mutating func setDeadline(_ newValue: ContinuousClock.Instant?, now: ContinuousClock.Instant) -> (TimerChange, Walk?) {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        deadline = newValue
        // Armed on entry.
        guard phase == .entered else { return (.none, nil) }
        let change = rearm(now: now)
        return (change, updateEffective())
    }

    /// The shield was turned on or off.
    mutating func setShield(_ newValue: Bool) -> Walk? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        shield = newValue
        return updateEffective()
    }

    /// The body task entered the scope at `now` (read only if there is a deadline). `nil` if the
    /// scope was entered before (a misuse the caller reports).
    mutating func enter(bodyTask: BodyTask, now: @autoclosure () -> ContinuousClock.Instant) -> (TimerChange, Walk?)? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard phase == .idle else { return nil }
        phase = .entered
        self.bodyTask = bodyTask
        // A deadline that already passed cancels on entry.
        let change = deadline == nil ? TimerChange.none : rearm(now: now())
        return (change, updateEffective())
    }

    /// The timer entry the caller armed for `TimerChange.arm`.
    mutating func timerArmed(_ entry: Timer) {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        timer = entry
    }

    /// The task that entered the scope was natively cancelled.
    mutating func cancelFromOutside() -> Walk? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        outerCancelled = true
        return updateEffective()
    }

    /// The timer fired `entry`; a stale entry (re-armed or exited meanwhile) does nothing.
    mutating func deadlineFired(_ entry: Timer) -> Walk? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard timer === entry else { return nil }
        timer = nil
        markDeadlineFired()
        return updateEffective()
    }

    /// This is the scope of `nursery`: its cancellation also cancels the nursery's children.
    mutating func setNursery(_ nursery: Nursery) {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        self.nursery = nursery
    }

    /// Leaves the scope; returns whether it caught the cancellation that ended its body, and the
    /// timer entry to disarm.
    ///
    /// Trio's rule (SPEC C5): the scope catches iff its body threw `CancellationError`, the scope
    /// was cancelled itself, and no cancellation from outside is visible to it (it is shielded,
    /// or nothing outside was cancelled). `enclosingCancelled`: the chain above is cancelled,
    /// although that may not have reached `cancelFromOutside` yet.
    mutating func exit(bodyThrewCancellation: Bool, enclosingCancelled: Bool) -> (caught: Bool, disarm: Timer?) {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        phase = .exited
        let disarm = timer
        timer = nil
        // `bodyTask` is kept (see `TaskIdentity`); `phase` stops every later walk.
        nursery = nil
        let caught = bodyThrewCancellation && cancelCalled && !outsideCancellationVisible(enclosingCancelled: enclosingCancelled)
        cancelledCaught = caught
        return (caught, disarm)
    }

    /// Whether a cancellation from outside is visible to the scope.
    func outsideCancellationVisible(enclosingCancelled: Bool) -> Bool {
        (outerCancelled || enclosingCancelled) && !shield
    }

    // MARK: - Steps

    /// Recomputes effective cancellation; on the false → true edge returns what to cancel.
    private mutating func updateEffective() -> Walk? {
        // Only an entered scope has a body to cancel; `enter` runs this again for idle scopes.
        guard phase == .entered, !effective else { return nil }
        guard cancelCalled || (outerCancelled && !shield) else { return nil }
        effective = true
        return Walk(bodyTask: bodyTask, nursery: nursery)
    }

    /// The deadline passed: the scope is cancelled, with the reason "deadline" unless one was
    /// given first (C11).
    private mutating func markDeadlineFired() {
        guard !cancelCalled else { return }
        cancelCalled = true
        if reason == nil { reason = "deadline" }
    }

    /// Drops the current timer entry, then asks for one for `deadline`, or marks the deadline
    /// fired if it has passed.
    private mutating func rearm(now: ContinuousClock.Instant) -> TimerChange {
        var change = TimerChange(disarm: timer)
        timer = nil
        guard let deadline, !cancelCalled else { return change }
        if deadline <= now {
            markDeadlineFired()
        } else {
            change.arm = deadline
        }
        return change
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        if phase == .idle { precondition(!effective) }
        if phase == .entered { precondition(!(cancelCalled || (outerCancelled && !shield)) || effective) }
        if timer != nil { precondition(phase == .entered) }
    }
    #endif
}

extension CancelScopeStateMachine.Walk: Sendable where BodyTask: Sendable, Nursery: Sendable {}
