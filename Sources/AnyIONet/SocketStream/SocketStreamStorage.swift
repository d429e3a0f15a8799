//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import NIOCore
import Synchronization

/// The shared state of a socket stream: what its callers and its channel's handler meet on.
///
/// Callers park here (`park(on:…)`); the handler's event-loop callbacks hand their results in,
/// and every waiter is resumed after the lock is released.
final class SocketStreamStorage: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    /// Buffered bytes above which no more reads are asked for.
    static let receiveHighWater = 256 * 1024
    /// Bytes in flight above which a sender waits.
    static let sendHighWater = 256 * 1024

    let channel: any Channel
    private let state: StateLock<SocketStreamStateMachine<Waiter>>

    init(channel: any Channel) {
        self.channel = channel
        state = StateLock(SocketStreamStateMachine(receiveHighWater: Self.receiveHighWater, sendHighWater: Self.sendHighWater))
    }

    // MARK: - The stream's side (any task)

    nonisolated(nonsending) func receive(maxBytes: Int) async throws -> [UInt8] {
        try throwIfCancelled()
        var waited = false
        while true {
            switch state.withLock({ $0.receive(maxBytes: maxBytes) }) {
            case .bytes(let bytes, let read):
                if read { channel.read() }
                if !waited { await budgetedSchedulePoint() }
                return bytes
            case .fail(let error):
                throw error
            case .park(let ticket, let read):
                if read { channel.read() }
                setCurrentTaskBlockedOn(SocketWaitSite("receive", on: channel))
                defer { setCurrentTaskBlockedOn(nil) }
                try await park(on: .socketReceive) { waiter in
                    state.withLock { $0.parkReceiver(ticket, waiter) }
                } cancel: {
                    state.withLock { $0.cancelReceiver(ticket) }
                }
                waited = true
            }
        }
    }

    nonisolated(nonsending) func send(_ bytes: [UInt8]) async throws {
        try throwIfCancelled()
        var waited = false
        while true {
            let promise = channel.eventLoop.makePromise(of: Void.self)
            switch state.withLock({ $0.send(count: bytes.count, promise: promise) }) {
            case .write:
                let count = bytes.count
                channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: promise)
                promise.futureResult.whenComplete { [self] result in
                    let error: (any Error)?
                    if case .failure(let failure) = result { error = failure } else { error = nil }
                    let wake = state.withLock { $0.writeCompleted(count: count, error: error) }
                    for waiter in wake { waiter.resume() }
                }
                if !waited { await budgetedSchedulePoint() }
                return
            case .fail(let error):
                promise.succeed()  // unused
                throw error
            case .park(let ticket):
                promise.succeed()  // unused
                setCurrentTaskBlockedOn(SocketWaitSite("send", on: channel))
                defer { setCurrentTaskBlockedOn(nil) }
                try await park(on: .socketSend) { waiter in
                    state.withLock { $0.parkSender(ticket, waiter) }
                } cancel: {
                    state.withLock { $0.cancelSender(ticket) }
                }
                waited = true
            }
        }
    }

    nonisolated(nonsending) func sendEOF() async throws {
        try throwIfCancelled()
        switch state.withLock({ $0.sendEOF() }) {
        case .none:
            await budgetedSchedulePoint()
        case .fail(let error):
            throw error
        case .shutDown(let lastWrite, let wake):
            for waiter in wake { waiter.resume() }
            // A failure means the channel is gone already; the receiving side reports that.
            if let lastWrite {
                // In the background: waiting for a peer that does not read could take forever.
                let channel = self.channel
                lastWrite.whenComplete { _ in channel.close(mode: .output, promise: nil) }
            } else {
                try? await channel.close(mode: .output).get()
            }
        }
    }

    /// Closes the stream; `forcefully` drops the writes in flight instead of flushing them.
    func close(forcefully: Bool) async {
        switch state.withLock({ $0.close() }) {
        case .none:
            return
        case .close(let lastWrite, let wake):
            for waiter in wake { waiter.resume() }
            if let lastWrite, !forcefully {
                // Close after the writes in flight, in the background (as asyncio's transports do):
                // waiting for a peer that does not read could take forever.
                let channel = self.channel
                lastWrite.whenComplete { _ in channel.close(promise: nil) }
            } else {
                try? await channel.close().get()
            }
        }
    }

    /// The safety net of `deinit`: closes without waiting.
    func closeNow() {
        switch state.withLock({ $0.close() }) {
        case .none:
            return
        case .close(_, let wake):
            for waiter in wake { waiter.resume() }
            channel.close(promise: nil)
        }
    }

    // MARK: - The handler's side (the channel's event loop)

    func requestReadIfNeeded() -> Bool {
        state.withLock { $0.requestReadIfNeeded() }
    }

    func channelRead(_ buffer: ByteBuffer) {
        for waiter in state.withLock({ $0.channelRead(buffer) }) { waiter.resume() }
    }

    func readComplete() -> Bool {
        state.withLock { $0.readComplete() }
    }

    func inputClosed() {
        for waiter in state.withLock({ $0.inputClosed() }) { waiter.resume() }
    }

    func errorCaught(_ error: any Error) {
        for waiter in state.withLock({ $0.errorCaught(error) }) { waiter.resume() }
    }

    func channelInactive() {
        for waiter in state.withLock({ $0.channelInactive() }) { waiter.resume() }
    }

    func writabilityChanged(_ isWritable: Bool) {
        for waiter in state.withLock({ $0.writabilityChanged(isWritable) }) { waiter.resume() }
    }
}
