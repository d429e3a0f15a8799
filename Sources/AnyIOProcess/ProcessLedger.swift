//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization

/// Records the pid of every child spawned while it is bound (a task-local), so that a test can
/// check that each of its own children was reaped, while other suites in the same process spawn
/// children of their own.
package final class ProcessLedger: Sendable {
    @TaskLocal package static var current: ProcessLedger?

    private let pids = StateLock<[Int32]>([])

    package init() {}

    /// Every pid spawned under this ledger, in order.
    package var spawned: [Int32] { pids.withLock { $0 } }

    func record(_ pid: Int32) {
        pids.withLock { $0.append(pid) }
    }
}
