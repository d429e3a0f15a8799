//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// A one-value cell that a child task of `gather` or `amap` fills with its operation's result,
/// and that the caller reads synchronously once the nursery has finished.
///
/// Reading is synchronous on purpose: once `withNursery` has returned normally every result is
/// in, and an `await` (such as `TaskHandle.value`, a checkpoint) would let a cancellation that
/// arrived after the last operation finished throw the results away (SPEC C5: a cancellation
/// after the body's last checkpoint leaves the result intact).
final class OperationResultSlot<Value: Sendable>: Sendable {
    /// The operation's value: `nil` until the child stores it, then set once and never changed.
    private let storage = StateLock<Value?>(nil)

    init() {}

    /// Stores the operation's value. Called once, by the child task that ran the operation.
    func store(_ value: Value) {
        storage.withLock { $0 = value }
    }

    /// The stored value.
    ///
    /// Called after the nursery returned normally. The slot can then be empty only if its
    /// operation ended with a `CancellationError` that no cancelled scope explains (the operation
    /// threw one itself); the nursery absorbs those (SPEC N4), so the caller has no value to
    /// return and reports the cancellation.
    ///
    /// - Throws: `CancellationError` if the operation did not produce a value.
    func value() throws -> Value {
        guard let value = storage.withLock({ $0 }) else { throw CancellationError() }
        return value
    }
}
