//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

// Public import: `closed` is `@usableFromInline` for the inlinable hot path (see the storage).
public import Synchronization

/// The receiving end of a memory object stream made by ``makeMemoryObjectStream(of:bufferSize:)``.
///
/// Any number of tasks may receive through one endpoint, or through clones of it (``clone()``);
/// each item goes to exactly one of them, in the order the items were sent. The endpoint is an
/// `AsyncSequence`: `for try await item in receive { … }` ends when every send endpoint is
/// closed and the buffer is drained.
///
/// ```swift
/// let (send, receive) = makeMemoryObjectStream(of: String.self)
/// try await withNursery { nursery in
///     nursery.startSoon {
///         defer { send.close() }
///         try await send.send("hello")
///     }
///     for try await message in receive { print(message) }
/// }
/// ```
///
/// All members may be used from any task or thread. An endpoint that is dropped without being
/// closed is closed by its `deinit`; closing explicitly is the documented way.
///
/// - SeeAlso: AnyIO `MemoryObjectReceiveStream`, Trio `MemoryReceiveChannel`.
public final class MemoryObjectReceiveStream<T: Sendable>: Sendable {
    @usableFromInline let storage: MemoryObjectStreamStorage<T>
    /// Whether `close()` (or `deinit`) has run on this endpoint; set once, never cleared.
    @usableFromInline let closed = Atomic<Bool>(false)

    /// Wraps `storage`, which has already counted this endpoint as open.
    init(storage: MemoryObjectStreamStorage<T>) {
        self.storage = storage
    }

    deinit {
        // M3: an endpoint dropped without `close()` closes here. No call can be running on it:
        // every call (and every iterator) holds a reference to it.
        if !closed.load(ordering: .acquiring) { storage.closeReceive() }
    }

    @inlinable
    var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Receives the next item, waiting until one is sent.
    ///
    /// Takes the front of the buffer if there is one (then the longest-waiting send moves its
    /// item into the freed place); with an empty buffer, takes the item of the longest-waiting
    /// send (rendezvous); otherwise waits, first in line after the receives already waiting.
    ///
    /// This is a checkpoint: it checks for cancellation first, and yields once after an item that
    /// was received without waiting. Cancel-safe: a receive cancelled before it was handed an item
    /// throws `CancellationError` and takes nothing; once a sender has handed it an item, it
    /// returns that item even if its cancellation arrived at the same time (the next checkpoint
    /// throws). No item is lost, duplicated or put back.
    ///
    /// A receive already waiting when its own endpoint is closed keeps waiting, as in AnyIO.
    ///
    /// - Returns: The next item.
    /// - Throws: `CancellationError` if the enclosing cancel scope is cancelled before an item
    ///   arrived; ``EndOfStreamError`` once every send endpoint (clones included) is closed and
    ///   nothing is left to receive (also while waiting); ``ClosedResourceError`` if this
    ///   endpoint was closed.
    /// - SeeAlso: AnyIO `MemoryObjectReceiveStream.receive()`.
    @inlinable
    public nonisolated(nonsending) func receive() async throws -> T {
        try await storage.receive(endpointIsClosed: isClosed)
    }

    /// Receives the next item if that can be done without waiting.
    ///
    /// Synchronous; not a checkpoint.
    ///
    /// - Returns: The next item, or `nil` if receiving one would have to wait.
    /// - Throws: ``EndOfStreamError`` once every send endpoint is closed and nothing is left;
    ///   ``ClosedResourceError`` if this endpoint was closed.
    /// - SeeAlso: AnyIO `MemoryObjectReceiveStream.receive_nowait()` (which raises `WouldBlock`
    ///   where this returns `nil`).
    @inlinable
    public func tryReceive() throws -> T? {
        if isClosed { throw ClosedResourceError() }
        return try storage.tryReceive()
    }

    /// Creates another receive endpoint of the same stream.
    ///
    /// Each clone counts as an open receive endpoint and must be closed on its own: senders get
    /// ``BrokenResourceError`` only once every receive endpoint is closed. Clones share the
    /// items: each item goes to one receiver.
    ///
    /// - Returns: A new, open receive endpoint.
    /// - Throws: ``ClosedResourceError`` if this endpoint was closed.
    /// - SeeAlso: AnyIO `MemoryObjectReceiveStream.clone()`.
    public func clone() throws -> Self {
        if isClosed || !storage.cloneReceive() { throw ClosedResourceError() }
        return Self(storage: storage)
    }

    /// Closes this endpoint.
    ///
    /// Synchronous and idempotent. Later calls on this endpoint throw ``ClosedResourceError``.
    /// When this was the last open receive endpoint (clones included), every task waiting in
    /// ``MemoryObjectSendStream/send(_:)`` gets ``BrokenResourceError`` at once (its item is
    /// dropped), and later sends get it too. Items left in the buffer are not delivered; they
    /// stay counted in ``statistics()`` as in AnyIO. Receives already waiting on this endpoint
    /// keep waiting (AnyIO's behaviour).
    ///
    /// - SeeAlso: AnyIO `MemoryObjectReceiveStream.close()`.
    public func close() {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            storage.closeReceive()
        }
    }

    /// A snapshot of the whole stream's state, for debugging.
    ///
    /// - SeeAlso: AnyIO `MemoryObjectReceiveStream.statistics()`.
    public func statistics() -> MemoryObjectStreamStatistics {
        storage.statistics
    }
}

extension MemoryObjectReceiveStream: CustomStringConvertible {
    /// Whether this endpoint is open, and the stream's buffer use and waiting tasks.
    public var description: String {
        let stats = statistics()
        let capacity = stats.maxBufferSize == .max ? "unbounded" : String(stats.maxBufferSize)
        return "MemoryObjectReceiveStream<\(T.self)>(\(isClosed ? "closed" : "open"), "
            + "buffer \(stats.currentBufferUsed)/\(capacity), \(stats.tasksWaitingSend) sending, "
            + "\(stats.tasksWaitingReceive) receiving)"
    }
}
