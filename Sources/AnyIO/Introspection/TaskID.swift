//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The identity of a task, as introspection reports it.
///
/// A task the library started (a nursery child) has a process-wide unique number. Any other Swift
/// task is identified by the runtime's task object: equal for the same live task, and possibly
/// reused once that task has ended (as AnyIO's `id(task)` is).
///
/// - SeeAlso: AnyIO `TaskInfo.id`.
public struct TaskID: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Hashable {
        /// A nursery child: `ChildTask.id`.
        case library(UInt64)
        /// Another Swift task: the address of its task object.
        case foreign(UInt)
    }

    let kind: Kind

    init(_ kind: Kind) {
        self.kind = kind
    }

    /// Whether the library started this task (`startSoon` or `start`).
    public var isLibraryTask: Bool {
        if case .library = kind { return true }
        return false
    }

    /// `#12` for a task the library started; `swift-task@0x…` for any other Swift task.
    public var description: String {
        switch kind {
        case .library(let number): return "#\(number)"
        case .foreign(let address): return "swift-task@0x" + String(address, radix: 16)
        }
    }
}

extension LogicalTask {
    /// This task's identity for introspection.
    var taskID: TaskID {
        switch self {
        case .library(let child): return TaskID(.library(child.id))
        case .foreign(let reference): return TaskID(.foreign(reference.address))
        }
    }

    /// How the task tree names this task: `"worker" #4`, or `Swift task swift-task@0x…`.
    var treeDescription: String {
        switch self {
        case .library(let child): return "\"\(child.name)\" \(taskID)"
        case .foreign: return "Swift task \(taskID)"
        }
    }
}

extension ForeignTaskReference {
    /// The address of the task object (`UnsafeCurrentTask` is one reference wide).
    var address: UInt {
        if MemoryLayout<UnsafeCurrentTask>.size == MemoryLayout<UInt>.size {
            return unsafeBitCast(task, to: UInt.self)
        }
        return UInt(bitPattern: task.hashValue)
    }
}
