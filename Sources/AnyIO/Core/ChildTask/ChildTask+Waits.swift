//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

// What a child records for introspection (read by `Introspection/`): its current wait in a
// library primitive, its innermost scope and the nurseries it opened.

extension ChildTask {
    /// The task is about to park in a library primitive: records what on, and returns the number
    /// of the wait, which `endWait` needs. Called by the task itself.
    func beginWait(_ kind: WaitKind, until deadline: ContinuousClock.Instant?) -> UInt64 {
        let number = (waitState.load(ordering: .relaxed) >> 8) &+ 1
        if let deadline { waitDeadline.store(WaitClock.encode(deadline), ordering: .relaxed) }
        waitState.store(number << 8 | UInt64(kind.rawValue &+ 1), ordering: .releasing)
        return number
    }

    /// The wait numbered `number` is over (the task was resumed, or is about to be).
    func endWait(_ number: UInt64) {
        waitEnded.store(number, ordering: .releasing)
    }

    /// The task's current wait: what on, its number, and a sleep's deadline; `nil` if it is not
    /// waiting in a library primitive.
    var currentWait: (kind: WaitKind, number: UInt64, deadline: ContinuousClock.Instant?)? {
        let state = waitState.load(ordering: .acquiring)
        let number = state >> 8
        guard number > waitEnded.load(ordering: .acquiring),
            let kind = WaitKind(rawValue: UInt8(truncatingIfNeeded: state) &- 1)
        else { return nil }
        let deadline = kind == .sleep ? WaitClock.decode(waitDeadline.load(ordering: .relaxed)) : nil
        return (kind, number, deadline)
    }

    /// A scope of this task was entered: it is the innermost one now.
    func scopeEntered(_ scope: CancelScope) {
        state.withLock { $0.innermostScope = scope }
    }

    /// A scope of this task exited: the innermost one is what enclosed it (unless another Swift
    /// task of this logical task entered a scope meanwhile: a stray `Task { }`).
    func scopeExited(_ scope: CancelScope, enclosing: (any CancelBoundary)?) {
        state.withLock { state in
            guard state.innermostScope === scope else { return }
            state.innermostScope = enclosing as? CancelScope
        }
    }

    /// The task entered the body of `nursery`.
    func nurseryOpened(_ nursery: NurseryStorage) {
        state.withLock { $0.openNurseries.append(nursery) }
    }

    /// The body of `nursery`, and all its children, ended.
    func nurseryClosed(_ nursery: NurseryStorage) {
        state.withLock { state in
            if let index = state.openNurseries.lastIndex(where: { $0 === nursery }) {
                state.openNurseries.remove(at: index)
            }
        }
    }

    /// The task waits for `resource`, held by another task (`nil`: it no longer does). Called by
    /// the task itself, only on a wait's slow path.
    func setBlockedOn(_ resource: (any BlockingResource)?) {
        state.withLock { $0.blockedOn = resource }
    }

    /// The task got `resource` after waiting for it: it is no longer blocked on it, and holds it.
    func acquiredAfterWait(_ resource: any BlockingResource & HeldResource) {
        state.withLock { state in
            state.blockedOn = nil
            state.heldResources.append(resource)
        }
    }

    /// What introspection reads of this task, in one lock.
    var introspectionSnapshot: (
        innermostScope: CancelScope?, nurseries: [NurseryStorage], begun: Bool, blockedOn: (any BlockingResource)?
    ) {
        state.withLock {
            ($0.innermostScope, $0.openNurseries, $0.task != nil && $0.outcome.outcome == nil, $0.blockedOn)
        }
    }
}
