//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Carries a value across an isolation boundary that the compiler cannot see through.
///
/// Every use says, next to it, why the value is never touched by two tasks at once.
// @unchecked Sendable: the wrapper adds no synchronization; each call site documents
// the happens-before edge (usually "written before a task starts, read after it ends").
struct UnsafeTransfer<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// A result written by one task just before it completes, and read by the task that awaited it.
// @unchecked Sendable: `result` is written exactly once, by the body task before it returns,
// and read only after `await task.value` returned, which orders the write before the read.
final class ResultSlot<Value>: @unchecked Sendable {
    var result: Result<Value, any Error>?
    init() {}
}
