//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// Counts the cancel points and schedule points that the library's checkpoints pass, for
/// `AnyIOTesting`'s checkpoint assertions (Trio's `assert_checkpoints`).
///
/// Counting is off unless some probe is active: every checkpoint then costs one relaxed atomic
/// load. While a probe is active anywhere in the process, checkpoints also read a task-local to
/// find the probe of the running code (tasks started inside a probed block inherit it).
package final class CheckpointProbe: Sendable {
    /// How many probes are active in the process.
    private static let activeCount = Atomic<Int>(0)

    /// The probe of the running code, if any.
    @TaskLocal private static var current: CheckpointProbe?

    private let counts = Atomic<Int>(0)
    private let scheduleCounts = Atomic<Int>(0)

    package init() {}

    /// Cancel points passed (checks for cancellation that could have thrown).
    package var cancelPoints: Int { counts.load(ordering: .relaxed) }
    /// Schedule points passed (yields and suspensions).
    package var schedulePoints: Int { scheduleCounts.load(ordering: .relaxed) }

    /// Runs `body` with this probe counting the checkpoints of the running code.
    package func measure<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async rethrows -> T {
        Self.activeCount.wrappingAdd(1, ordering: .relaxed)
        defer { Self.activeCount.wrappingSubtract(1, ordering: .relaxed) }
        return try await Self.$current.withValue(self, operation: body, isolation: isolation)
    }

    static func countCancelPoint() {
        guard activeCount.load(ordering: .relaxed) > 0 else { return }
        current?.counts.wrappingAdd(1, ordering: .relaxed)
    }

    static func countSchedulePoint() {
        guard activeCount.load(ordering: .relaxed) > 0 else { return }
        current?.scheduleCounts.wrappingAdd(1, ordering: .relaxed)
    }
}
