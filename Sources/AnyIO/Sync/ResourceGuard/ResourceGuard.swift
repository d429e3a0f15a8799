//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// Makes sure a resource is used by one task at a time, by failing the second user instead of
/// making it wait.
///
/// A stream, for example, guards its `receive` with one so that two tasks receiving at once get a
/// clear ``BusyResourceError`` rather than interleaved data. Use a ``Lock`` instead when the
/// second user should wait its turn.
///
/// ```swift
/// final class Connection: Sendable {
///     private let receiveGuard = ResourceGuard(action: "reading from")
///
///     func receive() async throws -> [UInt8] {
///         try await receiveGuard.withGuard {
///             try await readFromSocket()
///         }
///     }
/// }
/// ```
///
/// All members may be used from any task or thread.
///
/// - SeeAlso: AnyIO `ResourceGuard`.
public final class ResourceGuard: Sendable {
    /// What the guarded use is, as a verb phrase: shown in the ``BusyResourceError`` ("another task
    /// is already *reading from* this resource").
    public let action: String

    /// Whether a `withGuard` body is running. Set on entry, cleared on exit.
    ///
    /// A plain flag under a lock is the whole state: there is no waiting, no continuation and no
    /// cancellation to coordinate, so the primitive pattern's state machine and storage layers
    /// would hold nothing. (`StateLock`, not an atomic, keeps it visible to Thread Sanitizer in
    /// the same way as every other primitive's state.)
    private let isGuarded = StateLock(false)

    /// Creates a guard.
    ///
    /// - Parameter action: What the guarded use is, a verb phrase that fits "another task is
    ///   already … this resource", such as `"reading from"` or `"writing to"`.
    /// - SeeAlso: AnyIO `ResourceGuard(action)`.
    public init(action: String = "using") {
        self.action = action
    }

    /// Marks the resource in use without a closure, for the library's own hot paths: `withGuard`
    /// takes an `isolation` parameter, and each call hops to that executor and back (two executor
    /// switches per guarded call, measurable on a buffered line or a socket receive).
    /// Pair every successful call with ``leave()``, also on error (`defer`).
    ///
    /// - Throws: ``BusyResourceError`` if another use is under way.
    package func enter() throws {
        let entered = isGuarded.withLock { isGuarded in
            if isGuarded { return false }
            isGuarded = true
            return true
        }
        guard entered else { throw BusyResourceError(action: action) }
    }

    /// Ends the use that ``enter()`` began.
    package func leave() {
        isGuarded.withLock { $0 = false }
    }

    /// Runs `body` as the only user of the resource; throws at once if another use is under way.
    ///
    /// The guard is held from entry until `body` returns or throws. The body runs in the calling
    /// task, on the caller's actor. Not a checkpoint: entering neither checks for cancellation
    /// nor yields (as AnyIO's `with guard:` is a synchronous context manager); only the body's own
    /// checkpoints are.
    ///
    /// A nested use from inside `body` counts as a second use too, and throws.
    ///
    /// - Parameters:
    ///   - isolation: The actor the body runs on; defaults to the caller's.
    ///   - body: The code that uses the resource.
    /// - Returns: What `body` returns.
    /// - Throws: ``BusyResourceError`` with this guard's ``action``, without running `body`, if
    ///   another use is under way; otherwise what `body` throws.
    /// - SeeAlso: AnyIO `with resource_guard:`.
    public func withGuard<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        try enter()
        defer { leave() }
        return try await body()
    }

    /// Whether a ``withGuard(isolation:_:)`` body is running now (a snapshot).
    public var isInUse: Bool {
        isGuarded.withLock { $0 }
    }
}

extension ResourceGuard: CustomStringConvertible {
    /// The action, and whether the resource is in use.
    public var description: String {
        "ResourceGuard(\"\(action)\", \(isInUse ? "in use" : "free"))"
    }
}
