//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import AnyIO

/// Several listeners served as one: what ``makeTCPListener(localHost:localPort:family:backlog:reusePort:)``
/// returns (one listener per address family).
///
/// `extra(_:)` answers what the first listener that provides the attribute answers; for a TCP
/// listener made with `localPort: 0`, ``SocketAttribute/localPort`` is the port all of them
/// share.
///
/// - SeeAlso: AnyIO `MultiListener`.
public final class MultiListener<Stream: AsyncResource>: Listener {
    /// The listeners, served together.
    public let listeners: [any Listener<Stream>]

    /// Combines listeners.
    ///
    /// - Parameter listeners: The listeners to serve together.
    public init(listeners: [any Listener<Stream>]) {
        self.listeners = listeners
    }

    /// Serves every listener at once, each as ``Listener/serve(nursery:_:)`` does (IO9).
    ///
    /// - Parameters:
    ///   - nursery: Where the handlers run; `nil` for an internal nursery per listener.
    ///   - handler: Serves one connection.
    /// - Throws: `ClosedResourceError` when a listener is closed, a handler's error, or
    ///   `CancellationError` (in an `ErrorGroup` where the listeners' nursery groups them).
    public func serve(nursery: Nursery?, _ handler: @escaping @Sendable (Stream) async throws -> Void) async throws -> Never {
        try await withNursery { serving in
            for listener in listeners {
                serving.startSoon(name: "listener") {
                    try await listener.serve(nursery: nursery, handler)
                }
            }
        }
        // Unreachable in practice: the children serve forever and end only by throwing.
        fatalError("MultiListener.serve(nursery:_:): a listener stopped serving without an error")
    }

    /// Closes every listener. Calling it again does nothing.
    public func close() async {
        for listener in listeners { await listener.close() }
    }

    /// Looks up a typed attribute in the listeners, first to last.
    ///
    /// - Throws: `TypedAttributeLookupError` if no listener provides it.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        for listener in listeners {
            if let value = try? listener.extra(attribute) { return value }
        }
        throw TypedAttributeLookupError(attribute: attribute)
    }
}
