//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// Virtual time for one run (or task tree): the engine behind `AnyIOTesting.MockClock`.
///
/// Instants stay `ContinuousClock.Instant`s (SPEC's signatures), but they are *virtual*: they
/// start at `origin` and move only as this clock says (`advance`, `jump`, a `rate`, or an
/// autojump). Every timing of the library reads the run's clock through `RunClock`: while a
/// `VirtualClock` is bound, `currentTime()`, `sleep`, cancel-scope deadlines and
/// `currentEffectiveDeadline()` use it instead of `ContinuousClock` and `DeadlineTimer`. See
/// "Virtual time" in `docs/design.md`.
///
/// The clock keeps the deadlines armed on it (cancel scopes and sleepers) and fires those that
/// have passed whenever its time moves: synchronously in `advance`/`jump`, from `drive` when the
/// clock runs at a rate or autojumps.
///
/// Invariants:
/// - Virtual time never goes backwards: `now()` is `virtualBase + rate × (real − realBase)`, and
///   every change of `virtualBase`, `realBase` or `rate` first rebases at the current instant.
/// - An armed entry whose deadline is not later than `now()` is fired by the step that moved
///   time past it (or, if it was already due when armed, `arm` refuses it and the caller fires
///   it): no due entry is left waiting for a later step.
/// - The lock is a leaf: a scope arms and disarms under its own lock, and the clock calls into a
///   scope (`deadlineReached`) or resumes a sleeper only after releasing its lock.
package final class VirtualClock: Sendable {
    /// The instant every virtual clock starts at: fixed for the process.
    package static let origin = ContinuousClock.now

    /// One deadline armed on the clock.
    enum Pending {
        /// A cancel scope's deadline (fired with `CancelScope.deadlineReached`).
        case scope(TimerEntry)
        /// A parked `sleep(until:)`.
        case sleeper(ParkedContinuation<Void, any Error>)
    }

    struct State {
        /// The real instant at which the virtual time was `virtualBase`.
        var realBase: ContinuousClock.Instant
        /// The virtual time at `realBase`.
        var virtualBase: ContinuousClock.Instant
        /// Virtual seconds per real second (0: frozen). Never negative.
        var rate: Double
        /// With autojump on, how long every task must have been blocked (real time) before the
        /// clock jumps to the next deadline; `nil`: no autojump.
        var autojumpThreshold: Duration?
        /// Armed deadlines by id, each with its virtual deadline.
        var pending: [UInt64: (deadline: ContinuousClock.Instant, what: Pending)] = [:]
        /// Sleepers registered but not parked yet, by id: `true` once cancelled (they then
        /// resume at once when they park). Invariant: a live sleeper's id is here or in
        /// `pending`, never both; a fired or finished one is in neither.
        var unparkedSleepers: [UInt64: Bool] = [:]
        /// The id of the next entry.
        var nextID: UInt64 = 1
        /// Worker-thread calls running now (`ToThread`): while one runs, the clock never autojumps.
        var threadCalls = 0
        /// Bumped by every change that shows activity (a thread call beginning or ending, a
        /// deadline armed or disarmed, a sleeper parking or waking, a jump): autojump jumps only
        /// if it did not change while every task looked blocked.
        var generation: UInt64 = 0

        func now(real: ContinuousClock.Instant) -> ContinuousClock.Instant {
            rate == 0 ? virtualBase : virtualBase + (real - realBase) * rate
        }

        /// The earliest armed deadline.
        var earliest: ContinuousClock.Instant? {
            pending.values.lazy.map(\.deadline).min()
        }

        /// Moves the base to `real` (before any change of the mapping).
        mutating func rebase(real: ContinuousClock.Instant) {
            virtualBase = now(real: real)
            realBase = real
        }

        /// Removes and returns every entry due at `now`, earliest first.
        mutating func takeDue(now: ContinuousClock.Instant) -> [Pending] {
            let due = pending.filter { $0.value.deadline <= now }
                .sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
            for (id, _) in due { pending[id] = nil }
            if !due.isEmpty { generation &+= 1 }
            return due.map(\.value.what)
        }
    }

    let state: StateLock<State>
    /// The real clock (a test may inject its own).
    private let realNow: @Sendable () -> ContinuousClock.Instant

    /// A clock at `origin`, running at `rate`, with an optional autojump threshold.
    package init(
        rate: Double = 0,
        autojumpThreshold: Duration? = nil,
        realNow: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        checkPrecondition(rate >= 0, "MockClock: rate must not be negative, got \(rate)")
        checkPrecondition(autojumpThreshold.map { $0 >= .zero } ?? true, "MockClock: the autojump threshold must not be negative")
        self.realNow = realNow
        state = StateLock(State(realBase: realNow(), virtualBase: Self.origin, rate: rate, autojumpThreshold: autojumpThreshold))
    }

    // MARK: - Time

    /// The virtual time now.
    package var now: ContinuousClock.Instant {
        let real = realNow()
        return state.withLock { $0.now(real: real) }
    }

    /// Virtual seconds per real second.
    package var rate: Double {
        get { state.withLock { $0.rate } }
        set {
            checkPrecondition(newValue >= 0, "MockClock: rate must not be negative, got \(newValue)")
            let real = realNow()
            state.withLock { state in
                state.rebase(real: real)
                state.rate = newValue
                state.generation &+= 1
            }
        }
    }

    /// The autojump threshold (`nil`: off).
    package var autojumpThreshold: Duration? {
        get { state.withLock { $0.autojumpThreshold } }
        set {
            checkPrecondition(newValue.map { $0 >= .zero } ?? true, "MockClock: the autojump threshold must not be negative")
            state.withLock { $0.autojumpThreshold = newValue }
        }
    }

    /// Moves virtual time forward by `duration` and fires what is due, before returning.
    package func advance(by duration: Duration) {
        checkPrecondition(duration >= .zero, "MockClock: time cannot go backwards (advance(by: \(duration)))")
        let real = realNow()
        let due = state.withLock { state in
            state.rebase(real: real)
            state.virtualBase += duration
            state.generation &+= 1
            return state.takeDue(now: state.virtualBase)
        }
        fire(due)
    }

    /// Moves virtual time forward to `instant` and fires what is due, before returning.
    package func jump(to instant: ContinuousClock.Instant) {
        let real = realNow()
        let due = state.withLock { state -> [Pending] in
            state.rebase(real: real)
            checkPrecondition(instant >= state.virtualBase, "MockClock: time cannot go backwards (jump(to:) an instant before now)")
            state.virtualBase = instant
            state.generation &+= 1
            return state.takeDue(now: instant)
        }
        fire(due)
    }

    /// Fires what is due now (time moves by itself at a non-zero rate).
    func fireDue() {
        let real = realNow()
        let due = state.withLock { state in state.takeDue(now: state.now(real: real)) }
        fire(due)
    }

    /// Acts on fired entries: outside the lock (a scope's cancellation runs task cancellation
    /// handlers; a resumed sleeper may run at once).
    private func fire(_ due: [Pending]) {
        for entry in due {
            switch entry {
            case .scope(let timer): timer.scope.deadlineReached(timer)
            case .sleeper(let continuation): continuation.resume()
            }
        }
    }

    // MARK: - Deadlines of cancel scopes (called under the scope's lock: no call out)

    /// Arms `entry`. Returns `false`, arming nothing, if virtual time has already reached its
    /// deadline (the caller then treats it as fired).
    func arm(_ entry: TimerEntry) -> Bool {
        let real = realNow()
        return state.withLock { state in
            guard entry.deadline > state.now(real: real) else { return false }
            let id = state.nextID
            state.nextID &+= 1
            // `heapIndex` is free here (the entry is never in `DeadlineTimer`): it holds the id.
            entry.heapIndex = Int(truncatingIfNeeded: id)
            state.pending[id] = (entry.deadline, .scope(entry))
            state.generation &+= 1
            return true
        }
    }

    /// Disarms `entry` if it has not fired yet.
    func disarm(_ entry: TimerEntry) {
        state.withLock { state in
            let id = UInt64(truncatingIfNeeded: entry.heapIndex)
            guard entry.heapIndex > 0, case .scope(let armed)? = state.pending[id]?.what, armed === entry else { return }
            state.pending[id] = nil
            state.generation &+= 1
        }
    }

    // MARK: - Sleepers

    /// Waits until virtual time reaches `deadline` (after the caller checked for cancellation).
    /// The wait is marked like a primitive's: the clock ends the mark before resuming, so
    /// `waitAllTasksBlocked()` sees a sleeper blocked until the clock wakes it.
    func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID &+= 1
            state.unparkedSleepers[id] = false
            return id
        }
        let mark = WaitMark.begin(.virtualSleep)
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let parked = ParkedContinuation(continuation, mark)
                let real = realNow()
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if state.unparkedSleepers.removeValue(forKey: id) == true { return .failure(CancellationError()) }
                    // Time may have reached the deadline since the caller looked.
                    if deadline <= state.now(real: real) { return .success(()) }
                    state.pending[id] = (deadline, .sleeper(parked))
                    state.generation &+= 1
                    return nil
                }
                // Single resumption: a parked sleeper leaves `pending` exactly once, either fired
                // (`takeDue`) or cancelled (`cancelSleep`); one that did not park is resumed here.
                if let outcome { parked.resume(with: outcome) }
            }
        } onCancel: {
            cancelSleep(id)
        }
    }

    private func cancelSleep(_ id: UInt64) {
        let parked = state.withLock { state -> ParkedContinuation<Void, any Error>? in
            if let entry = state.pending[id], case .sleeper(let parked) = entry.what {
                // Parked and not fired: wake it with the cancellation.
                state.pending[id] = nil
                state.generation &+= 1
                return parked
            }
            // Not parked yet: it resumes at once when it parks. Already fired: nothing to do.
            if state.unparkedSleepers[id] != nil { state.unparkedSleepers[id] = true }
            return nil
        }
        parked?.resume(throwing: CancellationError())
    }

    // MARK: - Worker threads hold the clock

    /// A worker-thread call starts: no autojump until it ends.
    package func threadCallBegan() {
        state.withLock { state in
            state.threadCalls += 1
            state.generation &+= 1
        }
    }

    /// A worker-thread call ended (or stopped doing work: it waits for the task, `FromThread`).
    package func threadCallEnded() {
        state.withLock { state in
            state.threadCalls -= 1
            state.generation &+= 1
            // Invariant: only calls that began end.
            checkPrecondition(state.threadCalls >= 0, "AnyIO: internal error: a virtual clock's thread call ended twice")
        }
    }

    // MARK: - Driving: rate and autojump

    /// The shortest pause between two looks of the driver.
    static let minimumPause = Duration.microseconds(100)

    /// What the driver remembers between its looks (`driverStep`).
    struct DriverLook {
        /// The first look of the current idle period: when, the waits it saw, the generation.
        var idle: (since: ContinuousClock.Instant, waits: [UInt64: UInt64], generation: UInt64)?
        /// The pause after a look that found something running; backs off up to 2 ms.
        var pause = VirtualClock.minimumPause
    }

    /// One look of the driver thread (`VirtualClockDriver`): fires what a non-zero rate made due, and
    /// autojumps when every task under `tag` (every library task when `nil`) has been blocked for
    /// the threshold of real time while no worker-thread call ran. Returns how long to wait
    /// before the next look.
    ///
    /// "Blocked" is `waitAllTasksBlocked()`'s: two looks at the task tree, one threshold (and at
    /// least `minimumPause`) apart, that find every task in the same numbered wait, with the
    /// clock's `generation` unchanged in between and no thread call running. A task inside
    /// `waitAllTasksBlocked()` itself is running, so that call wins over an autojump (Trio's rule).
    func driverStep(tag: TaskTreeTag?, _ look: inout DriverLook) -> Duration {
        fireDue()
        let (threshold, hasPending, threadCalls, generation, rate) = state.withLock {
            ($0.autojumpThreshold, !$0.pending.isEmpty, $0.threadCalls, $0.generation, $0.rate)
        }
        // Nothing to drive (frozen, no autojump): look again now and then for a change of either.
        var nextPause = threshold == nil && rate == 0 ? Duration.milliseconds(20) : .milliseconds(5)
        if let threshold, hasPending, threadCalls == 0,
           let waits = blockedWaits(excluding: nil, tag: tag) {
            let real = ContinuousClock.now
            if let first = look.idle, first.waits == waits, first.generation == generation {
                let idleFor = real - first.since
                if idleFor >= threshold, idleFor >= Self.minimumPause {
                    look.idle = nil
                    look.pause = Self.minimumPause
                    // Jumped: look again at once; or something changed at the last moment.
                    return autojump(ifGeneration: generation) ? .zero : Self.minimumPause
                }
                nextPause = max(Self.minimumPause, min(threshold - idleFor, .milliseconds(5)))
            } else {
                look.idle = (real, waits, generation)
                look.pause = Self.minimumPause
                nextPause = max(Self.minimumPause, min(threshold, .milliseconds(5)))
            }
        } else if threshold != nil {
            // Something runs: look again soon, backing off up to 2 ms.
            look.idle = nil
            nextPause = look.pause
            look.pause = min(look.pause * 2, .milliseconds(2))
        }
        if rate > 0, let earliest = state.withLock({ $0.earliest }) {
            nextPause = max(.zero, min(nextPause, (earliest - now) / rate))
        }
        return nextPause
    }

    /// Jumps to the earliest armed deadline if nothing changed since the look that saw every task
    /// blocked (same `generation`, no thread call); returns whether it jumped.
    private func autojump(ifGeneration generation: UInt64) -> Bool {
        let real = realNow()
        let due = state.withLock { state -> [Pending]? in
            guard state.generation == generation, state.threadCalls == 0, let earliest = state.earliest else { return nil }
            state.rebase(real: real)
            if earliest > state.virtualBase { state.virtualBase = earliest }
            state.generation &+= 1
            return state.takeDue(now: state.virtualBase)
        }
        guard let due else { return false }
        fire(due)
        return true
    }
}

/// The clock of the running task tree: `nil` is the continuous clock (the default, and the fast
/// path: one task-local read per sleep or deadline, nothing on checkpoints).
///
/// This is the hook for every timeout of the library, also outside the core (Happy Eyeballs
/// delays, TLS handshake timeouts, a process's termination grace period): use `RunClock.now`
/// for the current instant, `RunClock.sleep(until:)` (or the public `sleep(for:)`,
/// `moveOnAfter`, `failAfter`, which already do) to wait, and never `ContinuousClock.now` or
/// `Task.sleep` directly, so that tests on a `MockClock` see them. Wrap a wait on real work that
/// parks like a primitive (a connect, a handshake) in `RunClock.withClockHeld` so that an
/// autojump does not fire a timeout while the work is in flight.
package enum RunClock {
    /// The virtual clock bound to the running task tree, if any.
    @TaskLocal package static var current: VirtualClock?

    /// The current instant on the run's clock (`currentTime()`).
    package static var now: ContinuousClock.Instant {
        if let clock = current { return clock.now }
        return .now
    }

    /// Waits until `deadline` on the run's clock, without the checkpoint of the public
    /// `sleep(until:)`: for I/O code that has checked cancellation already. Cancellation ends
    /// the wait with `CancellationError`.
    package static func sleep(until deadline: ContinuousClock.Instant) async throws {
        if let clock = current {
            try await clock.sleep(until: deadline)
        } else {
            try await Task.sleep(until: deadline, clock: .continuous)
        }
    }

    /// Holds the run's virtual clock against autojump while `body` runs: for waits on real work
    /// that the task tree would show as blocked (name resolution and connecting in SwiftNIO, a
    /// TLS handshake with a real peer). Without a virtual clock it costs a task-local read.
    package static func withClockHeld<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        guard let clock = current else { return try await body() }
        clock.threadCallBegan()
        defer { clock.threadCallEnded() }
        return try await body()
    }

    /// Runs `body` with `clock` as the run's clock (task-local: inherited by every task the body
    /// starts, also through nurseries and `Task { }`, but not by `Task.detached`).
    package static func withClock<T>(
        _ clock: VirtualClock?,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        try await $current.withValue(clock, operation: body, isolation: isolation)
    }
}
