//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// The suites of the concurrency utilities (`gather`, `asCompleted`, `amap`), grouped so that
/// `swift test --filter Utilities` selects them.
@Suite("Concurrency utilities", .timeLimit(.minutes(1)))
enum UtilitiesTests {}

/// How a test cancels the task that calls the utility under test.
enum CallerCancellation: Sendable, CustomTestStringConvertible {
    /// `Task.cancel()` on the Swift task that runs it.
    case native
    /// `cancel()` on the library nursery that runs it as a child.
    case scope

    var testDescription: String {
        switch self {
        case .native: "Task.cancel()"
        case .scope: "nursery.cancel()"
        }
    }

    /// Runs `body` in a task, calls `whenRunning` from the test, then cancels that task the
    /// chosen way and waits for it to end.
    func run(
        _ body: @escaping @Sendable () async -> Void,
        whenRunning: () async throws -> Void
    ) async throws {
        switch self {
        case .native:
            let task = Task { await body() }
            do {
                try await whenRunning()
            } catch {
                task.cancel()
                throw error
            }
            task.cancel()
            await task.value
        case .scope:
            try await withNursery { nursery in
                nursery.startSoon { await body() }
                try await whenRunning()
                nursery.cancel()
            }
        }
    }
}

/// Counts operations that sleep until cancelled: how many started, were cancelled, and ended.
final class SleepingOperations: Sendable {
    let started = TestBox(0)
    let exited = TestBox(0)
    let cancelled = TestBox(0)

    /// One operation: counts its start, sleeps until cancelled, counts the cancellation and its end.
    func run() async throws -> Int {
        started.update { $0 += 1 }
        defer { exited.update { $0 += 1 } }
        do {
            try await sleepForever()
        } catch {
            if error is CancellationError { cancelled.update { $0 += 1 } }
            throw error
        }
    }

    /// `count` operations, for the array forms.
    func operations(_ count: Int) -> [@Sendable () async throws -> Int] {
        (0..<count).map { _ in { try await self.run() } }
    }
}
