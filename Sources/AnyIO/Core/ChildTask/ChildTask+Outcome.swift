//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

// The outcome of a child (for `TaskHandle.value`) and the resources it must release when it
// ends. Read with `TaskOutcomeStateMachine`.

extension ChildTask {
    /// The body ended: keep the outcome, tell the resources it still holds, wake `value` waiters.
    func complete(_ result: Result<any Sendable, any Error>) {
        let (waiters, resources) = state.withLock { state -> ([Waiter], [any HeldResource]) in
            let resources = state.heldResources
            state.heldResources = []
            return (state.outcome.complete(result), resources)
        }
        // Outside the lock: a resource wakes its own waiters.
        if !resources.isEmpty {
            let me = LogicalTask(child: self)
            for resource in resources { resource.holderEnded(me) }
        }
        for waiter in waiters { waiter.resume() }
    }

    /// This task now holds `resource` (it acquired a lock). Called by the task itself.
    func holdResource(_ resource: any HeldResource) {
        state.withLock { $0.heldResources.append(resource) }
    }

    /// This task no longer holds `resource`. Called by the task itself.
    func dropResource(_ resource: any HeldResource) {
        state.withLock { state in
            if let index = state.heldResources.lastIndex(where: { $0 === resource }) {
                state.heldResources.remove(at: index)
            }
        }
    }

    /// The outcome, if the body ended.
    var result: Result<any Sendable, any Error>? { state.withLock { $0.outcome.outcome } }

    /// Waits for the outcome. A checkpoint; cancelling the waiter does not cancel the child.
    func value() async throws -> any Sendable {
        try throwIfCancelled()
        switch state.withLock({ $0.outcome.wait() }) {
        case .ready(let result):
            await budgetedSchedulePoint()
            return try result.get()
        case .park(let ticket):
            try await park(on: .taskValue) { waiter in
                state.withLock { $0.outcome.park(ticket, waiter) }
            } cancel: {
                state.withLock { $0.outcome.cancel(ticket) }
            }
            // Woken by `complete`, which set the outcome first.
            guard let result else { fatalError("AnyIO: internal error: TaskHandle.value woken without an outcome") }
            return try result.get()
        }
    }
}
