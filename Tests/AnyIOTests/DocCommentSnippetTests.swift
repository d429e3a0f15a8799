//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Testing

// The doc-comment snippets that call the reader's own functions (`fetch`, `serveForever`, …),
// compiled here verbatim against the stand-ins below (issue 10: every snippet must compile).
// Each test names the doc comment its snippet stands in; keep the two in step. Lines marked
// `// (test)` are not part of the snippet.

private struct Page: Sendable {}
private let urls = ["a", "b"]
private let url = "a"
private let paths = ["a", "b"]
@Sendable private func fetch(_ url: String) async throws -> Page { try await LowLevel.checkpoint(); return Page() }
private func serveClients() async throws { try await sleepForever() }
private func loadConfig() async throws -> String { "config" }
private func doOtherBlockingWork() {}

@Suite("Doc-comment snippets", .timeLimit(.minutes(1)))
struct DocCommentSnippetTests {
    // Semaphore's doc comment.
    @Test func semaphore() async throws {
        let downloads = Semaphore(initialValue: 3)   // at most 3 at a time
        try await withNursery { nursery in
            for url in urls {
                nursery.startSoon {
                    try await downloads.withPermit { try await fetch(url) }
                }
            }
        }
    }

    // BlockingPortal's and PortalTask's doc comments.
    @Test func portal() async throws {
        try await ToThread.runSync {  // (test)
            let portal = startBlockingPortal()
            defer { portal.stop() }                          // waits for the portal's tasks
            let page = try portal.call { try await fetch(url) }
            _ = page  // (test)
            let download = try portal.startTaskSoon { try await fetch(url) }
            doOtherBlockingWork()
            let data = try download.result()        // blocks this thread until the task has ended
            _ = data  // (test)
        }  // (test)
    }

    // gather(_:)'s doc comment.
    @Test func gatherArray() async throws {
        let fetches: [@Sendable () async throws -> Page] = paths.map { path in
            { try await fetch(path) }
        }
        let pages = try await gather(fetches)
        #expect(pages.count == 2)  // (test)
    }

    // TaskHandle's doc comment.
    @Test func taskHandle() async throws {
        try await withNursery { nursery in
            let download = nursery.startSoon(name: "download") { try await fetch(url) }
            let data = try await download.value
            _ = data  // (test)
        }
    }

    // withNursery's doc comment.
    @Test func withNurseryStartAndServe() async throws {
        try await withNursery { nursery in
            nursery.startSoon { try await serveClients() }
            let config = try await nursery.start { status in
                status.started(try await loadConfig())
            }
            print("serving with", config)
            nursery.cancel()  // (test)
        }
    }

    // Runner.run's doc comment. Compiled, not run: only one `Runner.run` may be active in the
    // process, and RunnerTests runs its own in parallel with this suite.
    static func runnerSnippet() async throws {
        let outcome: Void? = try await Runner.run(gracePeriod: .seconds(3)) { root in
            try await withNursery { nursery -> Void in
                nursery.startSoon(name: "server") {
                    do {
                        try await serveForever()
                    } catch is CancellationError {
                        // Ctrl+C: flush state, bounded by its own deadline.
                        try await moveOnAfter(.milliseconds(500), shield: true) { _ in
                            try await flushState()
                        }
                        throw CancellationError()
                    }
                }
            }
        }
        if outcome == nil { print("interrupted, shut down cleanly") }
    }
}

private func serveForever() async throws { try await sleepForever() }
private func flushState() async throws {}
