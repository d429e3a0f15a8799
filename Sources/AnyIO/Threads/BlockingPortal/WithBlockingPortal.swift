//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Runs `body` with a ``BlockingPortal`` whose tasks run in a nursery of the calling task.
///
/// While `body` runs, other threads can use the portal to run async code (in this task's
/// context: its cancel scopes apply to the portal's tasks). When `body` returns, the portal stops
/// accepting calls and this function waits until every task started through it has ended; if
/// `body` throws, those tasks are cancelled first. Entering is not a checkpoint.
///
/// ```swift
/// try await withBlockingPortal { portal in
///     try await ToThread.runSync {
///         legacyLibrary.run(callback: { event in
///             try? portal.call { await events.send(event) }   // from the library's thread
///         })
///     }
/// }
/// ```
///
/// - Parameters:
///   - isolation: The actor the body runs on; defaults to the caller's.
///   - body: The code to run while the portal is open; it receives the portal.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws (unwrapped); `CancellationError` if the enclosing scope is
///   cancelled.
/// - SeeAlso: AnyIO `async with BlockingPortal() as portal:`.
@discardableResult
public func withBlockingPortal<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (BlockingPortal) async throws -> T
) async throws -> T {
    let portal = BlockingPortal()
    let storage = portal.storage
    var outcome: Result<T, any Error>?
    try await withNursery(isolation: isolation) { nursery in
        nursery.startSoon(name: "BlockingPortal host") { await storage.runHost(nursery) }
        do {
            outcome = .success(try await body(portal))
        } catch {
            outcome = .failure(error)
        }
        // Stop taking calls; the nursery then waits for the portal's tasks. On an error, cancel
        // them first, as AnyIO's task group does when its body raises. The body's error is kept
        // out of the nursery so that it is rethrown as is, not in an ErrorGroup.
        if case .failure = outcome {
            storage.stop(cancelRemaining: true)
        } else {
            storage.stop(cancelRemaining: false)
        }
    }
    guard let outcome else {
        fatalError("AnyIO: internal error: withBlockingPortal ended without an outcome")
    }
    return try outcome.get()
}

/// Starts a ``BlockingPortal`` whose tasks run in a root task of their own, for threads outside
/// Swift concurrency.
///
/// Returns at once; calls made before the portal's task is running wait for it. The portal runs
/// until ``BlockingPortal/stop(cancelRemaining:)``, which (called from a thread) also waits for its
/// tasks to end. Its tasks are not inside any caller's cancel scope: only `stop` and
/// ``PortalTask/cancel()`` cancel them.
///
/// ```swift
/// func main() throws {                     // synchronous code
///     let portal = startBlockingPortal()
///     defer { portal.stop() }
///     print(try portal.call { try await fetchGreeting() })
/// }
/// ```
///
/// - Returns: The running portal.
/// - SeeAlso: AnyIO `start_blocking_portal()`, which runs a new event loop in a new thread.
public func startBlockingPortal() -> BlockingPortal {
    let portal = BlockingPortal()
    let storage = portal.storage
    Task.detached {
        // Nothing in a portal task fails its nursery (errors go to the callers), so this does
        // not throw.
        try? await withNursery { nursery in await storage.runHost(nursery) }
    }
    return portal
}
