//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Work submitted to a ``BlockingPortal`` from a thread, started by the portal's host task.
protocol PortalJob: AnyObject, Sendable {
    /// The task the job runs as.
    var task: PortalTaskStorage { get }
    /// Starts the job as a child of `nursery` (called by the host). The child reports to
    /// `portal.taskFinished` when the job's body has ended.
    func start(in nursery: Nursery, portal: BlockingPortalStorage)
    /// The job will never start (the host was cancelled): complete it with `CancellationError`.
    func drop()
}

/// `BlockingPortal.startTaskSoon` (and `call`): run a body as a portal task.
final class PortalSoonJob: PortalJob {
    let task: PortalTaskStorage
    private let body: @Sendable () async throws -> any Sendable
    private let fileID: StaticString
    private let line: UInt
    /// The name given by the caller, if any (the task's name falls back to the call site).
    private let givenName: String?

    init(
        name: String?,
        fileID: StaticString,
        line: UInt,
        body: @escaping @Sendable () async throws -> any Sendable
    ) {
        givenName = name
        self.fileID = fileID
        self.line = line
        self.body = body
        task = PortalTaskStorage(name: name ?? TaskName.callSite(fileID: fileID, line: line).text)
    }

    func start(in nursery: Nursery, portal: BlockingPortalStorage) {
        let task = self.task, body = self.body
        nursery.startSoon(name: givenName, fileID: fileID, line: line) {
            await task.run(body)
            portal.taskFinished(task.id)
        }
    }

    func drop() {
        task.complete(.failure(CancellationError()))
    }
}

/// `BlockingPortal.startTask`: run a body that reports readiness, as `Nursery.start` does.
///
/// A helper child calls `nursery.start`, whose child runs the body as the portal task. The body's
/// errors never reach the nursery (they are the task's outcome), so when `start` throws (the body
/// failed before `started`, returned without calling it, or was cancelled), the helper reports the
/// body's own error if it had one.
final class PortalStartJob<Started: Sendable>: PortalJob {
    typealias Body = @Sendable (consuming TaskStatus<Started>) async throws -> any Sendable

    let task: PortalTaskStorage
    /// The value passed to `started`, or why there is none; set once.
    let startedValue = ThreadLatch<Result<Started, any Error>>()
    private let body: Body
    private let fileID: StaticString
    private let line: UInt
    private let givenName: String?

    init(name: String?, fileID: StaticString, line: UInt, body: @escaping Body) {
        givenName = name
        self.fileID = fileID
        self.line = line
        self.body = body
        task = PortalTaskStorage(name: name ?? TaskName.callSite(fileID: fileID, line: line).text)
    }

    func start(in nursery: Nursery, portal: BlockingPortalStorage) {
        let task = self.task, body = self.body, startedValue = self.startedValue
        let name = givenName, fileID = self.fileID, line = self.line
        nursery.startSoon(name: name, fileID: fileID, line: line) {
            do {
                let value: Started = try await nursery.start(name: name, fileID: fileID, line: line) {
                    (status: consuming TaskStatus<Started>) in
                    var status = Optional(consume status)
                    await task.run {
                        guard let status = status.take() else {
                            fatalError("AnyIO: internal error: a portal task's status was used twice")
                        }
                        return try await body(status)
                    }
                    portal.taskFinished(task.id)
                }
                startedValue.set(.success(value))
            } catch {
                // `start` threw StartError (the body returned without `started`) or the
                // cancellation of the whole portal; the body's own error says more, if it had one.
                if case .failure(let bodyError)? = task.result {
                    startedValue.set(.failure(bodyError))
                } else {
                    startedValue.set(.failure(error))
                }
            }
        }
    }

    func drop() {
        task.complete(.failure(CancellationError()))
        startedValue.set(.failure(CancellationError()))
    }
}
