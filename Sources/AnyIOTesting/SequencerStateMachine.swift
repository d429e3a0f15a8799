//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of a ``Sequencer``: no locks, no `async`, no side effects. Each event returns what
/// the caller must do once it has released the lock.
///
/// A *gate* is what step `n` waits on before its body runs; the storage uses an `Event` and opens
/// it with `set()`. Gates are made on first mention (Trio's `defaultdict(Event)`): by the step
/// that waits on it, or by the step before it finishing first. Read together with
/// `SequencerStorage.swift`, which acts on the returned actions.
struct SequencerStateMachine<Gate> {
    private enum State {
        /// Steps may run, each after the one before it.
        case intact
        /// A step was cancelled before its body ran. Terminal: every gate made so far was
        /// handed out to be opened, and every later claim, or wake-up from a gate, fails.
        case broken
    }

    private var state = State.intact
    /// `gates[n]` is the gate of position `n`, present from its first mention until step `n`
    /// finishes. Kept outside `State` so that it is mutated in place, not copied on every change.
    /// Invariant: empty once broken.
    private var gates: [Int: Gate] = [:]
    /// Every position that a step has claimed, in either state. Only grows. Kept outside `State`
    /// (and kept once broken) so that reuse is reported before brokenness, as in Trio.
    private var claimed: Set<Int> = []

    init() {}

    /// Whether the sequencer is broken.
    var isBroken: Bool {
        if case .broken = state { return true }
        return false
    }

    /// The gates that exist now (for test hooks and statistics).
    var allGates: [Gate] { Array(gates.values) }

    /// What a step that wants to claim its position must do.
    enum ClaimAction {
        /// Run the body after a checkpoint: this is position 0, which waits for nobody.
        case runAfterCheckpoint
        /// Wait for this gate to open, then ask ``SequencerStateMachine/resumed()``.
        case wait(Gate)
        /// Fail with `SequencerError.positionReused`: the position was claimed before.
        case failReused
        /// Fail with `SequencerError.broken`: the sequencer is broken.
        case failBroken
    }

    /// What a step whose gate opened must do.
    enum ResumeAction {
        /// Run the body.
        case run
        /// Fail with `SequencerError.broken`: the gate was opened by the break, or the sequencer
        /// broke after it opened.
        case failBroken
    }

    /// What the step that breaks the sequencer must do.
    enum BreakAction {
        /// Nothing more: the sequencer was already broken, and its gates already handed out.
        case none
        /// Open every one of these gates, so that their waiters wake and fail.
        case openAll([Gate])
    }

    /// What a step whose body has ended must do.
    enum FinishAction {
        /// Nothing: the sequencer is broken, so every waiter has been (or will be) woken already.
        case none
        /// Open this gate: it lets position `n + 1` go.
        case open(Gate)
    }

    /// A step for `position` starts. `makeGate` is called only if the position has no gate yet.
    mutating func claim(_ position: Int, makeGate: () -> Gate) -> ClaimAction {
        if claimed.contains(position) {
            // Each position runs once; reuse is a bug in the test, reported even when broken.
            return .failReused
        }
        switch state {
        case .intact:
            claimed.insert(position)
            if position == 0 {
                // Position 0 starts at once; nobody opens a gate for it.
                return .runAfterCheckpoint
            }
            if let gate = gates[position] {
                // Made earlier by step `position - 1` finishing first (it may be open already).
                return .wait(gate)
            }
            // First mention: make the gate, kept here so that a break (or the previous step
            // finishing) can open it.
            let gate = makeGate()
            gates[position] = gate
            return .wait(gate)
        case .broken:
            // A broken sequence never runs another body. The position stays unclaimed.
            return .failBroken
        }
    }

    /// The gate of a step that was told to ``ClaimAction/wait(_:)`` has opened.
    func resumed() -> ResumeAction {
        switch state {
        case .intact:
            // Opened by the previous step finishing: this step's turn.
            return .run
        case .broken:
            // Opened by the break, or the break came after: the order cannot be trusted.
            return .failBroken
        }
    }

    /// A step was cancelled before its body ran: the sequence can no longer complete.
    mutating func breakSequence() -> BreakAction {
        switch state {
        case .intact:
            // First break: hand every gate out to be opened, so that no waiter hangs. A claim
            // made after this sees `.broken` and never waits.
            state = .broken
            let all = Array(gates.values)
            gates = [:]
            return .openAll(all)
        case .broken:
            // Already broken (several waiters cancelled at once): the gates were handed out.
            return .none
        }
    }

    /// The body of step `position` ended (returned or threw). `makeGate` is called only if
    /// position `position + 1` has no gate yet.
    mutating func finish(_ position: Int, makeGate: () -> Gate) -> FinishAction {
        switch state {
        case .intact:
            // This step's gate is no longer needed: positions are used once.
            gates[position] = nil
            let next: Gate
            if let existing = gates[position + 1] {
                // Step `position + 1` is already waiting (or was claimed): open its gate.
                next = existing
            } else {
                // Nobody has asked for the next position yet: make its gate now, opened, so that
                // the step arriving later runs after a checkpoint.
                next = makeGate()
                gates[position + 1] = next
            }
            return .open(next)
        case .broken:
            // The break opened every gate; any step claiming later fails before waiting.
            return .none
        }
    }
}
