//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// A tag that the task trees started under it carry, so that introspection can look at them
/// alone: `AnyIOTesting` binds one per test, and `waitAllTasksBlocked()` and its leak check then
/// see only that test's tasks, although tests run in parallel in one process.
///
/// The tag is read when a task that the library did not start enters a nursery (a root of the
/// task tree); task-locals are inherited by `Task { }` but not by `Task.detached { }`.
package final class TaskTreeTag: Sendable {
    /// The tag of the running code, if any.
    @TaskLocal package static var current: TaskTreeTag?

    /// A new tag; tags are compared by identity.
    package init() {}
}

/// The roots of the library's task tree: the nurseries entered by tasks that the library did not
/// start. Everything else is reachable from them (a library task lists the nurseries it entered,
/// a nursery its children).
///
/// One process-wide lock, taken only when such a nursery is entered or left: nurseries inside
/// library tasks register with their task instead, so spawning never touches it.
final class TaskTreeRegistry: Sendable {
    struct Root: Sendable {
        let nursery: NurseryStorage
        /// The task that entered the nursery.
        let owner: ForeignTaskReference
        /// Its name, read when it entered (only the task itself can read it).
        let ownerName: String
        let tag: TaskTreeTag?
    }

    struct State {
        /// The roots by nursery, each with its number in the order of entry.
        var roots: [ObjectIdentifier: (order: UInt64, root: Root)] = [:]
        /// The number of the next root.
        var next: UInt64 = 0
    }

    static let shared = TaskTreeRegistry()

    private let state = StateLock(State())

    /// `nursery`, owned by `owner`, was entered.
    func add(_ nursery: NurseryStorage, owner: ForeignTaskReference) {
        let root = Root(
            nursery: nursery, owner: owner, ownerName: foreignTaskName(), tag: TaskTreeTag.current
        )
        let key = ObjectIdentifier(nursery)
        state.withLock { state in
            state.roots[key] = (state.next, root)
            state.next &+= 1
        }
    }

    /// `nursery` and all its children ended.
    func remove(_ nursery: NurseryStorage) {
        let key = ObjectIdentifier(nursery)
        // The removed entry is released after the lock (returned out of it).
        _ = state.withLock { $0.roots.removeValue(forKey: key) }
    }

    /// The roots in order of entry, all of them or those carrying `tag`.
    func roots(tag: TaskTreeTag?) -> [Root] {
        let entries = state.withLock { Array($0.roots.values) }
        return entries
            .filter { tag == nil || $0.root.tag === tag }
            .sorted { $0.order < $1.order }
            .map(\.root)
    }
}

extension TaskTreeTag {
    /// Cancels the nurseries at the roots carrying this tag (a test's leaked tasks).
    package func cancelRoots(reason: String) {
        for root in TaskTreeRegistry.shared.roots(tag: self) {
            root.nursery.scope.cancel(reason: reason)
        }
    }
}
