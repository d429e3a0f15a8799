//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A resource that a library task holds and that must learn when the task ends while still
/// holding it (a `Lock` breaks then: Trio 0.27 semantics).
protocol HeldResource: AnyObject, Sendable {
    /// `task` ended while holding the resource. Called outside every library lock.
    func holderEnded(_ task: LogicalTask)
}
