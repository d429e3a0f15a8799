//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A `FromThread.run` call: async code that a worker thread asks its caller task to run, and the
/// reply the worker thread blocks for.
///
/// Type-erased (the value travels as `any Sendable`), so that `WorkerCall` stays non-generic.
final class FromThreadRequest: Sendable {
    typealias Reply = Result<any Sendable, any Error>

    /// The code to run in the caller's task.
    private let body: @Sendable () async throws -> any Sendable
    /// Set once: by `run()` with the body's outcome, or by `reject()`.
    private let reply = ThreadLatch<Reply>()

    init(_ body: @escaping @Sendable () async throws -> any Sendable) {
        self.body = body
    }

    /// Runs the body in the calling task (the `ToThread.runSync` caller) and sends its outcome to
    /// the blocked worker thread.
    func run() async {
        let outcome: Reply
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        reply.set(outcome)
    }

    /// Refuses the request: the caller left (abandoned), so the worker thread gets
    /// `CancellationError`.
    func reject() {
        reply.set(.failure(CancellationError()))
    }

    /// Blocks the worker thread until the request was run or refused.
    func waitForReply() -> Reply {
        reply.wait()
    }
}
