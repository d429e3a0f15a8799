//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Thrown by a receive operation when the other side has closed and nothing is left to receive.
///
/// A memory object stream throws it from ``MemoryObjectReceiveStream/receive()`` once every send
/// endpoint (clones included) is closed and the buffer is empty. Iterating the receive stream
/// with `for try await` ends the loop instead of throwing it.
///
/// - SeeAlso: AnyIO `EndOfStream`, Trio `EndOfChannel`.
public struct EndOfStreamError: Error, Hashable, CustomStringConvertible {
    /// Creates the error.
    public init() {}

    /// Explains the error.
    public var description: String {
        "EndOfStreamError: every sender has closed and nothing is left to receive"
    }
}

/// Thrown when the resource was closed by the caller's own side and can no longer be used.
///
/// For example, calling ``MemoryObjectSendStream/send(_:)`` on an endpoint after its
/// ``MemoryObjectSendStream/close()``. A call that was already waiting when its own endpoint was
/// closed keeps waiting, as in AnyIO: it completes, or fails with the stream-wide
/// `EndOfStreamError` or `BrokenResourceError`.
///
/// - SeeAlso: AnyIO `ClosedResourceError`, Trio `ClosedResourceError`.
public struct ClosedResourceError: Error, Hashable, CustomStringConvertible {
    /// Creates the error.
    public init() {}

    /// Explains the error.
    public var description: String {
        "ClosedResourceError: this resource was closed on this side; open a new one (or keep a clone open) to go on using it"
    }
}

/// Thrown when the resource became unusable because of something outside the caller's control.
///
/// A memory object stream throws it from ``MemoryObjectSendStream/send(_:)`` once every receive
/// endpoint is closed: nobody could ever receive the item. A ``Lock`` throws it once the task that
/// held it ended without releasing it.
///
/// - SeeAlso: AnyIO `BrokenResourceError`, Trio `BrokenResourceError`.
public struct BrokenResourceError: Error, Hashable, CustomStringConvertible {
    /// What broke, for the description.
    public var reason: String

    /// Creates the error.
    ///
    /// - Parameter reason: What broke, in a few words.
    public init(reason: String = "the other side of the resource is gone") {
        self.reason = reason
    }

    /// Explains the error.
    public var description: String {
        "BrokenResourceError: \(reason)"
    }
}

/// Thrown when a task tries to use a resource that another task is already using.
///
/// ``ResourceGuard/withGuard(isolation:_:)`` throws it on the second concurrent use.
///
/// - SeeAlso: AnyIO `BusyResourceError`, Trio `BusyResourceError`.
public struct BusyResourceError: Error, Hashable, CustomStringConvertible {
    /// What the other task is doing with the resource, such as `"reading from"` or `"using"`.
    public var action: String

    /// Creates the error.
    ///
    /// - Parameter action: What the other task is doing with the resource, a verb phrase that
    ///   fits "Another task is already … this resource".
    public init(action: String = "using") {
        self.action = action
    }

    /// Explains the error.
    public var description: String {
        "BusyResourceError: another task is already \(action) this resource; wait for it to finish, or give each task its own"
    }
}
