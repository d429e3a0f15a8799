//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Something that accepts connections and hands each one to a handler: a TCP or Unix listener,
/// or a TLS listener around one.
///
/// ```swift
/// try await withNursery { nursery in
///     try await listener.serve(nursery: nursery) { stream in
///         try await stream.send("hello\n")
///     }
/// }
/// ```
///
/// - SeeAlso: AnyIO `Listener`, Trio `Listener` and `serve_listeners`.
public protocol Listener<Stream>: AsyncResource, TypedAttributeProvider {
    /// What a connection is.
    associatedtype Stream: AsyncResource

    /// Accepts connections until cancelled, running `handler` for each one in a child task of
    /// `nursery` (or of an internal nursery, if `nil`).
    ///
    /// The connection is closed after the handler returns or throws. An error of the handler
    /// fails the nursery it runs in (so the serving stops) unless the handler catches it.
    /// Per-connection accept failures (a connection aborted by its client, too many open files
    /// for a moment) do not stop the serving.
    ///
    /// - Parameters:
    ///   - nursery: Where the handlers run; `nil` runs them in a nursery inside this call.
    ///   - handler: The code for one connection.
    /// - Throws: `CancellationError` when the serving is cancelled; the error that stopped the
    ///   listener; a handler's error (with an internal nursery).
    func serve(nursery: Nursery?, _ handler: @escaping @Sendable (Stream) async throws -> Void)
        async throws -> Never
}

extension Listener {
    /// Accepts connections until cancelled, running `handler` for each one in a child task of a
    /// nursery inside this call.
    ///
    /// - Parameter handler: The code for one connection.
    /// - Throws: What ``serve(nursery:_:)`` throws.
    public func serve(_ handler: @escaping @Sendable (Stream) async throws -> Void) async throws -> Never {
        try await serve(nursery: nil, handler)
    }
}
