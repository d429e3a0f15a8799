//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

extension CancelScope {
    /// What the task tree shows of this scope, read in one lock.
    var treeSnapshot: TaskTree.Scope {
        state.withLock { state in
            TaskTree.Scope(
                deadline: state.deadline,
                shield: state.shield,
                cancelCalled: state.cancelCalled,
                isCancelled: state.effective,
                cancelReason: state.reason,
                isNursery: state.nursery != nil
            )
        }
    }
}
