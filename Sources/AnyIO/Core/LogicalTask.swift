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
enum LogicalTask: Hashable, Sendable {
    /// Code running in a nursery child.
    case library(ChildTask)
    /// Code running in a Swift task the library did not start (or in scopes it entered).
    ///
    /// Holding the reference keeps the task object alive (`withUnsafeCurrentTask` hands out a
    /// retained reference), so its identity cannot be reused by another task while, say, a lock
    /// is held by it.
    case foreign(ForeignTaskReference)

    // Both payloads are class references, so the enum is one pointer wide with a layout known at
    // compile time: copying it is one retain. (A payload holding `UnsafeCurrentTask` directly, a
    // resilient type, made every copy and switch a runtime call: it showed in the lock profile.)

    init(child: ChildTask) {
        self = .library(child)
    }

    /// The library task, for code running in a nursery child; `nil` for a foreign task.
    var child: ChildTask? {
        if case .library(let child) = self { return child }
        return nil
    }

    /// The reference of a foreign task, `nil` for a library task.
    var foreignReference: ForeignTaskReference? {
        guard case .foreign(let reference) = self else { return nil }
        return reference
    }

    /// The running Swift task as a foreign task (callers check first that no library boundary is
    /// active). `nil` only outside any task, which async code never is.
    static func currentForeign() -> LogicalTask? {
        withUnsafeCurrentTask { task in
            task.map { .foreign(ForeignTaskReference(task: $0)) }
        }
    }

    static func == (lhs: LogicalTask, rhs: LogicalTask) -> Bool {
        switch (lhs, rhs) {
        case (.library(let left), .library(let right)): return left === right
        case (.foreign(let left), .foreign(let right)): return left == right
        default: return false
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .library(let child): hasher.combine(ObjectIdentifier(child))
        case .foreign(let task): hasher.combine(task)
        }
    }

    /// A short description for error and trap messages.
    var description: String {
        switch self {
        case .library(let child): return "task '\(child.name)'"
        case .foreign: return "a task not started by AnyIO"
        }
    }
}

/// The identity of a Swift task the library did not start: equal and hashed by the task.
// @unchecked Sendable: immutable; only compared and hashed, never used to act on the task.
final class ForeignTaskReference: Hashable, @unchecked Sendable {
    let task: UnsafeCurrentTask

    init(task: UnsafeCurrentTask) {
        self.task = task
    }

    static func == (lhs: ForeignTaskReference, rhs: ForeignTaskReference) -> Bool {
        lhs.task == rhs.task
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(task)
    }
}

/// The logical task of the running code (see `LogicalTask`).
///
/// Costs one task-local read and a comparison of task identities; no lock.
func currentLogicalTask() -> LogicalTask {
    if let boundary = currentBoundary() {
        return boundary.logicalTask
    }
    guard let task = LogicalTask.currentForeign() else {
        fatalError("AnyIO: internal error: async code running outside any task")
    }
    return task
}

/// The name of the running Swift task, for a task the library did not start.
func foreignTaskName() -> String {
    #if compiler(>=6.2)
    if #available(macOS 26.0, iOS 26.0, tvOS 26.0, watchOS 26.0, *), let name = Task.name {
        return name
    }
    #endif
    return unnamedTaskName
}

/// The name of a task the library did not start that has no Swift task name.
let unnamedTaskName = "unnamed Swift task"
