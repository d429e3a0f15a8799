//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

/// The accepting side of a ``SocketListener``: a NIO server channel (TCP) or a non-blocking
/// descriptor (Unix).
protocol ListeningSocket<Stream>: Sendable {
    associatedtype Stream
    /// Waits for the next connection (a checkpoint; a cancelled call takes none).
    func accept() async throws -> Stream
    /// Stops listening: a blocked `accept()` wakes with `ClosedResourceError`.
    func close() async
    /// The safety net of the listener's `deinit`: closes without waiting.
    func closeNow()
}

