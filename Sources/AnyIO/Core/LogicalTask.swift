//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The task that running code belongs to, as AnyIO sees it: what owns a `Lock` or borrows a
/// `CapacityLimiter` token.
///
/// The library runs the body of every cancel scope (and nursery) in a Swift task of its own, but
/// that body is still part of the task that entered the scope (SPEC S2: acquire a lock inside
/// `failAfter { }`, release it after, as AnyIO code does). So the logical task is:
/// - the nursery child (`ChildTask`) the code runs in, when the library started it;
/// - otherwise the Swift task that entered the outermost library scope, or the running Swift task
///   when no library scope is active (a "foreign" task: `Task { }`, a test, `main`).
struct LogicalTask: Hashable, Sendable {
    /// The library task, for code running in a nursery child; `nil` for a foreign task.
    let child: ChildTask?
    /// The Swift task, for a foreign task.
    ///
    /// Holding it keeps the task object alive (`withUnsafeCurrentTask` hands out a retained
    /// reference), so its identity cannot be reused by another task while a lock is held by it.
    private let foreign: ForeignTaskReference?

    init(child: ChildTask) {
        self.child = child
        foreign = nil
    }

    private init(foreign: ForeignTaskReference) {
        child = nil
        self.foreign = foreign
    }

    /// The running Swift task as a foreign task (callers check first that no library boundary is
    /// active). `nil` only outside any task, which async code never is.
    static func currentForeign() -> LogicalTask? {
        withUnsafeCurrentTask { task in
            task.map { LogicalTask(foreign: ForeignTaskReference(task: $0)) }
        }
    }

    static func == (lhs: LogicalTask, rhs: LogicalTask) -> Bool {
        if let left = lhs.child { return left === rhs.child }
        return rhs.child == nil && lhs.foreign == rhs.foreign
    }

    func hash(into hasher: inout Hasher) {
        if let child {
            hasher.combine(ObjectIdentifier(child))
        } else {
            hasher.combine(foreign)
        }
    }

    /// A short description for error and trap messages.
    var description: String {
        if let child { return "task '\(child.name)'" }
        return "a task not started by AnyIO"
    }
}

/// The identity of a Swift task the library did not start.
// @unchecked Sendable: only compared and hashed (by task identity), never used to act on the task.
private struct ForeignTaskReference: Hashable, @unchecked Sendable {
    let task: UnsafeCurrentTask
}

/// The logical task of the running code (see `LogicalTask`).
///
/// Costs one task-local read plus, inside a cancel scope, one uncontended lock.
func currentLogicalTask() -> LogicalTask {
    if let boundary = TaskContext.boundary {
        return boundary.logicalTask
    }
    guard let task = LogicalTask.currentForeign() else {
        fatalError("AnyIO: internal error: async code running outside any task")
    }
    return task
}
