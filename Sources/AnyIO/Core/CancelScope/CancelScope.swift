//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// A region of code that can be cancelled as a unit, with an optional deadline and shield.
///
/// Cancellation is *level-triggered*: once the scope is cancelled, every checkpoint inside it
/// throws `CancellationError` until the body has left the scope; catching the error does not
/// clear the state. A scope catches the `CancellationError` that leaves its body when the scope
/// itself was cancelled and no cancelled enclosing scope is visible to it; then
/// ``cancelledCaught`` is `true` and the `with…` function that ran it returns `nil`.
///
/// A scope's body runs in a Swift task of its own, on the caller's actor. Cancelling the scope
/// cancels that task natively, so Swift-native awaits inside it (`Task.sleep`, `AsyncStream`
/// iteration, NIO channels, anything using `withTaskCancellationHandler`) are interrupted too.
/// A natively cancelled Swift task cancels the scopes inside it, except shielded ones.
///
/// Create a scope yourself when you need to hand it out before entering it, then run a body in
/// it with ``withCancelScope(_:isolation:_:)``; otherwise use ``withCancelScope(deadline:shield:isolation:_:)``,
/// ``moveOnAfter(_:shield:isolation:_:)`` or ``failAfter(_:shield:isolation:_:)``.
///
/// ```swift
/// let scope = CancelScope(deadline: currentTime() + .seconds(5))
/// try await withCancelScope(scope) { scope in
///     try await sleep(for: .seconds(10))   // interrupted after 5 s
/// }
/// print(scope.cancelledCaught)             // true
/// ```
///
/// A scope can be entered once. All members may be used from any task or thread.
///
/// - SeeAlso: AnyIO `CancelScope`.
public final class CancelScope: Sendable {
    typealias Machine = CancelScopeStateMachine<BodyTaskReference, TimerEntry, NurseryStorage>

    /// What entry fixed: where the scope sits in the tree. Never changes after entry.
    struct Entry {
        /// The boundary that was current when the scope was entered (`nil`: outermost scope).
        let enclosing: (any CancelBoundary)?
        /// The logical task the body belongs to: the enclosing boundary's, or for an outermost
        /// scope the foreign task that entered it.
        let logicalTask: LogicalTask
        /// The foreign task at the top of the chain (`CancelBoundary.rootTask`).
        let rootTask: ForeignTaskReference?
    }

    /// The scope's state (see `CancelScopeStateMachine`). Every access is one event under the lock.
    let state: StateLock<Machine>
    /// Mirrors `Machine.effective` for the lock-free check in every checkpoint.
    let flag = Atomic<Bool>(false)
    /// Mirrors `Machine.shield` for the lock-free cancellation chain (`cancelChainParent`).
    let shieldFlag: Atomic<Bool>
    /// The body task's `TaskIdentity`, stored by the body task as its first action.
    let bodyTaskIdentity = Atomic<UInt>(0)
    /// Written once, by the body task as its first action (`bodyTaskStarted`), under the lock and
    /// before any code inside the scope runs; never written again. Invariant: every reader
    /// happens after that write. Code inside the scope runs in tasks created after it; other
    /// threads reach an entered scope only through a lock taken after entry (a nursery's or a
    /// task's). So it is read without a lock, which keeps checkpoints lock-free.
    nonisolated(unsafe) private var entry: Entry?
    /// The clock the scope's deadline is on: the run's clock of the task that entered it (`nil`:
    /// the continuous clock and `DeadlineTimer`). Written once, at entry, and read only while
    /// holding `state`'s lock. Invariant: every timer entry of the scope is armed on this clock.
    nonisolated(unsafe) private var clock: VirtualClock?

    /// Creates a cancel scope that is not entered yet.
    ///
    /// - Parameters:
    ///   - deadline: When the scope cancels itself, on the run's clock (``currentTime()``: the
    ///     continuous clock unless a virtual clock is in use); `nil` for none. A deadline that has
    ///     passed when the scope is entered cancels it on entry.
    ///   - shield: Whether the scope ignores cancellation from outside: enclosing scopes and native
    ///     cancellation of the task. Its own ``cancel(reason:)`` and deadline still apply.
    /// - SeeAlso: AnyIO `CancelScope(deadline=..., shield=...)`.
    public init(deadline: ContinuousClock.Instant? = nil, shield: Bool = false) {
        state = StateLock(Machine(deadline: deadline, shield: shield))
        shieldFlag = Atomic(shield)
    }

    /// Cancels the scope.
    ///
    /// Synchronous, idempotent, and callable from any task or thread, also before the scope is
    /// entered (the first checkpoint inside then throws). Every checkpoint inside the scope, other
    /// than inside a shielded inner scope, throws `CancellationError` from now on, and the scope's
    /// task is cancelled natively.
    ///
    /// - Parameter reason: Why, for diagnostics. Only the first reason given is kept
    ///   (``cancelReason``).
    /// - SeeAlso: AnyIO `CancelScope.cancel(reason)`.
    public func cancel(reason: String? = nil) {
        state.withLock { startWalk($0.cancel(reason: reason)) }?.run()
    }

    /// The instant at which the scope cancels itself, or `nil` for none.
    ///
    /// Setting it while the scope is entered takes effect at once: a deadline in the past cancels
    /// the scope now. The instant is on the clock of the run that entered the scope (see
    /// ``currentTime()``).
    ///
    /// - SeeAlso: AnyIO `CancelScope.deadline` (`inf` where this is `nil`).
    public var deadline: ContinuousClock.Instant? {
        get { state.withLock { $0.deadline } }
        set {
            state.withLock { state in
                // The clock's lock is a leaf, so its `now` may be read under the scope's lock.
                let now = clock?.now ?? ContinuousClock.now
                let (change, walk) = state.setDeadline(newValue, now: now)
                let late = apply(change, &state)
                return startWalk(walk ?? late)
            }?.run()
        }
    }

    /// Whether the scope ignores cancellation from enclosing scopes and native task cancellation.
    ///
    /// Turning the shield off while an enclosing cancellation is pending cancels the scope at once.
    /// Swift's task cancellation cannot be undone, so turn the shield *on* before the outside
    /// cancellation arrives (normally: at creation).
    ///
    /// - SeeAlso: AnyIO `CancelScope.shield`.
    public var shield: Bool {
        get { state.withLock { $0.shield } }
        set {
            state.withLock { state in
                shieldFlag.store(newValue, ordering: .releasing)
                return startWalk(state.setShield(newValue))
            }?.run()
        }
    }

    /// Whether ``cancel(reason:)`` was called or the deadline fired.
    ///
    /// - SeeAlso: AnyIO `CancelScope.cancel_called`.
    public var cancelCalled: Bool { state.withLock { $0.cancelCalled } }

    /// Whether the scope caught a cancellation: one was delivered inside it and stopped here.
    ///
    /// `false` when a cancel or deadline arrived after the body's last checkpoint (the body's
    /// result is then intact) or while the scope has not exited yet.
    ///
    /// - SeeAlso: AnyIO `CancelScope.cancelled_caught`.
    public var cancelledCaught: Bool { state.withLock { $0.cancelledCaught } }

    /// The first reason given to ``cancel(reason:)``; `"deadline"` if the deadline fired first;
    /// `nil` after a plain `cancel()` or when not cancelled. A nursery cancelled because a task
    /// failed gives a reason naming that task.
    public var cancelReason: String? { state.withLock { $0.reason } }

    // MARK: - Effects of the state machine's events (lock held by the caller)

    /// A walk the state machine asked for: counted and flagged under the lock, run after it.
    private func startWalk(_ walk: Machine.Walk?) -> Machine.Walk? {
        guard let walk else { return nil }
        // Counted before the flag is set, uncounted after the walk (`Walk.run`, see `CancelWalks`).
        CancelWalks.begin()
        flag.store(true, ordering: .releasing)
        return walk
    }

    /// Disarms and arms the deadline timer (or the virtual clock) as the state machine asked.
    ///
    /// Returns the walk of a deadline that a virtual clock had already reached when it was armed
    /// (its time moved between the state machine's `now` and the arming): fired here, at once.
    /// The caller starts it with the event's own walk; at most one of the two is non-nil, since
    /// a walk is returned only on the edge to effectively cancelled.
    private func apply(_ change: Machine.TimerChange, _ state: inout Machine) -> Machine.Walk? {
        if let entry = change.disarm { disarm(entry) }
        guard let deadline = change.arm else { return nil }
        let entry = TimerEntry(deadline: deadline, scope: self)
        state.timerArmed(entry)
        guard let clock else {
            DeadlineTimer.shared.arm(entry)
            return nil
        }
        if clock.arm(entry) { return nil }
        return state.deadlineFired(entry)
    }

    /// Disarms `entry` on the scope's clock (lock held by the caller).
    private func disarm(_ entry: TimerEntry) {
        if let clock {
            clock.disarm(entry)
        } else {
            DeadlineTimer.shared.disarm(entry)
        }
    }

    // MARK: - Life cycle (used by the `with…` functions)

    /// Called by the body task as its first action: enters the scope, registers the task for
    /// cancellation, and cancels it at once if the scope is already cancelled. Traps if the scope
    /// was entered before.
    ///
    /// Entering from inside the body task leaves no window in which the scope is entered but its
    /// task cannot be cancelled. A cancellation that reached the caller first was recorded as
    /// `outerCancelled` and takes effect here.
    func bodyTaskStarted(enclosing: (any CancelBoundary)?, root: LogicalTask?) {
        // The body task inherited the caller's task-locals: the run's clock of the entering task.
        let runClock = RunClock.current
        withUnsafeCurrentTask { current in
            guard let current else { return }
            let reference = BodyTaskReference(current)
            guard let logicalTask = enclosing?.logicalTask ?? root else {
                fatalError("AnyIO: internal error: an outermost cancel scope was entered without its task")
            }
            let (walk, child) = state.withLock { state -> (Machine.Walk?, ChildTask?) in
                guard state.phase == .idle else {
                    fatalError("AnyIO: a CancelScope can be entered only once; create a new CancelScope for each withCancelScope call")
                }
                // The only write of `clock` (see its invariant), before anything is armed.
                clock = runClock
                guard let (change, walk) = state.enter(bodyTask: reference, now: runClock?.now ?? ContinuousClock.now) else {
                    fatalError("AnyIO: internal error: an idle CancelScope refused entry")
                }
                // The only write of `entry` (see its invariant).
                entry = Entry(
                    enclosing: enclosing, logicalTask: logicalTask,
                    rootTask: enclosing.map { $0.rootTask } ?? logicalTask.foreignReference
                )
                bodyTaskIdentity.store(TaskIdentity(current).bits, ordering: .relaxed)
                let late = apply(change, &state)
                return (startWalk(walk ?? late), logicalTask.child)
            }
            walk?.run()
            // For the task tree: the library task's innermost scope is this one now.
            child?.scopeEntered(self)
        }
    }

    /// The task that entered the scope was natively cancelled (called from its cancellation handler).
    func cancelFromOutside() {
        state.withLock { startWalk($0.cancelFromOutside()) }?.run()
    }

    /// The timer fired `entry`.
    func deadlineReached(_ entry: TimerEntry) {
        // A stale entry (re-armed or exited meanwhile) does nothing.
        state.withLock { startWalk($0.deadlineFired(entry)) }?.run()
    }

    /// Makes this the scope of a nursery: its cancellation also cancels the nursery's children.
    func setNursery(_ nursery: NurseryStorage) {
        state.withLock { $0.setNursery(nursery) }
    }

    /// Leaves the scope and decides whether it catches the cancellation that ended its body.
    ///
    /// Trio's rule (SPEC C5), decided by `CancelScopeStateMachine.exit`.
    func exit(bodyThrewCancellation: Bool) -> Bool {
        // Called by the task that entered the scope, which runs in the enclosing boundary.
        let enclosingCancelled = enclosingChainCancelled
        let caught = state.withLock { state in
            // `bodyTask` is kept: it keeps the task's identity from being reused while the
            // scope lives (see `TaskIdentity`); the exited phase stops every later walk.
            let (caught, entry) = state.exit(bodyThrewCancellation: bodyThrewCancellation, enclosingCancelled: enclosingCancelled)
            if let entry { disarm(entry) }
            return caught
        }
        // For the task tree: the library task is back in the scope that enclosed this one.
        if let entry, let child = entry.logicalTask.child {
            child.scopeExited(self, enclosing: entry.enclosing)
        }
        return caught
    }

    /// Whether an outside cancellation is visible to the scope (for the nursery's exit checkpoint).
    /// Called by the task that entered the scope.
    var outsideCancellationVisible: Bool {
        let enclosingCancelled = enclosingChainCancelled
        return state.withLock { $0.outsideCancellationVisible(enclosingCancelled: enclosingCancelled) }
    }

    /// Whether the chain above the scope is cancelled (its enclosing boundaries up to a shield,
    /// or the foreign task that entered it): the cancellation of the entering task may still be
    /// on its way to `cancelFromOutside` (SPEC C2). Called by the task that entered the scope.
    private var enclosingChainCancelled: Bool {
        guard let entry else { return false }
        if let enclosing = entry.enclosing { return enclosing.isCancelledAlongChain }
        if case .foreign(let task) = entry.logicalTask { return task.task.isCancelled }
        return false
    }

    /// Whether the deadline has passed on the scope's clock (for `failAfter`'s TimeoutError).
    var deadlineHasPassed: Bool {
        let (deadline, clock) = state.withLock { ($0.deadline, self.clock) }
        guard let deadline else { return false }
        return deadline <= clock?.now ?? ContinuousClock.now
    }
}

extension CancelScope: CancelBoundary {
    var isCancelFlagged: Bool { flag.load(ordering: .acquiring) }
    var cancelChainParent: CancelChainParent {
        if shieldFlag.load(ordering: .acquiring) { return .shielded }
        guard let entry else { return .root(nil) }
        if let enclosing = entry.enclosing { return .enclosing(enclosing) }
        if case .foreign(let task) = entry.logicalTask { return .root(task) }
        return .root(nil)
    }
    var taskIdentity: TaskIdentity { TaskIdentity(bits: bodyTaskIdentity.load(ordering: .relaxed)) }
    var rootTask: ForeignTaskReference? { entry?.rootTask }
    var rootTaskIsCancelled: Bool { entry?.rootTask?.task.isCancelled == true }
    var enclosingBoundary: (any CancelBoundary)? { entry?.enclosing }
    var deadlineAndShield: (deadline: ContinuousClock.Instant?, shield: Bool) {
        state.withLock { ($0.deadline, $0.shield) }
    }
    var owningTask: ChildTask? { entry?.logicalTask.child }
    var logicalTask: LogicalTask {
        guard let entry else {
            fatalError("AnyIO: internal error: a cancel scope's logical task was read before entry")
        }
        return entry.logicalTask
    }
}

extension CancelScope: CustomStringConvertible {
    /// A summary for logs: whether it is cancelled and why, its deadline and shield.
    public var description: String {
        let (s, clock) = state.withLock { ($0, self.clock) }
        var parts: [String] = []
        if s.cancelCalled {
            parts.append(s.reason.map { "cancelled (\($0))" } ?? "cancelled")
        } else if s.effective {
            parts.append("cancelled from outside")
        }
        if let deadline = s.deadline {
            let remaining = deadline - (clock?.now ?? ContinuousClock.now)
            parts.append("deadline in \(remaining)")
        }
        if s.shield { parts.append("shielded") }
        if s.cancelledCaught { parts.append("caught") }
        return "CancelScope(\(parts.joined(separator: ", ")))"
    }
}

extension CancelScopeStateMachine.Walk where BodyTask == BodyTaskReference, Nursery == NurseryStorage {
    /// Carries out a walk that `CancelScope.startWalk` counted and flagged: outside the lock,
    /// because cancelling a task runs its cancellation handlers synchronously.
    func run() {
        bodyTask?.cancel()
        nursery?.cancelChildren()
        CancelWalks.end()
    }
}
