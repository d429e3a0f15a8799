//===----------------------------------------------------------------------===//
// This source file is part of AnyIO for Swift. Licensed under Apache-2.0.
//===----------------------------------------------------------------------===//

import Synchronization

/// How a task was named: explicitly, or after its call site (formatted lazily).
enum TaskName: Sendable {
    case given(String)
    case callSite(fileID: StaticString, line: UInt)

    var text: String {
        switch self {
        case .given(let name):
            return name
        case .callSite(let fileID, let line):
            let path = fileID.description
            let file = path.split(separator: "/").last.map(String.init) ?? path
            return "\(file):\(line)"
        }
    }
}

/// A library-started task: a nursery child (`startSoon` or `start`).
///
/// The child's body runs in an unstructured `Task` whose native cancellation this object owns.
/// See `CancelBoundary` for the invariant between `flag` and native cancellation.
final class ChildTask: Sendable {
    private static let nextID = Atomic<UInt64>(1)

    struct State {
        /// The Swift task running the body; attached right after creation, dropped on exit.
        var task: Task<Void, Never>?
        /// The boundary this child is logically under: the caller of `start` until `started`,
        /// then the nursery's scope. Changes once, in `moveInto`.
        var host: (any CancelBoundary)?
    }

    /// A process-wide unique number.
    let id: UInt64
    /// The name, given or derived from the call site.
    let taskName: TaskName
    let state: Mutex<State>
    /// Set when cancellation is requested for this child; never cleared.
    let flag = Atomic<Bool>(false)

    init(name: TaskName, host: (any CancelBoundary)?) {
        id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        taskName = name
        state = Mutex(State(task: nil, host: host))
    }

    var name: String { taskName.text }

    /// Records the Swift task; cancels it at once if the child is already cancelled.
    func attach(_ task: Task<Void, Never>) {
        let cancelled = state.withLock { state -> Bool in
            state.task = task
            return flag.load(ordering: .relaxed)
        }
        if cancelled { task.cancel() }
    }

    /// Requests cancellation of this child (from its nursery, its handle, or its `start` caller).
    func cancel() {
        let task = state.withLock { state -> Task<Void, Never>? in
            flag.store(true, ordering: .releasing)
            return state.task
        }
        // Outside the lock: this runs the task's cancellation handlers.
        task?.cancel()
    }

    /// The body finished: drop the task reference.
    func detach() {
        state.withLock { $0.task = nil }
    }

    /// `started` moved the child from its `start` caller into the nursery.
    func moveInto(_ scope: CancelScope) {
        state.withLock { $0.host = scope }
    }

    /// Runs a child's body with the library's task-local context, self-cancelling first if the
    /// child was cancelled before it started running.
    func run(_ body: () async -> Void) async {
        if flag.load(ordering: .acquiring) { cancelCurrentTask() }
        await TaskContext.$boundary.withValue(self) {
            await body()
        }
        detach()
    }
}

extension ChildTask: CancelBoundary {
    var isCancelFlagged: Bool { flag.load(ordering: .acquiring) }
    var enclosingBoundary: (any CancelBoundary)? { state.withLock { $0.host } }
    var deadlineAndShield: (deadline: ContinuousClock.Instant?, shield: Bool) { (nil, false) }
    var owningTask: ChildTask? { self }
}
