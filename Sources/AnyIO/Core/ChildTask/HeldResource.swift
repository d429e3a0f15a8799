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
/// `package` so that sibling modules can name what their waits are on (a socket's addresses).
package protocol BlockingResource: AnyObject, Sendable {
    /// Who holds the resource and who waits for it, for the task tree (one line, no newline).
    var blockingDescription: String { get }
}

/// Names what the running library task is about to wait on, for the task tree (`nil`: it no
/// longer does). For the slow path of a wait only, by the waiting task itself; does nothing
/// outside a library task.
package func setCurrentTaskBlockedOn(_ resource: (any BlockingResource)?) {
    currentBoundary()?.logicalTask.child?.setBlockedOn(resource)
}
