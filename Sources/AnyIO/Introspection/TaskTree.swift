//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A snapshot of every live task the library knows of, arranged under the nurseries that own
/// them, with their cancel scopes and what each task is waiting on.
///
/// Get one with ``currentTaskTree()``; its `description` renders it as indented text, which is
/// what you want to print when a program seems stuck:
///
/// ```text
/// unnamed Swift task swift-task@0x55af7443e950
/// └─ nursery at Services.swift:39, inside cancel scope
///    ├─ "config" #1: waiting in sleepForever()
///    ├─ "ticker" #2: waiting in sleep(until:) for 0.18 s
///    └─ "workers" #3: waiting in sleepForever(), inside nursery scope
///       └─ nursery at Services.swift:168
///          ├─ "worker-1" #4: waiting in sleep(until:) for 0.05 s, inside cancel scope [deadline in 0.49 s, shielded]
///          └─ "worker-2" #5: waiting in Lock.acquire() [held by "worker-1" #4]
/// ```
///
/// The roots are tasks the library did not start (your `main`, a test, a `Task { }`) that are
/// inside a nursery. Below a task come the nurseries it has entered, each with the cancel scopes
/// between the task and the nursery; below a nursery, its children. A waiting task also lists the
/// cancel scopes it waits inside, innermost last. The snapshot is taken without stopping anything,
/// so tasks that change meanwhile may appear in either state.
///
/// Not shown: tasks that are not in a nursery (a `Task { }` that enters none), and what a task
/// the library did not start is waiting on.
///
/// - SeeAlso: AnyIO `get_running_tasks()`; Trio's task tree (`Task.child_nurseries`).
public struct TaskTree: Sendable {
    /// The tasks at the top: tasks the library did not start that have entered a nursery.
    public var roots: [Node]
    /// When the snapshot was taken; the text rendering gives deadlines relative to it.
    public var takenAt: ContinuousClock.Instant

    /// A task and what is below it.
    public struct Node: Sendable {
        /// The task.
        public var task: TaskInfo
        /// What it is doing.
        public var state: State
        /// For a `start` child that has not called `started` yet: `true` (it is still under its
        /// caller's cancel scopes).
        public var isStarting: Bool
        /// The cancel scopes that the task's wait is inside, outermost first, up to the task's own
        /// boundary. Empty unless the task is waiting in a library primitive.
        public var waitScopes: [Scope]
        /// The nurseries the task has entered and not left, outermost first.
        public var nurseries: [Nursery]
        /// For a task waiting for a resource another task holds (a contended ``Lock``): who holds
        /// it and who else waits, e.g. `held by Swift task swift-task@0x…; waiting: "worker" #4`.
        public var blockedOn: String?
    }

    /// What a task is doing.
    public enum State: Sendable, Equatable {
        /// Created, but its body has not begun to run yet.
        case notStarted
        /// Running, or runnable, or waiting in code outside the library (`Task.sleep`, I/O).
        case running
        /// Waiting in a library primitive: `operation` names it (`"Lock.acquire()"`), and
        /// `until` is the deadline of a sleep.
        case waiting(operation: String, until: ContinuousClock.Instant?)
        /// Its body has ended; it is about to leave its nursery.
        case finishing
        /// A task the library did not start: what it does is not tracked.
        case untracked
    }

    /// A nursery and its children.
    public struct Nursery: Sendable {
        /// Where `withNursery` was called (`Server.swift:40`).
        public var location: String
        /// The cancel scopes from the owning task down to the nursery, outermost first; the last
        /// is the nursery's own scope.
        public var scopes: [Scope]
        /// Whether the body has ended and the nursery waits for its children.
        public var isWaitingForChildren: Bool
        /// The live children: `start` children that have not called `started` first, then the
        /// members in the order they joined.
        public var children: [Node]
    }

    /// A cancel scope, as it was when the snapshot was taken.
    public struct Scope: Sendable, Equatable, CustomStringConvertible {
        /// Its deadline, if any.
        public var deadline: ContinuousClock.Instant?
        /// Whether it ignores cancellation from outside.
        public var shield: Bool
        /// Whether `cancel()` was called on it or its deadline fired.
        public var cancelCalled: Bool
        /// Whether it is effectively cancelled (its own cancellation, or one from outside that is
        /// not shielded): its checkpoints throw.
        public var isCancelled: Bool
        /// The first reason given to `cancel(reason:)`, `"deadline"`, or `nil`.
        public var cancelReason: String?
        /// Whether this is a nursery's scope.
        public var isNursery: Bool

        /// `cancel scope [deadline in 1.5 s, shielded, cancelled ("shutdown")]`, with the
        /// deadline relative to now.
        public var description: String {
            description(at: .now)
        }

        /// The description, with the deadline relative to `instant`.
        func description(at instant: ContinuousClock.Instant) -> String {
            var parts: [String] = []
            if let deadline {
                let remaining = deadline - instant
                parts.append(remaining > .zero ? "deadline in \(Self.seconds(remaining))" : "deadline passed")
            }
            if shield { parts.append("shielded") }
            if cancelCalled {
                parts.append(cancelReason.map { "cancelled (\"\($0)\")" } ?? "cancelled")
            } else if isCancelled {
                parts.append("cancelled from outside")
            }
            let kind = isNursery ? "nursery scope" : "cancel scope"
            return parts.isEmpty ? kind : "\(kind) [\(parts.joined(separator: ", "))]"
        }

        static func seconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            let value = Double(seconds) + Double(attoseconds) / 1e18
            let hundredths = (value * 100).rounded()
            return "\(Int(hundredths) / 100).\(String(format2: Int(hundredths) % 100)) s"
        }
    }

    /// Every task in the tree, roots first, each before what is below it.
    public var allTasks: [Node] {
        var result: [Node] = []
        func visit(_ node: Node) {
            result.append(node)
            for nursery in node.nurseries {
                for child in nursery.children { visit(child) }
            }
        }
        for root in roots { visit(root) }
        return result
    }
}
