//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import NIOCore

/// A TCP listening socket: a NIO server channel with an accept queue.
final class TCPListeningSocket<Stream>: ListeningSocket {
    let storage: AcceptQueueStorage
    private let makeStream: @Sendable (any Channel) async throws -> Stream

    init(storage: AcceptQueueStorage, makeStream: @escaping @Sendable (any Channel) async throws -> Stream) {
        self.storage = storage
        self.makeStream = makeStream
    }

    func accept() async throws -> Stream {
        while true {
            let channel = try await storage.accept()
            do {
                return try await makeStream(channel)
            } catch {
                // The connection closed before it could be set up: take the next one.
                channel.close(promise: nil)
            }
        }
    }

    func close() async {
        await storage.close()
    }

    func closeNow() {
        storage.closeNow()
    }
}
