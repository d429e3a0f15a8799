//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Lets threads outside Swift concurrency run async code: each call starts a task in the portal
/// and blocks the calling thread until it has a result.
///
/// Get a portal from ``withBlockingPortal(isolation:_:)`` (its tasks run in a nursery of the
/// calling task, for as long as the scope lasts) or from ``startBlockingPortal()`` (its tasks run
/// in a root task of their own, until ``stop(cancelRemaining:)``). Then hand it to code running on
/// other threads: a C library's callback thread, a thread you started, or a
/// ``ToThread/runSync(limiter:abandonOnCancel:_:)`` closure.
///
/// ```swift
/// let portal = startBlockingPortal()
/// defer { portal.stop() }                          // waits for the portal's tasks
/// let page = try portal.call { try await fetch(url) }
/// ```
///
/// The blocking methods (``call(fileID:line:_:)``, ``startTask(name:fileID:line:_:)``,
/// ``withResource(from:_:)``, ``PortalTask/result()``) are for threads only: called from inside a
/// Swift task they would block a thread of the cooperative pool, which can deadlock it, so they
/// trap. Tasks call async code directly, or use ``startTaskSoon(name:fileID:line:_:)`` and
/// ``PortalTask/value``.
///
/// Every task started through a portal runs in its own cancel scope (see ``PortalTask/cancel()``);
/// its errors go to its caller, never to the portal's nursery.
///
/// - SeeAlso: AnyIO `anyio.from_thread.BlockingPortal` and `start_blocking_portal`.
public final class BlockingPortal: Sendable {
    let storage = BlockingPortalStorage()

    init() {}

    deinit {
        // Safety net for a started portal dropped without `stop()`: its host stops taking work
        // (nobody can submit any more) and its root task ends once its tasks have finished.
        storage.stop(cancelRemaining: false)
    }

    /// Whether the portal accepts new calls: `false` once it has stopped.
    public var isRunning: Bool { storage.isRunning }

    /// Runs `body` as a task in the portal, blocks the calling thread until it has ended, and
    /// returns its result.
    ///
    /// The task runs in its own cancel scope inside the portal's nursery; it is cancelled if the
    /// portal is stopped with `cancelRemaining: true` or its scope is cancelled.
    ///
    /// ```swift
    /// let user = try portal.call { try await database.user(id: 42) }
    /// ```
    ///
    /// - Parameters:
    ///   - fileID: The call site's file, naming the task.
    ///   - line: The call site's line.
    ///   - body: The async code to run.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws; `CancellationError` if the task was cancelled;
    ///   ``BlockingPortalStoppedError`` if the portal has stopped.
    /// - Important: Traps if called from inside a Swift task (see the type's discussion).
    /// - SeeAlso: AnyIO `BlockingPortal.call(func)`.
    public func call<T: Sendable>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        _ body: @escaping @Sendable () async throws -> T
    ) throws -> T {
        Self.preconditionNotInTask("call(_:)")
        let job = PortalSoonJob(name: nil, fileID: fileID, line: line) { try await body() }
        try storage.submit(job)
        // The body returned a `T`; only its type was erased on the way.
        return try job.task.waitBlocking().get() as! T
    }

    /// Starts `body` as a task in the portal and returns a handle at once, without waiting.
    ///
    /// Callable from threads and from tasks (it does not block). The task starts soon after, in
    /// its own cancel scope inside the portal's nursery.
    ///
    /// ```swift
    /// let task = try portal.startTaskSoon(name: "refresh") { try await cache.refresh() }
    /// try task.result()
    /// ```
    ///
    /// - Parameters:
    ///   - name: The task's name; defaults to the call site.
    ///   - fileID: The call site's file, for the default name.
    ///   - line: The call site's line, for the default name.
    ///   - body: The async code to run.
    /// - Returns: A handle to wait for the task's result or cancel it.
    /// - Throws: ``BlockingPortalStoppedError`` if the portal has stopped.
    /// - SeeAlso: AnyIO `BlockingPortal.start_task_soon(func, name=...)`.
    @discardableResult
    public func startTaskSoon<T: Sendable>(
        name: String? = nil,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        _ body: @escaping @Sendable () async throws -> T
    ) throws -> PortalTask<T> {
        let job = PortalSoonJob(name: name, fileID: fileID, line: line) { try await body() }
        try storage.submit(job)
        return PortalTask(storage: job.task)
    }

    /// Starts `body` as a task in the portal and blocks the calling thread until it reports
    /// readiness with ``TaskStatus/started(_:)``, as ``Nursery/start(name:fileID:line:_:)`` does.
    ///
    /// ```swift
    /// let (worker, jobs) = try portal.startTask {
    ///     (status: consuming TaskStatus<MemoryObjectSendStream<String>>) in
    ///     let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 16)
    ///     status.started(send)
    ///     for try await job in receive { print("working on", job) }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - name: The task's name; defaults to the call site.
    ///   - fileID: The call site's file, for the default name.
    ///   - line: The call site's line, for the default name.
    ///   - body: The async code to run; it must call `started` on the status it receives.
    /// - Returns: A handle on the task, and the value it passed to `started`.
    /// - Throws: The body's error if it failed before `started`; ``StartError`` if it returned
    ///   without calling `started`; `CancellationError` if it was cancelled first;
    ///   ``BlockingPortalStoppedError`` if the portal has stopped.
    /// - Important: Traps if called from inside a Swift task (see the type's discussion).
    /// - SeeAlso: AnyIO `BlockingPortal.start_task(func, name=...)`.
    public func startTask<T: Sendable, Started: Sendable>(
        name: String? = nil,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        _ body: @escaping @Sendable (consuming TaskStatus<Started>) async throws -> T
    ) throws -> (task: PortalTask<T>, value: Started) {
        Self.preconditionNotInTask("startTask(_:)")
        let job = PortalStartJob<Started>(name: name, fileID: fileID, line: line) { status in
            try await body(status)
        }
        try storage.submit(job)
        let value = try job.startedValue.wait().get()
        return (PortalTask(storage: job.task), value)
    }

    /// Runs `body` on the calling thread with a resource that an async scope provides, keeping the
    /// scope open (in a portal task) until `body` has returned.
    ///
    /// `scope` is the async side: it opens the resource, calls `use` with it, and closes it when
    /// `use` returns — typically by wrapping a `with…` function. `use` returns once `body` has
    /// returned on the calling thread; if `body` threw, `use` throws the same error, so the scope
    /// can react to it (roll back, say).
    ///
    /// ```swift
    /// let count = try portal.withResource(from: { use in
    ///     try await withConnection(to: server) { connection in try await use(connection) }
    /// }) { connection in
    ///     try portal.call { try await connection.count() }
    /// }
    /// ```
    ///
    /// Unlike a Python context manager, the scope cannot suppress `body`'s error: `body` has no
    /// value to return then, so its error is rethrown even if the scope returns normally.
    ///
    /// - Parameters:
    ///   - scope: The async code that provides the resource; it must call `use` exactly once.
    ///   - body: The code to run on this thread with the resource.
    /// - Returns: What `body` returns.
    /// - Throws: What `scope` throws (while opening, or when closing); otherwise what `body`
    ///   throws; ``BlockingPortalStoppedError`` if the portal has stopped.
    /// - Important: Traps if called from inside a Swift task (see the type's discussion), and if
    ///   `scope` returns without calling `use` or calls it twice.
    /// - SeeAlso: AnyIO `BlockingPortal.wrap_async_context_manager(cm)`.
    public func withResource<Resource: Sendable, T>(
        from scope: @escaping @Sendable (
            _ use: @escaping @Sendable (Resource) async throws -> Void
        ) async throws -> Void,
        _ body: (Resource) throws -> T
    ) throws -> T {
        Self.preconditionNotInTask("withResource(from:_:)")
        let entered = ThreadLatch<Result<Resource, any Error>>()
        let exit = Event()
        let bodyError = ThreadLatch<any Error>()
        let task = try startTaskSoon { () async throws -> Void in
            do {
                try await scope { resource in
                    guard entered.set(.success(resource)) else {
                        fatalError("AnyIO: BlockingPortal.withResource(from:_:): the scope called `use` more than once")
                    }
                    try await exit.wait()
                    if let error = bodyError.currentValue { throw error }
                }
            } catch {
                // Failed to open (or to close): a thread still waiting to enter gets the error.
                entered.set(.failure(error))
                throw error
            }
            if entered.currentValue == nil {
                fatalError("AnyIO: BlockingPortal.withResource(from:_:): the scope returned without calling `use`")
            }
        }
        let resource: Resource
        switch entered.wait() {
        case .success(let value):
            resource = value
        case .failure(let error):
            throw error
        }
        let outcome = Result { try body(resource) }
        if case .failure(let error) = outcome { bodyError.set(error) }
        exit.set()
        try task.result()
        return try outcome.get()
    }

    /// Stops the portal: it accepts no new calls, and with `cancelRemaining` its running tasks are
    /// cancelled; called from a thread outside Swift concurrency, it then waits until every task
    /// of the portal has ended.
    ///
    /// Tasks already submitted still start (and are cancelled at once with `cancelRemaining`).
    /// Later calls throw ``BlockingPortalStoppedError``. Idempotent: a second call can still
    /// cancel the remaining tasks.
    ///
    /// Called from inside a Swift task it does not wait, as AnyIO's async `stop()` (waiting there
    /// could deadlock, for example inside one of the portal's own tasks); the end of
    /// ``withBlockingPortal(isolation:_:)`` waits for the tasks instead.
    ///
    /// - Parameter cancelRemaining: Whether to cancel the tasks that have not ended, instead of
    ///   letting them finish.
    /// - Important: Do not call it from a ``ToThread/runSync(limiter:abandonOnCancel:_:)`` closure
    ///   whose caller is one of this portal's tasks: it would wait for itself.
    /// - SeeAlso: AnyIO `BlockingPortal.stop(cancel_remaining)`, and leaving
    ///   `start_blocking_portal()`'s context, which waits for the portal's thread.
    public func stop(cancelRemaining: Bool = false) {
        storage.stop(cancelRemaining: cancelRemaining)
        if !Self.isInsideTask { storage.waitUntilFinishedBlocking() }
    }

    /// Waits until the portal is stopped. A checkpoint.
    ///
    /// Serve a portal from a task until some thread calls ``stop(cancelRemaining:)``:
    ///
    /// ```swift
    /// try await withBlockingPortal { portal in
    ///     startLegacyService(portal)          // its threads call portal.call { … }
    ///     try await portal.waitUntilStopped()
    /// }
    /// ```
    ///
    /// - Throws: `CancellationError` if the waiting task is cancelled.
    /// - SeeAlso: AnyIO `BlockingPortal.sleep_until_stopped()`.
    public nonisolated(nonsending) func waitUntilStopped() async throws {
        try await storage.stopped.wait()
    }

    /// Whether the calling code runs in a Swift task (as opposed to a plain thread).
    static var isInsideTask: Bool {
        withUnsafeCurrentTask { $0 != nil }
    }

    /// Traps if a blocking portal method is called from a Swift task.
    static func preconditionNotInTask(_ function: String) {
        if isInsideTask {
            fatalError("""
                AnyIO: BlockingPortal.\(function) blocks the calling thread, so it must not be called from a Swift \
                task: blocking a thread of the cooperative pool can deadlock it. Call async code directly with \
                await, or use startTaskSoon(_:) and `await task.value`.
                """)
        }
    }
}

extension BlockingPortal: CustomStringConvertible {
    /// Whether the portal is running.
    public var description: String { "BlockingPortal(\(isRunning ? "running" : "stopped"))" }
}
