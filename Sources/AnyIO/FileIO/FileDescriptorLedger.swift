//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// A record of the descriptors that the file layer opened and has not closed yet, for tests.
///
/// Every descriptor this folder opens goes through ``FileSystemCalls/openDescriptor(_:flags:mode:ledger:)``
/// (or `mkstemp` in ``FileSystemCalls/makeTemporaryFile(ledger:)``) and every one it closes
/// through ``FileSystemCalls/closeDescriptor(_:ledger:)``; both record into the ledger that was
/// bound to ``current`` when the object was opened (captured then, so a close on another task or
/// in `deinit` still records into the right ledger). A test binds its own ledger and checks
/// ``openCount`` at the end: deterministic, unlike counting `/proc/self/fd` while other suites
/// run in the same process.
package final class FileDescriptorLedger: Sendable {
    /// The ledger that opens in this task record into; `nil` (the default) records nothing.
    @TaskLocal package static var current: FileDescriptorLedger?

    /// Open descriptors and the path each was opened for. Changes on every open and close.
    private let entries = StateLock<[Int32: String]>([:])

    package init() {}

    /// How many recorded descriptors are still open.
    package var openCount: Int { entries.withLock { $0.count } }

    /// The paths of the recorded descriptors that are still open, sorted, for failure messages.
    package var openPaths: [String] { entries.withLock { $0.values.sorted() } }

    /// Records that `descriptor` was opened for `path`. Call after the `open` returned.
    package func recordOpen(_ descriptor: Int32, path: String) {
        entries.withLock { $0[descriptor] = path }
    }

    /// Records that `descriptor` is being closed. Call *before* `close(2)`: once it is closed
    /// another thread may get the same number from its own `open`.
    package func recordClose(_ descriptor: Int32) {
        entries.withLock { _ = $0.removeValue(forKey: descriptor) }
    }
}
