//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

// How a child sits in the chain of cancel boundaries (see `CancelBoundary` and
// `Core/Checkpoint.swift`): under its `start` caller until `started`, then under its nursery.
extension ChildTask: CancelBoundary {
    var isCancelFlagged: Bool { flag.load(ordering: .acquiring) }
    var cancelChainParent: CancelChainParent {
        if let host { return .enclosing(host) }
        if case .foreign(let caller) = startCaller { return .root(caller) }
        return .root(nil)
    }
    var taskIdentity: TaskIdentity { TaskIdentity(bits: swiftTaskIdentity.load(ordering: .relaxed)) }
    var rootTask: ForeignTaskReference? {
        isInNursery.load(ordering: .acquiring) ? nurseryRootTask : startRootTask
    }
    var rootTaskIsCancelled: Bool { rootTask?.task.isCancelled == true }
    var enclosingBoundary: (any CancelBoundary)? { host }
    var deadlineAndShield: (deadline: ContinuousClock.Instant?, shield: Bool) { (nil, false) }
    var owningTask: ChildTask? { self }
    var logicalTask: LogicalTask { LogicalTask(child: self) }
}
