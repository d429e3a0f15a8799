//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import AnyIO
import NIOCore

/// A listening socket: accepts connections as streams of type `Stream`.
///
/// Made by ``makeTCPListener(localHost:localPort:family:backlog:reusePort:)`` (inside a
/// ``MultiListener``) and ``makeUnixListener(path:mode:backlog:)``. A TCP listener's accepted
/// connections wait in a small bounded queue; while it is full the socket stops accepting and new
/// connections wait in the kernel's backlog, so a slow server applies back-pressure. A Unix
/// listener accepts only when ``accept()`` is called.
///
/// Answers ``SocketAttribute/family``, ``SocketAttribute/localAddress`` and (TCP)
/// ``SocketAttribute/localPort`` through `extra(_:)`.
///
/// - SeeAlso: AnyIO `SocketListener`, `TCPListener`.
public final class SocketListener<Stream: AsyncResource>: Listener {
    private let socket: any ListeningSocket<Stream>
    private let attributes: TypedAttributeSet
    private let acceptGuard = ResourceGuard(action: "accepting on")

    init(socket: any ListeningSocket<Stream>, attributes: TypedAttributeSet) {
        self.socket = socket
        self.attributes = attributes
    }

    convenience init(storage: AcceptQueueStorage, makeStream: @escaping @Sendable (any Channel) async throws -> Stream) {
        var attributes = TypedAttributeSet()
        attributes.addSocketAttributes(local: storage.channel.localAddress, remote: nil)
        self.init(socket: TCPListeningSocket(storage: storage, makeStream: makeStream), attributes: attributes)
    }

    deinit {
        // Safety net only: close listeners with `close()`.
        socket.closeNow()
    }

    /// Waits for the next connection and returns it as a stream.
    ///
    /// A checkpoint, and cancellable: a cancelled call takes no connection.
    ///
    /// - Returns: The connection.
    /// - Throws: `ClosedResourceError` once the listener was closed (also to a task blocked
    ///   here), `BusyResourceError` while another task accepts, or `CancellationError`.
    /// - SeeAlso: AnyIO `SocketListener.accept()`.
    public func accept() async throws -> Stream {
        try await acceptGuard.withGuard {
            try await socket.accept()
        }
    }

    /// Accepts connections forever, running `handler` for each in its own child task (IO9).
    ///
    /// Each handler runs in a child task of `nursery`, or of an internal nursery when `nursery`
    /// is `nil`; the stream is closed after the handler returns or throws. A handler's error
    /// fails that nursery (and so ends serving), unless the handler catches it.
    ///
    /// - Parameters:
    ///   - nursery: Where the handlers run; `nil` for an internal nursery.
    ///   - handler: Serves one connection.
    /// - Throws: `ClosedResourceError` when the listener is closed, a handler's error (in an
    ///   `ErrorGroup`), or `CancellationError`.
    /// - SeeAlso: AnyIO `Listener.serve(handler, task_group)`.
    public func serve(nursery: Nursery?, _ handler: @escaping @Sendable (Stream) async throws -> Void) async throws -> Never {
        if let nursery { try await acceptLoop(nursery, handler) }
        try await withNursery { (nursery: Nursery) -> Void in
            try await acceptLoop(nursery, handler)
        }
        // Unreachable in practice: the loop ends only by throwing.
        fatalError("SocketListener.serve(nursery:_:): the accept loop ended without an error")
    }

    private func acceptLoop(_ nursery: Nursery, _ handler: @escaping @Sendable (Stream) async throws -> Void) async throws -> Never {
        while true {
            let stream = try await accept()
            nursery.startSoon(name: "connection handler") {
                do {
                    try await handler(stream)
                } catch {
                    await stream.close()
                    throw error
                }
                await stream.close()
            }
        }
    }

    /// Stops listening (IO3): a task blocked in ``accept()`` wakes with `ClosedResourceError`,
    /// and connections accepted but not yet taken are closed. Calling it again does nothing.
    public func close() async {
        await socket.close()
    }

    /// Looks up a typed attribute: ``SocketAttribute/family``, ``SocketAttribute/localAddress``,
    /// ``SocketAttribute/localPort``.
    ///
    /// - Throws: `TypedAttributeLookupError` for an attribute the listener does not provide.
    public func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        try attributes.value(of: attribute)
    }
}
