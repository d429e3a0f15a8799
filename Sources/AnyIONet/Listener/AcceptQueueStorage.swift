//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import NIOCore
import Synchronization

/// The shared state of a listening socket: `accept()` callers park here, and the server
/// channel's `AcceptQueueHandler` hands accepted connections in.
final class AcceptQueueStorage: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    /// How many accepted connections may wait for `accept()`.
    static let capacity = 64

    let channel: any Channel
    private let state = StateLock(AcceptQueueStateMachine<Waiter>(capacity: AcceptQueueStorage.capacity))

    init(channel: any Channel) {
        self.channel = channel
    }

    func accept() async throws -> any Channel {
        try throwIfCancelled()
        var waited = false
        while true {
            switch state.withLock({ $0.accept() }) {
            case .channel(let accepted, let read):
                if read { channel.read() }
                if !waited { await budgetedSchedulePoint() }
                return accepted
            case .fail(let error):
                throw error
            case .park(let ticket, let read):
                if read { channel.read() }
                setCurrentTaskBlockedOn(SocketWaitSite("accept", on: channel))
                defer { setCurrentTaskBlockedOn(nil) }
                try await park(on: .socketAccept) { waiter in
                    state.withLock { $0.park(ticket, waiter) }
                } cancel: {
                    state.withLock { $0.cancel(ticket) }
                }
                waited = true
            }
        }
    }

    func close() async {
        guard let (wake, drop) = state.withLock({ $0.close() }) else { return }
        for waiter in wake { waiter.resume() }
        for accepted in drop { accepted.close(promise: nil) }
        try? await channel.close().get()
    }

    func closeNow() {
        guard let (wake, drop) = state.withLock({ $0.close() }) else { return }
        for waiter in wake { waiter.resume() }
        for accepted in drop { accepted.close(promise: nil) }
        channel.close(promise: nil)
    }

    // MARK: - The handler's side (the server channel's event loop)

    func requestReadIfNeeded() -> Bool {
        state.withLock { $0.requestReadIfNeeded() }
    }

    func channelRead(_ accepted: any Channel) {
        let (wake, reject) = state.withLock { $0.channelRead(accepted) }
        for waiter in wake { waiter.resume() }
        reject?.close(promise: nil)
    }

    func readComplete() -> Bool {
        state.withLock { $0.readComplete() }
    }

    func acceptFailed() {
        state.withLock { $0.acceptFailed() }
    }

    func channelInactive() {
        for waiter in state.withLock({ $0.channelInactive() }) { waiter.resume() }
    }
}
