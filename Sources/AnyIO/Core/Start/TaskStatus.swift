//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The readiness handshake of a task started with ``Nursery/start(name:fileID:line:_:)``.
///
/// The child calls ``started(_:)`` once it is ready; `start` then returns the value, and the child
/// moves from its caller's cancel scopes into the nursery. `TaskStatus` is non-copyable and
/// `started` is `consuming`, so calling it twice on one path **does not compile** — the mistake
/// AnyIO can only report at run time.
///
/// ```swift
/// let jobs = try await nursery.start { (status: consuming TaskStatus<MemoryObjectSendStream<String>>) in
///     let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 16)
///     status.started(send)
///     for try await job in receive { print("working on", job) }
/// }
/// ```
///
/// A closure cannot consume a captured non-copyable value. To report readiness from inside a
/// scope body, move the status into an `Optional` first; a second `take()` yields `nil`:
///
/// ```swift
/// var status = Optional(consume status)
/// try await withCancelScope { _ in
///     status.take()?.started(value)
///     …
/// }
/// ```
///
/// - SeeAlso: AnyIO `TaskStatus`.
public struct TaskStatus<Value: Sendable>: ~Copyable, Sendable {
    let handshake: StartHandshake?

    init(_ handshake: StartHandshake?) {
        self.handshake = handshake
    }

    /// A status that discards the value, so a function written for `start` can be called directly.
    ///
    /// - SeeAlso: AnyIO `TASK_STATUS_IGNORED`.
    public static var ignored: TaskStatus<Value> { TaskStatus(nil) }

    /// Reports that the task is ready, with `value` for the caller of `start`.
    ///
    /// Moves the task into the nursery (also into a cancelled nursery, where it is then
    /// cancelled). Not a checkpoint.
    ///
    /// - Parameter value: What `start` returns.
    /// - Returns: `true` if the caller of `start` received the value; `false` if `start` was
    ///   cancelled or abandoned first — the value is dropped, the task is not moved and stays in
    ///   its cancelled scope (its next checkpoint throws). That is not an error. For ``ignored``,
    ///   `true`.
    /// - SeeAlso: AnyIO `TaskStatus.started(value)`.
    @discardableResult
    public consuming func started(_ value: Value) -> Bool {
        guard let handshake else { return true }
        return handshake.started(value)
    }
}

extension TaskStatus where Value == Void {
    /// Reports that the task is ready. See ``started(_:)``.
    ///
    /// - Returns: `false` if `start` was cancelled or abandoned first.
    /// - SeeAlso: AnyIO `TaskStatus.started()`.
    @discardableResult
    public consuming func started() -> Bool {
        started(())
    }
}
