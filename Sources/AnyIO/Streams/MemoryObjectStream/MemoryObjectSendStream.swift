//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

// Public import: `closed` is `@usableFromInline` for the inlinable hot path (see the storage).
public import Synchronization

/// The sending end of a memory object stream made by ``makeMemoryObjectStream(of:bufferSize:)``.
///
/// Any number of tasks may send through one endpoint, or through clones of it (``clone()``).
/// Close every endpoint when done with it: the receivers see the end of the stream
/// (``EndOfStreamError``, or the end of a `for try await` loop) once every send endpoint,
/// clones included, is closed and the buffer is drained.
///
/// ```swift
/// let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 16)
/// try await withNursery { nursery in
///     nursery.startSoon {
///         defer { send.close() }
///         for i in 0..<3 { try await send.send(i) }
///     }
///     for try await i in receive { print(i) }
/// }
/// ```
///
/// All members may be used from any task or thread. An endpoint that is dropped without being
/// closed is closed by its `deinit`; closing explicitly is the documented way.
///
/// - SeeAlso: AnyIO `MemoryObjectSendStream`, Trio `MemorySendChannel`.
public final class MemoryObjectSendStream<T: Sendable>: Sendable {
    @usableFromInline let storage: MemoryObjectStreamStorage<T>
    /// Whether `close()` (or `deinit`) has run on this endpoint; set once, never cleared.
    @usableFromInline let closed = Atomic<Bool>(false)

    /// Wraps `storage`, which has already counted this endpoint as open.
    init(storage: MemoryObjectStreamStorage<T>) {
        self.storage = storage
    }

    deinit {
        // M3: an endpoint dropped without `close()` closes here. No call can be running on it:
        // every call holds a reference to it.
        if !closed.load(ordering: .acquiring) { storage.closeSend() }
    }

    @inlinable
    var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Sends an item, waiting until a receiver takes it or there is room in the buffer.
    ///
    /// If a task is waiting in ``MemoryObjectReceiveStream/receive()``, the item goes straight
    /// to the one that has waited longest. Otherwise it is buffered if the buffer has room;
    /// otherwise the call waits, first in line after the sends already waiting. With a buffer
    /// size of 0 (rendezvous) every send waits for a receiver.
    ///
    /// This is a checkpoint: it checks for cancellation first, and yields once after an item that
    /// was sent without waiting. Cancel-safe: a send cancelled before a receiver took its item
    /// (or moved it into the buffer) throws `CancellationError` and leaves nothing behind; once the
    /// item was taken, the send returns normally even if its cancellation arrived at the same time
    /// (the next checkpoint throws).
    ///
    /// A send already waiting when its own endpoint is closed keeps waiting, as in AnyIO: it still
    /// completes if a receiver takes the item.
    ///
    /// - Parameter item: The item to send.
    /// - Throws: `CancellationError` if the enclosing cancel scope is cancelled before the item
    ///   was taken; ``ClosedResourceError`` if this endpoint was closed;
    ///   ``BrokenResourceError`` if every receive endpoint is closed (also while waiting: the item
    ///   is then dropped).
    /// - SeeAlso: AnyIO `MemoryObjectSendStream.send()`.
    @inlinable
    public nonisolated(nonsending) func send(_ item: T) async throws {
        try await storage.send(item, endpointIsClosed: isClosed)
    }

    /// Sends an item if that can be done without waiting.
    ///
    /// Succeeds if a task is waiting to receive (it gets the item) or the buffer has room.
    /// Synchronous; not a checkpoint.
    ///
    /// - Parameter item: The item to send.
    /// - Returns: `true` if the item was sent, `false` if sending it would have to wait (the item
    ///   was not sent).
    /// - Throws: ``ClosedResourceError`` if this endpoint was closed; ``BrokenResourceError`` if
    ///   every receive endpoint is closed.
    /// - SeeAlso: AnyIO `MemoryObjectSendStream.send_nowait()` (which raises `WouldBlock` where
    ///   this returns `false`).
    @inlinable
    public func trySend(_ item: T) throws -> Bool {
        if isClosed { throw ClosedResourceError() }
        return try storage.trySend(item)
    }

    /// Creates another send endpoint of the same stream.
    ///
    /// Each clone counts as an open send endpoint and must be closed on its own: receivers see the
    /// end of the stream only once every send endpoint is closed. Typical use: give each producer
    /// task its own clone and let it close that clone when it is done.
    ///
    /// - Returns: A new, open send endpoint.
    /// - Throws: ``ClosedResourceError`` if this endpoint was closed.
    /// - SeeAlso: AnyIO `MemoryObjectSendStream.clone()`.
    public func clone() throws -> Self {
        if isClosed || !storage.cloneSend() { throw ClosedResourceError() }
        return Self(storage: storage)
    }

    /// Closes this endpoint.
    ///
    /// Synchronous and idempotent. Later calls on this endpoint throw ``ClosedResourceError``.
    /// When this was the last open send endpoint (clones included), every task waiting in
    /// ``MemoryObjectReceiveStream/receive()`` gets ``EndOfStreamError`` at once, and later
    /// receives get it once the buffer is drained. Sends already waiting on this endpoint keep
    /// waiting (AnyIO's behaviour).
    ///
    /// - SeeAlso: AnyIO `MemoryObjectSendStream.close()`.
    public func close() {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            storage.closeSend()
        }
    }

    /// A snapshot of the whole stream's state, for debugging.
    ///
    /// - SeeAlso: AnyIO `MemoryObjectSendStream.statistics()`.
    public func statistics() -> MemoryObjectStreamStatistics {
        storage.statistics
    }
}

extension MemoryObjectSendStream: CustomStringConvertible {
    /// Whether this endpoint is open, and the stream's buffer use and waiting tasks.
    public var description: String {
        let stats = statistics()
        let capacity = stats.maxBufferSize == .max ? "unbounded" : String(stats.maxBufferSize)
        return "MemoryObjectSendStream<\(T.self)>(\(isClosed ? "closed" : "open"), "
            + "buffer \(stats.currentBufferUsed)/\(capacity), \(stats.tasksWaitingSend) sending, "
            + "\(stats.tasksWaitingReceive) receiving)"
    }
}
