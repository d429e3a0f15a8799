//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Makes a memory object stream: a channel that carries items from any number of sending tasks to
/// any number of receiving tasks, in order, each item exactly once.
///
/// `bufferSize` sets how many items may wait in the stream for a receiver:
/// - `0` (the default): rendezvous. A send completes only when a receiver takes the item.
/// - `n > 0`: bounded. Sends complete at once while fewer than `n` items are buffered, then wait.
/// - `.max`: unbounded. Sends never wait.
///
/// Senders and receivers that must wait are served first come, first served. Each side can be
/// cloned (`clone()`) so that several tasks hold their own endpoint; close every endpoint when
/// done (`close()`, or let it go: `deinit` closes it). The receivers see the end of the stream
/// once every send endpoint is closed and the buffer is drained; the senders get
/// ``BrokenResourceError`` once every receive endpoint is closed.
///
/// ```swift
/// let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 10)
/// try await withNursery { nursery in
///     for worker in 0..<3 {
///         let tx = try send.clone()
///         nursery.startSoon {
///             defer { tx.close() }
///             try await tx.send(worker)
///         }
///     }
///     send.close()
///     var total = 0
///     for try await value in receive { total += value }
///     print(total)  // 3
/// }
/// ```
///
/// - Parameters:
///   - of: The type of the items; may be left out when the context gives it.
///   - bufferSize: 0 for rendezvous, a positive capacity, or `.max` for unbounded.
/// - Returns: The send and the receive endpoint, each counted as one open endpoint.
/// - Important: A negative `bufferSize` traps.
/// - SeeAlso: AnyIO `create_memory_object_stream()`, Trio `open_memory_channel()`.
public func makeMemoryObjectStream<T: Sendable>(
    of: T.Type = T.self,
    bufferSize: Int = 0
) -> (send: MemoryObjectSendStream<T>, receive: MemoryObjectReceiveStream<T>) {
    guard bufferSize >= 0 else {
        fatalError(
            "AnyIO: makeMemoryObjectStream(bufferSize: \(bufferSize)): the buffer size cannot be negative; "
                + "use 0 for a rendezvous stream, a positive capacity, or .max for an unbounded one"
        )
    }
    let storage = MemoryObjectStreamStorage<T>(maxBufferSize: bufferSize)
    return (MemoryObjectSendStream(storage: storage), MemoryObjectReceiveStream(storage: storage))
}
