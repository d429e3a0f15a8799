//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

/// What a task blocked on a child process waits for, as the task tree shows it:
/// `process 12345 (sleep 10)`, or `stdout of process 12345 (sleep 10)` for a pipe.
final class ProcessWaitSite: BlockingResource {
    let blockingDescription: String

    init(_ description: String) {
        blockingDescription = description
    }
}
