//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// What ``MemoryObjectSendStream/statistics()`` and ``MemoryObjectReceiveStream/statistics()``
/// report: a snapshot of the whole stream, the same from every endpoint.
///
/// - SeeAlso: AnyIO `MemoryObjectStreamStatistics`.
public struct MemoryObjectStreamStatistics: Sendable, Hashable {
    /// The number of items in the buffer.
    public var currentBufferUsed: Int
    /// The buffer's capacity: 0 for a rendezvous stream, `Int.max` for an unbounded one (AnyIO
    /// reports `math.inf`).
    public var maxBufferSize: Int
    /// The number of send endpoints (clones included) not closed yet.
    public var openSendStreams: Int
    /// The number of receive endpoints (clones included) not closed yet.
    public var openReceiveStreams: Int
    /// The number of tasks suspended in ``MemoryObjectSendStream/send(_:)``, waiting for a receiver
    /// or for room.
    public var tasksWaitingSend: Int
    /// The number of tasks suspended in ``MemoryObjectReceiveStream/receive()``, waiting for an
    /// item.
    public var tasksWaitingReceive: Int

    /// Creates a statistics record.
    public init(
        currentBufferUsed: Int,
        maxBufferSize: Int,
        openSendStreams: Int,
        openReceiveStreams: Int,
        tasksWaitingSend: Int,
        tasksWaitingReceive: Int
    ) {
        self.currentBufferUsed = currentBufferUsed
        self.maxBufferSize = maxBufferSize
        self.openSendStreams = openSendStreams
        self.openReceiveStreams = openReceiveStreams
        self.tasksWaitingSend = tasksWaitingSend
        self.tasksWaitingReceive = tasksWaitingReceive
    }
}
