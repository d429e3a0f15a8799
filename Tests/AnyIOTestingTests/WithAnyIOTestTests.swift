//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIOTesting
import Testing

@Suite("withAnyIOTest and the .anyIO trait", .timeLimit(.minutes(1)))
struct WithAnyIOTestTests {
    @Test("the body runs and its value is returned")
    func returnsValue() async throws {
        let value = try await withAnyIOTest { 42 }
        #expect(value == 42)
    }

    @Test("a body past its time limit is cancelled, reported with its task tree, and throws TimeoutError")
    func timeLimit() async throws {
        let start = ContinuousClock.now
        try await withKnownIssue {
            try await withAnyIOTest("stuck test", timeLimit: .milliseconds(300)) {
                try await withNursery { nursery in
                    _ = nursery.startSoon(name: "stuck child") { try await Event().wait() }
                    try await sleepForever()
                }
            }
        } matching: { issue in
            let text = String(describing: issue)
            // The recorded issue names the test and shows what the child waited on; the thrown
            // error is the second (known) issue.
            return (text.contains("stuck test ran into its time limit") && text.contains("\"stuck child\" #")
                && text.contains("waiting in Event.wait()")) || text.contains("TimeoutError")
        }
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("a Task { } left running in a nursery is reported as a leak and cancelled")
    func leakReported() async throws {
        let cancelled = Event()
        let leaked = TaskBox()
        try await withKnownIssue {
            try await withAnyIOTest("leaky test") {
                leaked.task = Task {
                    // Cancelling the nursery ends it normally (it caught its own cancellation).
                    try? await withNursery { nursery in
                        _ = nursery.startSoon(name: "leaked child") { try await sleepForever() }
                    }
                    cancelled.set()
                }
                // Make sure the leak is in the tree before the body returns.
                while currentTaskTree().allTasks.contains(where: { $0.task.name == "leaked child" }) == false {
                    await Task.yield()
                }
            }
        } matching: { issue in
            let text = String(describing: issue)
            return text.contains("leaky test left tasks running") && text.contains("\"leaked child\" #")
        }
        // The leak check cancelled the leaked nursery.
        try await cancelled.wait()
        await leaked.task?.value
    }

    @Test("tasks that end before the body returns are not leaks")
    func noLeak() async throws {
        try await withAnyIOTest {
            let task = Task {
                try await withNursery { nursery in
                    _ = nursery.startSoon { try await sleep(for: .milliseconds(5)) }
                }
            }
            try await task.value
        }
    }

    @Test("waitAllTasksBlocked inside sees the test's own tasks only", .anyIO(timeLimit: .seconds(10)))
    func waitAllTasksBlockedIsPerTest() async throws {
        // A busy task outside this test (no tag) must not hold up waitAllTasksBlocked here.
        let stop = Event()
        let busy = Task.detached {
            try await withNursery { nursery in
                _ = nursery.startSoon(name: "busy elsewhere") {
                    while !stop.isSet { try await LowLevel.checkpoint() }
                }
            }
        }
        try await withNursery { nursery in
            nursery.startSoon { try await stop.wait() }
            try await waitAllTasksBlocked()
            stop.set()
        }
        try await busy.value
    }
}

/// Holds a task for a test (set once inside the body, read after).
final class TaskBox: @unchecked Sendable {
    // @unchecked Sendable: written once by the test body before it returns, read after it
    // returned; the body's return orders the two.
    var task: Task<Void, Never>?
}
