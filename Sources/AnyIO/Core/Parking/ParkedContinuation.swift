//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A parked task's continuation together with the mark of its wait (see `WaitMark`).
///
/// Every resume ends the mark first, so a task that has been resumed is never still counted as
/// blocked. The primitives' state machines are generic over their waiter and store this in place
/// of a bare continuation; single resumption is still each state machine's guarantee.
@usableFromInline
package struct ParkedContinuation<T, E: Error>: Sendable {
    @usableFromInline let continuation: UnsafeContinuation<T, E>
    @usableFromInline let mark: WaitMark

    @inlinable
    init(_ continuation: UnsafeContinuation<T, E>, _ mark: WaitMark) {
        self.continuation = continuation
        self.mark = mark
    }

    @inlinable
    package func resume(returning value: sending T) {
        mark.end()
        continuation.resume(returning: value)
    }

    @inlinable
    package func resume(throwing error: E) {
        mark.end()
        continuation.resume(throwing: error)
    }

    @inlinable
    package func resume(with result: sending Result<T, E>) {
        mark.end()
        continuation.resume(with: result)
    }
}

extension ParkedContinuation where T == Void {
    @inlinable
    package func resume() {
        mark.end()
        continuation.resume()
    }
}
