//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import NIOCore

/// What a task blocked on a socket waits for, as the task tree shows it:
/// `receive on tcp 127.0.0.1:53122 → 127.0.0.1:8080`. Made on the slow path of a wait only.
final class SocketWaitSite: BlockingResource {
    let blockingDescription: String

    /// - Parameters:
    ///   - operation: `receive`, `send`, `accept`.
    ///   - channel: The socket's channel.
    /// A site described in full: `receive on unix /tmp/app.sock`.
    init(description: String) {
        blockingDescription = description
    }

    init(_ operation: String, on channel: any Channel) {
        let local = channel.localAddress?.displayString ?? "?"
        if let remote = channel.remoteAddress {
            blockingDescription = "\(operation) on tcp \(local) → \(remote.displayString)"
        } else {
            blockingDescription = "\(operation) on tcp \(local)"
        }
    }
}
