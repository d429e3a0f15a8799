//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Testing

/// The code snippets of the DocC articles and doc comments that show `start`, compiled and run
/// here so that they stay true (issue 10: every snippet must compile). Each test names where its
/// snippet stands; keep the two in step.
@Suite("Documentation snippets", .timeLimit(.minutes(1)))
struct DocSnippetTests {
    // Docs.docc/CancelScopesAndNurseries.md, "Starting a task and waiting for it to be ready";
    // the same snippet stands in the doc comments of `Nursery.start` and `TaskStatus`.
    @Test("start: a worker hands back the stream that feeds it")
    func startWorker() async throws {
        try await withNursery { nursery in
            let jobs = try await nursery.start(name: "worker") {
                (status: consuming TaskStatus<MemoryObjectSendStream<String>>) in
                let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 16)
                status.started(send)
                for try await job in receive { print("working on", job) }
            }
            try await jobs.send("first job")
            jobs.close()
        }
    }

    // Docs.docc/CancelScopesAndNurseries.md: readiness reported from inside a scope body.
    @Test("start: readiness from inside a scope body through Optional.take()")
    func startFromScopeBody() async throws {
        try await withNursery { nursery in
            let jobs = try await nursery.start { (status: consuming TaskStatus<MemoryObjectSendStream<String>>) in
                var status = Optional(consume status)
                try await moveOnAfter(.seconds(60)) { _ in
                    let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 16)
                    status.take()?.started(send)
                    for try await job in receive { print("working on", job) }
                }
            }
            try await jobs.send("first job")
            jobs.close()
        }
    }

    // Docs.docc/CancelScopesAndNurseries.md: a scope handed out before it is entered.
    @Test("start: handing out a scope created beforehand")
    func startHandsOutScope() async throws {
        try await withNursery { nursery in
            let scope = try await nursery.start { (status: consuming TaskStatus<CancelScope>) in
                let scope = CancelScope()
                status.started(scope)
                try await withCancelScope(scope) { _ in try await sleepForever() }
            }
            // Later: stops the child's work, which the scope catches.
            scope.cancel()
        }
    }

    // BlockingPortal.startTask's doc comment.
    @Test("BlockingPortal.startTask: a worker started from a thread")
    func portalStartTask() async throws {
        try await withBlockingPortal { portal in
            try await ToThread.runSync {
                let (worker, jobs) = try portal.startTask {
                    (status: consuming TaskStatus<MemoryObjectSendStream<String>>) in
                    let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 16)
                    status.started(send)
                    for try await job in receive { print("working on", job) }
                }
                try portal.call { try await jobs.send("first job") }
                jobs.close()
                try worker.result()
            }
        }
    }
}
