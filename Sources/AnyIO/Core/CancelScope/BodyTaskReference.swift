//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A strong reference to a boundary's task (a scope body or a nursery child), usable from any
/// thread to cancel it.
///
/// `withUnsafeCurrentTask` hands out a retained reference (the standard library retains the task
/// for it), and the body task is an unstructured, heap-allocated task, so holding the reference
/// keeps the task object alive exactly like a `Task` handle does; `cancel()` on it is the same
/// runtime call as `Task.cancel()`.
// @unchecked Sendable: the only operation used across threads is `cancel()`, which the runtime
// makes thread-safe; the reference is dropped when the scope exits.
struct BodyTaskReference: @unchecked Sendable {
    private let task: UnsafeCurrentTask

    init(_ task: UnsafeCurrentTask) {
        self.task = task
    }

    func cancel() {
        task.cancel()
    }
}
