//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A scope that owns concurrently running child tasks.
///
/// Get one from ``withNursery(isolation:fileID:line:_:)``; it is valid until that call returns.
/// Children run concurrently on Swift's cooperative pool. If any child (or the body) throws an
/// error other than `CancellationError`, the nursery's ``cancelScope`` is cancelled, every other
/// task is cancelled at its next checkpoint, and `withNursery` throws an ``ErrorGroup``.
///
/// - SeeAlso: AnyIO `TaskGroup`, Trio `Nursery`.
public final class Nursery: Sendable {
    let storage: NurseryStorage

    init(storage: NurseryStorage) {
        self.storage = storage
    }

    /// The nursery's cancel scope: cancelling it cancels the body and every child.
    ///
    /// - SeeAlso: AnyIO `TaskGroup.cancel_scope`.
    public var cancelScope: CancelScope { storage.scope }

    /// Cancels the nursery: its body and all its children. Synchronous and idempotent.
    ///
    /// - Parameter reason: Why, kept as the scope's ``CancelScope/cancelReason`` if it is the first.
    /// - SeeAlso: AnyIO `TaskGroup.cancel_scope.cancel()`.
    public func cancel(reason: String? = nil) {
        storage.scope.cancel(reason: reason)
    }

    /// Starts `body` as a child task and returns at once, without running it.
    ///
    /// The child never runs before `startSoon` returns. A child started into a cancelled nursery
    /// still starts and is cancelled at its first checkpoint. Not a checkpoint (not `async`).
    ///
    /// ```swift
    /// let (send, receive) = makeMemoryObjectStream(of: Int.self)
    /// try await withNursery { nursery in
    ///     nursery.startSoon(name: "producer") {
    ///         defer { send.close() }                    // ends the consumer's loop
    ///         for n in 1...3 { try await send.send(n) }
    ///     }
    ///     nursery.startSoon {                           // named after this line
    ///         for try await n in receive { print("got", n) }
    ///     }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - name: The task's name, for errors and debugging; defaults to the call site.
    ///   - fileID: The call site's file, for the default name.
    ///   - line: The call site's line, for the default name.
    ///   - body: The task's code.
    /// - Returns: A handle to cancel the task alone or await its value; discardable.
    /// - Important: Starting a task in a nursery whose `withNursery` call has returned traps.
    /// - SeeAlso: AnyIO `TaskGroup.start_soon`.
    @discardableResult
    public func startSoon<T: Sendable>(
        name: String? = nil,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        _ body: sending @escaping () async throws -> T
    ) -> TaskHandle<T> {
        startSoonInTask(taskName: name.map(TaskName.given) ?? .callSite(fileID: fileID, line: line), body).handle
    }

    /// `startSoon`, also returning the Swift task that runs the child. Awaiting its `value`
    /// guarantees that the task has ended and released `body` (`AnyIOTesting` runs a test's
    /// non-escaping body as a library task with `withoutActuallyEscaping` this way, so that a
    /// virtual clock's autojump watches it).
    package func startSoonInTask<T: Sendable>(
        name: String,
        _ body: sending @escaping () async throws -> T
    ) -> (handle: TaskHandle<T>, task: Task<Void, Never>) {
        startSoonInTask(taskName: .given(name), body)
    }

    /// `startSoon` with a `TaskName`, returning the Swift task too.
    private func startSoonInTask<T: Sendable>(
        taskName name: TaskName,
        _ body: sending @escaping () async throws -> T
    ) -> (handle: TaskHandle<T>, task: Task<Void, Never>) {
        let storage = self.storage
        let child = ChildTask(name: name, nurseryScope: storage.scope)
        storage.admitMember(child)
        let task = child.launch {
            child.begin()
            do {
                let value = try await body()
                child.complete(.success(value))
            } catch {
                if !(error is CancellationError) { storage.recordFailure(taskName: child.name, error: error) }
                child.complete(.failure(error))
            }
            storage.childExited(child)
        }
        return (TaskHandle(child: child), task)
    }

    /// Starts `body` as a child task and waits until it reports readiness with
    /// ``TaskStatus/started(_:)``.
    ///
    /// Until `started` is called the child runs under the *caller's* cancel scopes (a `failAfter`
    /// around `start` bounds initialization only; cancelling the caller cancels the child);
    /// `started(value)` moves it into the nursery and `start` returns `value`.
    ///
    /// - An error thrown by the child before `started` is thrown by `start`, unwrapped, and does not
    ///   cancel the nursery.
    /// - A child that returns without calling `started` makes `start` throw ``StartError``.
    /// - If the caller is cancelled first, `start` waits for the child to finish (it is cancelled
    ///   too) and then throws `CancellationError` (or the child's own error); a `started` call made
    ///   after that returns `false` and is harmless.
    ///
    /// Starting is not a checkpoint: on an already cancelled nursery or caller the child still
    /// starts and is cancelled at its first checkpoint.
    ///
    /// ```swift
    /// let jobs = try await nursery.start(name: "worker") {
    ///     (status: consuming TaskStatus<MemoryObjectSendStream<String>>) in
    ///     let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 16)
    ///     status.started(send)   // `start` returns now, with the stream
    ///     for try await job in receive { print("working on", job) }
    /// }
    /// try await jobs.send("first job")
    /// ```
    ///
    /// - Parameters:
    ///   - name: The task's name, for errors and debugging; defaults to the call site.
    ///   - fileID: The call site's file, for the default name.
    ///   - line: The call site's line, for the default name.
    ///   - body: The task's code; it must call `started` on the status it receives.
    /// - Returns: The value passed to `started`.
    /// - Throws: The child's error before `started`; ``StartError``; `CancellationError`.
    /// - Important: Starting a task in a nursery whose `withNursery` call has returned traps.
    /// - SeeAlso: AnyIO `TaskGroup.start`, Trio `Nursery.start`.
    public func start<T: Sendable>(
        name: String? = nil,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        _ body: sending @escaping (consuming TaskStatus<T>) async throws -> Void
    ) async throws -> T {
        let storage = self.storage
        let host = currentBoundary()
        let child = ChildTask(
            name: name.map(TaskName.given) ?? .callSite(fileID: fileID, line: line),
            nurseryScope: storage.scope,
            startHost: host,
            // The parent is the host's logical task; only a caller outside every boundary must
            // be named (rare: the nursery's own body always has a boundary).
            startCaller: host == nil ? currentLogicalTask() : nil
        )
        let handshake = StartHandshake(child: child, nursery: storage)
        storage.admitPending(child)
        // UnsafeTransfer: `body` is sent to the child task, created exactly once below.
        let transfer = UnsafeTransfer(Optional(body))
        // Read with `StartHandshake` (the two sides) and `NurseryStorage.adopt` (the move).
        let value = try await handshake.callerWaits {
            let body = transfer.value!
            child.launch {
                child.begin()
                do {
                    try await body(TaskStatus(handshake))
                    handshake.childFinished(error: nil)
                } catch {
                    handshake.childFinished(error: error)
                }
                child.complete(.success(()))
                storage.childExited(child)
            }
        }
        // The child passed a `T` to `TaskStatus<T>.started`; the handshake only erased its type.
        return value as! T
    }
}

/// Runs `body` with a new nursery, and returns once the body and every child have finished.
///
/// The body runs on the caller's actor (it can be called from `@MainActor` code and touch that
/// actor's state), in a Swift task of its own that the nursery's scope cancels natively.
/// Entering is not a checkpoint.
///
/// - If the body or a child throws an error other than `CancellationError`, the nursery is
///   cancelled; when all tasks have finished, an ``ErrorGroup`` with every such error (in order,
///   each with its task's name) is thrown — even for a single error.
/// - If only cancellations happened: after ``Nursery/cancel(reason:)`` (or a cancellation of the
///   nursery's own scope) `withNursery` returns the body's value if it returned one, returns
///   normally if the body's type is `Void`, and otherwise throws `CancellationError`; a
///   cancellation of an enclosing scope propagates as `CancellationError`.
///
/// ```swift
/// try await withNursery { nursery in
///     nursery.startSoon { try await serveClients() }
///     let config = try await nursery.start { status in
///         status.started(try await loadConfig())
///     }
///     print("serving with", config)
/// }
/// ```
///
/// - Parameters:
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - fileID: The call site's file, naming the body in errors when no library task runs it.
///   - line: The call site's line.
///   - body: The code that starts children; it receives the nursery.
/// - Returns: The body's value.
/// - Throws: ``ErrorGroup``, or `CancellationError` as described above.
/// - SeeAlso: AnyIO `create_task_group()`, Trio `open_nursery()`.
@discardableResult
public func withNursery<T>(
    isolation: isolated (any Actor)? = #isolation,
    fileID: StaticString = #fileID,
    line: UInt = #line,
    _ body: (Nursery) async throws -> T
) async throws -> T {
    let scope = CancelScope()
    let owner = currentLogicalTask()
    let storage = NurseryStorage(scope: scope, owner: owner, location: .callSite(fileID: fileID, line: line))
    scope.setNursery(storage)
    // List the nursery in the task tree: under its owner, or as a root (see `TaskTreeRegistry`).
    switch owner {
    case .library(let child): child.nurseryOpened(storage)
    case .foreign(let reference): TaskTreeRegistry.shared.add(storage, owner: reference)
    }
    let nursery = Nursery(storage: storage)
    let bodyName = currentBoundary()?.owningTask?.name ?? TaskName.callSite(fileID: fileID, line: line).text
    var waitedForChildren = false
    let result = await runScopeBody(scope, isolation: isolation, { _ in try await body(nursery) }) { bodyError in
        if let bodyError, !(bodyError is CancellationError) {
            storage.recordFailure(taskName: bodyName, error: bodyError)
        }
        waitedForChildren = await storage.waitForChildren()
    }
    switch owner {
    case .library(let child): child.nurseryClosed(storage)
    case .foreign: TaskTreeRegistry.shared.remove(storage)
    }
    let failures = storage.close()
    if !failures.isEmpty {
        _ = scope.exit(bodyThrewCancellation: false)
        throw ErrorGroup(failures: failures)
    }
    // A cancellation from outside that was delivered inside the nursery leaves it, also when the
    // body itself returned (AnyIO raises it from the cancellable wait for children;
    // `test_cancel_child_task_when_host_is_shielded`). With no child to wait for or cancel,
    // leaving is not a checkpoint (`test_cancel_before_entering_task_group`).
    if case .success = result, waitedForChildren || storage.cancellationReachedChildren,
        scope.outsideCancellationVisible
    {
        _ = scope.exit(bodyThrewCancellation: true)
        throw CancellationError()
    }
    if let value = try finishScope(scope, result) { return value }
    return try valueAfterCaughtCancellation(T.self)
}
