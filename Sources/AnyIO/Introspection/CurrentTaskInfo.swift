//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Describes the running task.
///
/// Inside a task the library started (a nursery child, including the bodies of the scopes and
/// nurseries it enters), that task: its `name:` or call site, and its parent. Anywhere else, the
/// running Swift task, with `parentID == nil`; the bodies of scopes and nurseries that it enters
/// are still that task. Not a checkpoint.
///
/// ```swift
/// try await withNursery { nursery in
///     nursery.startSoon(name: "worker") {
///         print(currentTaskInfo().name)   // worker
///     }
/// }
/// ```
///
/// - Returns: The description of the running task.
/// - SeeAlso: AnyIO `get_current_task()`.
public func currentTaskInfo() -> TaskInfo {
    switch currentLogicalTask() {
    case .library(let child):
        var info = child.info
        info.hasPendingCancellation = isCurrentlyCancelled()
        return info
    case .foreign(let reference):
        return TaskInfo(
            id: LogicalTask.foreign(reference).taskID, name: foreignTaskName(), parentID: nil,
            hasPendingCancellation: isCurrentlyCancelled()
        )
    }
}

/// Lists every live task the library started, and every task that is running a nursery body.
///
/// Process-wide, in the order of ``currentTaskTree()``: each task before the tasks below it.
/// Not a checkpoint.
///
/// ```swift
/// for task in runningTasks() { print(task) }   // "worker" #3 (parent #1)
/// ```
///
/// - Returns: The tasks, as they were when the call looked.
/// - SeeAlso: AnyIO `get_running_tasks()`.
public func runningTasks() -> [TaskInfo] {
    currentTaskTree().allTasks.map(\.task)
}
