//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization
import _AnyIOCShims

/// Something whose body runs in its own Swift task and whose cancellation maps onto that task's
/// native cancellation: the body of a cancel scope (or nursery), or a nursery child.
///
/// Read with `CancelScope.swift`, `ChildTask.swift` and `Checkpoint.swift`.
///
/// Invariants:
/// - **Mirror.** A boundary's Swift task is natively cancelled only if `isCancelFlagged` is true,
///   and is cancelled soon after it becomes true (by the canceller's walk down the tree). So
///   Swift-native awaits inside the boundary are interrupted.
/// - **Chain.** `isCancelFlagged` is set *before* the cancellation that set it returns, and every
///   boundary reaches the enclosing ones through `cancelChainParent` without a lock. A checkpoint
///   that finds the task not natively cancelled (the canceller's walk may not have reached it
///   yet) walks the chain up to the nearest shield (SPEC C2; see `isCurrentlyCancelled`).
protocol CancelBoundary: AnyObject, Sendable {
    /// True once this boundary is effectively cancelled (level-triggered: it never goes back).
    var isCancelFlagged: Bool { get }
    /// The next step up the cancellation chain. Lock-free; meaningful only for code running
    /// inside this boundary (whose entry happened before it).
    var cancelChainParent: CancelChainParent { get }
    /// The Swift task that runs this boundary's code (see `TaskIdentity`); `.none` until that
    /// task has begun.
    var taskIdentity: TaskIdentity { get }
    /// The foreign task at the top of the chain (the task that entered the outermost scope, or
    /// called `start`), whose native cancellation reaches this boundary unless a shield is in
    /// between; `nil` if none. Lock-free, for code inside this boundary.
    var rootTask: ForeignTaskReference? { get }
    /// Whether `rootTask` is natively cancelled: the checkpoint's fast path, answered in place so
    /// that no reference is returned across the protocol (no retain and release per checkpoint).
    var rootTaskIsCancelled: Bool { get }
    /// The boundary that encloses this one, or `nil` at the top of the library's tree (for the
    /// task tree; may take a lock).
    var enclosingBoundary: (any CancelBoundary)? { get }
    /// This boundary's own deadline and shield, for `currentEffectiveDeadline()`.
    var deadlineAndShield: (deadline: ContinuousClock.Instant?, shield: Bool) { get }
    /// The library task this boundary runs in, if the library started it.
    var owningTask: ChildTask? { get }
    /// The logical task this boundary belongs to (see `LogicalTask`).
    var logicalTask: LogicalTask { get }
}

/// Where the cancellation chain goes from a boundary that is not cancelled itself.
enum CancelChainParent {
    /// The boundary is a shielded scope: nothing outside reaches in.
    case shielded
    /// The enclosing boundary, whose cancellation reaches this one.
    case enclosing(any CancelBoundary)
    /// The top of the library's tree: only native cancellation of this Swift task (a task the
    /// library did not start, which entered the outermost scope or called `start`) reaches in.
    case root(ForeignTaskReference?)
}

extension CancelBoundary {
    /// Whether this boundary, or one enclosing it up to the nearest shield, is cancelled, or the
    /// foreign task at the top of the chain is natively cancelled. Call only from code inside
    /// this boundary.
    var isCancelledAlongChain: Bool {
        var boundary: any CancelBoundary = self
        while true {
            if boundary.isCancelFlagged { return true }
            switch boundary.cancelChainParent {
            case .shielded: return false
            case .enclosing(let next): boundary = next
            case .root(let task): return task?.task.isCancelled ?? false
            }
        }
    }

    /// Whether this boundary runs in the current Swift task.
    @inline(__always)
    var runsInCurrentTask: Bool {
        let mine = taskIdentity
        return mine != .none && mine == TaskIdentity.current
    }
}

/// The identity of a Swift task, as a number: the address of its task object. Equal for one task
/// while it is alive; the boundary that records it keeps the task alive (`BodyTaskReference`), so
/// the number is not reused while it matters.
struct TaskIdentity: Hashable, Sendable {
    let bits: UInt

    static let none = TaskIdentity(bits: 0)

    /// The running task's identity (`.none` outside any task).
    ///
    /// Read straight from the runtime (`_AnyIOCShims`): `withUnsafeCurrentTask` would retain and
    /// release the task object, an atomic read-modify-write pair that every lock acquire and
    /// release paid twice (the `lock` benchmark measured it). Only the address is needed here.
    @inline(__always)
    static var current: TaskIdentity {
        TaskIdentity(bits: UInt(bitPattern: anyio_current_task_address()))
    }

    @inline(__always)
    init(bits: UInt) {
        self.bits = bits
    }

    /// `UnsafeCurrentTask` is a single reference to the task object; its bits are the address.
    @inline(__always)
    init(_ task: UnsafeCurrentTask) {
        bits = unsafeBitCast(task, to: UInt.self)
    }
}

/// How many cancellation walks are under way in the process: a canceller that set a boundary's
/// flag and is cancelling the tasks below it natively (`CancelScopeStateMachine.Walk.run`,
/// `ChildTask.cancel`).
///
/// Invariant: a walk is counted before its flag is set and uncounted after every task below was
/// cancelled natively. So when a checkpoint reads zero here (acquiring), every flag it could see
/// set belongs to a finished walk, and its own task's native flag already tells the truth: it
/// need not walk the chain. Cancellations are rare next to checkpoints, so this is almost always
/// zero, and reading it costs one load of a cache line that rarely changes.
enum CancelWalks {
    private static let inFlight = Atomic<Int>(0)

    @inline(__always)
    static func begin() {
        inFlight.wrappingAdd(1, ordering: .sequentiallyConsistent)
    }

    @inline(__always)
    static func end() {
        inFlight.wrappingSubtract(1, ordering: .releasing)
    }

    @inline(__always)
    static var anyInFlight: Bool {
        inFlight.load(ordering: .acquiring) != 0
    }
}

/// Task-local state of the library.
enum TaskContext {
    /// The innermost cancel boundary of the running task: the scope whose body is running, or the
    /// nursery child itself. Bound by every scope body and every child the library starts.
    ///
    /// Task-locals are copied into every task created below (a `Task { }`, a task group's child),
    /// so read it through `currentBoundary()`, which ignores a copied binding.
    @TaskLocal static var boundary: (any CancelBoundary)?
}

/// The innermost library boundary that the running Swift task itself runs in, or `nil` for a
/// task the library did not start (including a `Task { }` or a task-group child created inside
/// a library task: it inherited the binding, but it is a task of its own; SPEC I1).
@inline(__always)
func currentBoundary() -> (any CancelBoundary)? {
    guard let boundary = TaskContext.boundary, boundary.runsInCurrentTask else { return nil }
    return boundary
}

