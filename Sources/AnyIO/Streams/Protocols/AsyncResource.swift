//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Something that holds an open resource — a stream, a file, a listener, a child process — and
/// releases it with ``close()``.
///
/// `close()` never throws and always closes: a caller that is cancelled while closing still
/// leaves the resource closed (an implementation then closes forcefully, without a graceful
/// goodbye to the peer). Closing twice is harmless. Conforming types also close in `deinit`, as a
/// safety net; the documented way is to close explicitly, or to let
/// ``executeThenClose(isolation:_:)`` do it.
///
/// ```swift
/// let file = try await openFile("/etc/hostname")
/// let name = try await file.executeThenClose { file in
///     try await file.readText()
/// }
/// ```
///
/// - SeeAlso: AnyIO `AsyncResource` (`async with resource:`).
public protocol AsyncResource: AnyObject, Sendable {
    /// Closes the resource.
    ///
    /// Never throws; always leaves the resource closed, also when the calling task is cancelled.
    /// Calling it again does nothing. A task blocked in an operation on the resource when another
    /// task closes it is woken with ``ClosedResourceError``.
    func close() async
}

extension AsyncResource {
    /// Runs `body` with the resource, then closes it, whether `body` returned, threw or was
    /// cancelled.
    ///
    /// The counterpart of Python's `async with resource:`.
    ///
    /// - Parameters:
    ///   - isolation: The actor the body runs on; defaults to the caller's.
    ///   - body: The code that uses the resource.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws; closing never throws.
    public func executeThenClose<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (Self) async throws -> T
    ) async throws -> T {
        let result: T
        do {
            result = try await body(self)
        } catch {
            await close()
            throw error
        }
        await close()
        return result
    }
}
