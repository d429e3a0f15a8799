//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A snapshot of the library's task tree: every live task under the nursery that owns it, with
/// its cancel scopes and what it waits on.
///
/// Cheap enough to call from a signal handler's task or a debug endpoint (it takes each task's and
/// nursery's lock briefly, one at a time); not a checkpoint.
///
/// ```swift
/// print(currentTaskTree())   // indented text, one line a task
/// ```
///
/// - Returns: The tree, process-wide.
/// - SeeAlso: ``TaskTree``, ``runningTasks()``.
public func currentTaskTree() -> TaskTree {
    TaskTreeBuilder(tag: nil).build()
}

/// Builds `TaskTree` snapshots from the registry's roots downwards.
struct TaskTreeBuilder {
    /// Only roots carrying this tag, or all when `nil`.
    let tag: TaskTreeTag?

    func build() -> TaskTree {
        let takenAt = ContinuousClock.now
        // One root node per foreign task, with its nurseries in order of entry.
        var order: [ForeignTaskReference] = []
        var byOwner: [ForeignTaskReference: (name: String, nurseries: [NurseryStorage])] = [:]
        for root in TaskTreeRegistry.shared.roots(tag: tag) {
            if byOwner[root.owner] == nil {
                order.append(root.owner)
                byOwner[root.owner] = (root.ownerName, [])
            }
            byOwner[root.owner]?.nurseries.append(root.nursery)
        }
        let roots = order.map { owner -> TaskTree.Node in
            let entry = byOwner[owner]!
            return TaskTree.Node(
                task: TaskInfo(id: LogicalTask.foreign(owner).taskID, name: entry.name, parentID: nil),
                state: .untracked,
                isStarting: false,
                waitScopes: [],
                nurseries: entry.nurseries.map { nurseryNode($0, below: nil) },
                blockedOn: nil
            )
        }
        return TaskTree(roots: roots, takenAt: takenAt)
    }

    /// The scopes from `boundary` up to (not including) `top`, outermost first.
    private func scopes(from boundary: (any CancelBoundary)?, upTo top: ChildTask?) -> [TaskTree.Scope] {
        var result: [TaskTree.Scope] = []
        var current = boundary
        while let boundary = current, boundary !== top {
            // A boundary that is a library task other than `top` ends the chain too (a `start`
            // child's enclosing boundary is its caller's).
            if boundary is ChildTask { break }
            if let scope = boundary as? CancelScope { result.append(scope.treeSnapshot) }
            current = boundary.enclosingBoundary
        }
        return result.reversed()
    }

    private func nurseryNode(_ nursery: NurseryStorage, below owner: ChildTask?) -> TaskTree.Nursery {
        let (members, pending, waiting) = nursery.introspectionSnapshot
        return TaskTree.Nursery(
            location: nursery.location.text,
            scopes: scopes(from: nursery.scope, upTo: owner),
            isWaitingForChildren: waiting,
            children: pending.map { taskNode($0, starting: true) } + members.map { taskNode($0, starting: false) }
        )
    }

    private func taskNode(_ child: ChildTask, starting: Bool) -> TaskTree.Node {
        let snapshot = child.introspectionSnapshot
        let state: TaskTree.State
        var waitScopes: [TaskTree.Scope] = []
        var blockedOn: String?
        if let wait = child.currentWait {
            state = .waiting(operation: wait.kind.operation, until: wait.deadline)
            waitScopes = scopes(from: snapshot.innermostScope, upTo: child)
            blockedOn = snapshot.blockedOn?.blockingDescription
        } else if snapshot.begun {
            state = .running
        } else {
            state = child.result == nil ? .notStarted : .finishing
        }
        return TaskTree.Node(
            task: child.info,
            state: state,
            isStarting: starting,
            waitScopes: waitScopes,
            nurseries: snapshot.nurseries.map { nurseryNode($0, below: child) },
            blockedOn: blockedOn
        )
    }
}

extension TaskTreeTag {
    /// The task tree of the roots carrying this tag.
    package var taskTree: TaskTree {
        TaskTreeBuilder(tag: self).build()
    }
}
