//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// A library-started task: a nursery child (`startSoon` or `start`).
///
/// The child's body runs in an unstructured `Task` whose native cancellation this object owns
/// (see `CancelBoundary` for the invariant between `flag` and native cancellation). It also keeps
/// the child's outcome for `TaskHandle.value`, type-erased so that nothing here is generic: the
/// public `TaskHandle<T>` is a thin typed view of it, freed at once when the caller discards it.
///
/// Memory matters here (one per sleeping task), so the object stays small and a nursery links its
/// members through `previousMember` / `nextMember` instead of a hash table.
// @unchecked Sendable: `previousMember`, `nextMember` and `isMember` are read and written only while
// holding the owning `NurseryStorage`'s lock; everything else is immutable, atomic or in `state`.
@usableFromInline
final class ChildTask: NurseryMember, @unchecked Sendable {
    private static let nextID = Atomic<UInt64>(1)

    typealias Waiter = ParkedContinuation<Void, any Error>

    struct State {
        /// The Swift task running the body, registered by the task itself (`begin`); kept after
        /// the body ended so that its identity is not reused while this object lives.
        var task: BodyTaskReference?
        /// The outcome, once the body ended, and the `TaskHandle.value` calls waiting for it.
        var outcome = TaskOutcomeStateMachine<Result<any Sendable, any Error>, Waiter>()
        /// Resources this task holds that must learn when it ends (locks it owns).
        var heldResources: [any HeldResource] = []
        /// The innermost cancel scope this task is in (the scope whose body runs now), or `nil`
        /// when it runs directly in its own boundary; for the task tree's scope lists. Set when
        /// a scope of this task is entered, put back when it exits.
        var innermostScope: CancelScope?
        /// The nurseries whose bodies run as this task (it entered them), innermost last.
        var openNurseries: [NurseryStorage] = []
        /// The resource the task waits for while another task holds it (a contended `Lock`), so
        /// the task tree can name the holder. Set and cleared by the task around the wait.
        var blockedOn: (any BlockingResource)?
    }

    /// A process-wide unique number; also used for waiter ids.
    let id: UInt64
    /// The name, given or derived from the call site.
    let taskName: TaskName
    let state: StateLock<State>
    /// Set when cancellation is requested for this child; never cleared.
    let flag = Atomic<Bool>(false)
    /// The scope of the nursery the child belongs to.
    let nurseryScope: CancelScope
    /// For a `start` child: the boundary of the caller of `start` (`nil` if the caller ran in
    /// no library boundary: then `startCaller` is that caller).
    let startHost: (any CancelBoundary)?
    /// For a `start` child whose caller ran in no library boundary: the caller.
    let startCaller: LogicalTask?
    /// The foreign task at the top of the chain before and after `started`
    /// (`CancelBoundary.rootTask`); the chain keeps them alive.
    unowned(unsafe) let startRootTask: ForeignTaskReference?
    unowned(unsafe) let nurseryRootTask: ForeignTaskReference?
    /// Whether the child is under its nursery's scope: from the start for `startSoon`, from
    /// `started` on for `start` (before that it is under its caller's scopes). Changes once.
    let isInNursery: Atomic<Bool>
    /// The Swift task's `TaskIdentity`, stored by the task as its first action (`begin`).
    let swiftTaskIdentity = Atomic<UInt>(0)
    /// The task's latest wait in a library primitive (see `WaitMark`), as `number << 8 | kind + 1`
    /// (0: none yet); written by the task just before it parks. Waits are numbered from 1. The
    /// wait is current while its number is above `waitEnded`.
    ///
    /// Atomics, not the lock: this is on the path of every wait and every wake-up (the lock made
    /// the `lock` benchmark 11 % slower). Only the task writes `waitState` and `waitDeadline`.
    let waitState = Atomic<UInt64>(0)
    /// The deadline of the latest wait if it is a sleep, as nanoseconds from `WaitClock.origin`.
    /// Written before `waitState` (which publishes it).
    let waitDeadline = Atomic<Int64>(0)
    /// The number of the last wait that ended: stored by whoever resumes the task, before
    /// resuming it. Invariant: wait `n` ends before wait `n + 1` begins (the task begins a new
    /// wait only after it was resumed), so the value only grows.
    let waitEnded = Atomic<UInt64>(0)

    /// Links in the nursery's member list. Guarded by the nursery's lock.
    var previousMember: ChildTask?
    /// Links in the nursery's member list. Guarded by the nursery's lock.
    var nextMember: ChildTask?
    /// Whether the child is in its nursery's member list. Guarded by the nursery's lock.
    var isMember = false

    /// A `startSoon` child: under the nursery's scope from the start.
    init(name: TaskName, nurseryScope: CancelScope) {
        id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        taskName = name
        state = StateLock(State())
        self.nurseryScope = nurseryScope
        startHost = nil
        startCaller = nil
        nurseryRootTask = nurseryScope.rootTask
        startRootTask = nil
        isInNursery = Atomic(true)
    }

    /// A `start` child: under its caller's boundary (`startHost`), or, for a caller in no
    /// library boundary, under that caller's native cancellation, until `started`.
    init(name: TaskName, nurseryScope: CancelScope, startHost: (any CancelBoundary)?, startCaller: LogicalTask?) {
        id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        taskName = name
        state = StateLock(State())
        self.nurseryScope = nurseryScope
        self.startHost = startHost
        self.startCaller = startHost == nil ? startCaller : nil
        nurseryRootTask = nurseryScope.rootTask
        startRootTask = startHost.map { $0.rootTask } ?? startCaller?.foreignReference
        isInNursery = Atomic(false)
    }

    var name: String { taskName.text }

    /// Creates the Swift task that runs `operation`, with this child as its task-local boundary.
    ///
    /// The binding is made around the creation, and `Task` copies task-locals when it is created,
    /// so the child needs no `withValue` frame of its own (fewer async frames per sleeping task).
    ///
    /// No lock may be held here: creating a task and pushing a task-local take the runtime's
    /// per-task status lock, which task cancellation holds while it runs our cancellation handlers
    /// (that inversion deadlocked `start` against a cancelled caller).
    @discardableResult
    func launch(_ operation: sending @escaping () async -> Void) -> Task<Void, Never> {
        // UnsafeTransfer: `operation` was sent to us and is handed to exactly one new task.
        let transfer = UnsafeTransfer(operation)
        return TaskContext.$boundary.withValue(self) {
            Task(operation: transfer.value)
        }
    }

    /// The first thing the child's task does: registers itself for cancellation, and cancels
    /// itself if the child was cancelled before, so `Task.isCancelled` mirrors the child's
    /// cancellation from the body's first line (see `CancelBoundary`).
    ///
    /// A `cancel()` before this sets `flag`, which is read here under the lock; a `cancel()` after
    /// it finds the reference. So there is no window in which the child runs but cannot be
    /// cancelled.
    func begin() {
        withUnsafeCurrentTask { current in
            guard let current else { return }
            let reference = BodyTaskReference(current)
            swiftTaskIdentity.store(TaskIdentity(current).bits, ordering: .relaxed)
            let cancelled = state.withLock { state -> Bool in
                state.task = reference
                return flag.load(ordering: .relaxed)
            }
            if cancelled { current.cancel() }
        }
    }

    /// Requests cancellation of this child (from its nursery, its handle, or its `start` caller).
    func cancel() {
        let (task, isWalk) = state.withLock { state -> (BodyTaskReference?, Bool) in
            if flag.load(ordering: .relaxed) { return (nil, false) }
            // Counted before the flag is set, uncounted after the walk (see `CancelWalks`).
            CancelWalks.begin()
            flag.store(true, ordering: .releasing)
            return (state.outcome.outcome == nil ? state.task : nil, true)
        }
        guard isWalk else { return }
        // Outside the lock: this runs the task's cancellation handlers.
        task?.cancel()
        CancelWalks.end()
    }

    /// `started` moved the child from its `start` caller into the nursery.
    func moveIntoNursery() {
        isInNursery.store(true, ordering: .releasing)
    }

    /// The boundary this child is logically under: the caller of `start` until `started`, then
    /// the nursery's scope (`nil`: a `start` caller in no library boundary).
    var host: (any CancelBoundary)? {
        isInNursery.load(ordering: .acquiring) ? nurseryScope : startHost
    }

    /// The task this one is listed under (`TaskInfo.parentID`): the logical task of the boundary
    /// it runs under, which is the caller of `start` until `started`, then the nursery's owner.
    var parent: LogicalTask? {
        if isInNursery.load(ordering: .acquiring) { return nurseryScope.logicalTask }
        return startHost?.logicalTask ?? startCaller
    }
}

