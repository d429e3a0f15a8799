//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A resource that a library task holds and that must learn when the task ends while still
/// holding it (a `Lock` breaks then: Trio 0.27 semantics).
protocol HeldResource: AnyObject, Sendable {
    /// `task` ended while holding the resource. Called outside every library lock.
    func holderEnded(_ task: LogicalTask)
}

/// A resource a task can wait for while another task holds it (a `Lock`): the task tree asks it
/// who holds it and who waits, so that a stuck program names the culprit.
protocol BlockingResource: AnyObject, Sendable {
    /// Who holds the resource and who waits for it, for the task tree (one line, no newline).
    var blockingDescription: String { get }
}
