//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The shared state of one task started through a ``BlockingPortal``: its cancel scope and its
/// outcome, which threads block for and tasks await.
///
/// Not generic: the value travels as `any Sendable` and ``PortalTask`` casts it back.
final class PortalTaskStorage: Sendable {
    typealias Outcome = Result<any Sendable, any Error>

    /// A process-wide unique id (the portal's key for the job).
    let id = WaiterID.next().rawValue
    /// The task's name: the one given, or its call site.
    let name: String
    /// The scope the body runs in; cancelling it cancels the task, also before it has started.
    let scope = CancelScope()
    /// The outcome, set once when the body ended (or when it will never start).
    private let outcome = ThreadLatch<Outcome>()
    /// Set together with `outcome`, for tasks awaiting it.
    private let finished = Event()

    init(name: String) {
        self.name = name
    }

    /// Runs `body` as this task: in its cancel scope, recording the outcome. A body ended by the
    /// scope's own cancellation ends with `CancellationError`.
    func run(_ body: () async throws -> any Sendable) async {
        let result: Outcome
        do {
            if let value = try await withCancelScope(scope, { _ in try await body() }) {
                result = .success(value)
            } else {
                result = .failure(CancellationError())
            }
        } catch {
            result = .failure(error)
        }
        complete(result)
    }

    /// Records the outcome (the first one wins) and wakes everyone waiting for it.
    func complete(_ result: Outcome) {
        if outcome.set(result) { finished.set() }
    }

    /// Cancels the task (see `scope`).
    func cancel() {
        scope.cancel(reason: "the portal task was cancelled")
    }

    /// The outcome, if the task has ended.
    var result: Outcome? { outcome.currentValue }

    /// Blocks the calling OS thread until the task has ended.
    func waitBlocking() -> Outcome {
        outcome.wait()
    }

    /// Waits for the task to end. A checkpoint.
    nonisolated(nonsending) func wait() async throws -> Outcome {
        try await finished.wait()
        guard let result = outcome.currentValue else {
            fatalError("AnyIO: internal error: a portal task's event was set without an outcome")
        }
        return result
    }
}
