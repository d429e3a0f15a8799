//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// A description of a task: its identity, its name and its parent.
///
/// A snapshot: it does not change when the task does. Two descriptions are equal (and hash
/// alike) when they describe the same task, whatever their other fields say (as AnyIO's are): a
/// `start` child's description taken before and after it called `started` are equal, though its
/// `parentID` changed.
///
/// - SeeAlso: AnyIO `TaskInfo`.
public struct TaskInfo: Sendable, Hashable, CustomStringConvertible {
    /// The task's identity.
    public var id: TaskID
    /// The task's name: the `name:` given to `startSoon` / `start`, or its call site
    /// (`Server.swift:42`); for a task the library did not start, its Swift task name if it has
    /// one, otherwise a description of it.
    public var name: String
    /// The task it runs under: for a nursery child, the task that entered the nursery (for a
    /// `start` child, the caller of `start` until it calls `started`). `nil` for a task the
    /// library did not start.
    public var parentID: TaskID?
    /// Whether the task's next checkpoint would throw `CancellationError`: its innermost cancel
    /// scope (or the task itself) was effectively cancelled when the description was taken.
    /// Always `false` for a task the library did not start, described from another task.
    public var hasPendingCancellation: Bool

    /// Creates a task description.
    public init(id: TaskID, name: String, parentID: TaskID?, hasPendingCancellation: Bool = false) {
        self.id = id
        self.name = name
        self.parentID = parentID
        self.hasPendingCancellation = hasPendingCancellation
    }

    /// Whether `lhs` and `rhs` describe the same task (their ids are equal).
    public static func == (lhs: TaskInfo, rhs: TaskInfo) -> Bool {
        lhs.id == rhs.id
    }

    /// Hashes the id.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
    }

    /// `"name" #12 (parent #3)`.
    public var description: String {
        var text = "\"\(name)\" \(id)"
        if let parentID { text += " (parent \(parentID))" }
        return text
    }
}

extension ChildTask {
    /// Whether the task's next checkpoint would throw: its innermost scope, or the task itself,
    /// is effectively cancelled.
    var isCancelledNow: Bool {
        let scope = state.withLock { $0.innermostScope }
        return scope?.isCancelFlagged ?? isCancelFlagged
    }

    /// This task's description now.
    var info: TaskInfo {
        TaskInfo(id: TaskID(.library(id)), name: name, parentID: parent?.taskID, hasPendingCancellation: isCancelledNow)
    }
}

