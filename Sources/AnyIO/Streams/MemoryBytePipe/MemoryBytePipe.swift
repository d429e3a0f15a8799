//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// A one-way in-memory byte pipe with flow control: the storage of `AnyIOTesting`'s memory byte
/// streams (see `memoryByteStreamPair()`), and a reference for how a byte stream parks.
///
/// `receive` and `send` are checkpoints (a cancellation check first; a schedule point after a
/// call that did not wait) and cancel-safe: a receive takes bytes only in the step that returns
/// them; a cancelled send may have buffered a prefix (IO1). Callers guard against concurrent use
/// (`BusyResourceError`) themselves.
package final class MemoryBytePipe: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    private let state: StateLock<MemoryBytePipeStateMachine<Waiter>>

    /// Makes a pipe.
    ///
    /// - Parameters:
    ///   - maxBufferSize: The most bytes buffered before a sender waits; at least 1.
    ///   - maxChunkSize: The most bytes one receive returns; at least 1.
    package init(maxBufferSize: Int, maxChunkSize: Int) {
        state = StateLock(MemoryBytePipeStateMachine(maxBufferSize: maxBufferSize, maxChunkSize: maxChunkSize))
    }

    /// How many bytes are buffered.
    package var bufferedCount: Int { state.withLock { $0.bufferedCount } }

    package nonisolated(nonsending) func receive(maxBytes: Int) async throws -> [UInt8] {
        try checkMaxBytes(maxBytes, of: "receive(maxBytes:)")
        try throwIfCancelled()
        var waited = false
        while true {
            switch state.withLock({ $0.receive(maxBytes: maxBytes) }) {
            case .bytes(let bytes, let wake):
                for waiter in wake { waiter.resume() }
                if !waited { await budgetedSchedulePoint() }
                return bytes
            case .fail(let error):
                throw error
            case .park(let ticket):
                try await park(on: .byteStreamReceive) { waiter in
                    state.withLock { $0.parkReceiver(ticket, waiter) }
                } cancel: {
                    state.withLock { $0.cancelReceiver(ticket) }
                }
                waited = true
            }
        }
    }

    package nonisolated(nonsending) func send(_ bytes: [UInt8]) async throws {
        try throwIfCancelled()
        var rest = bytes[...]
        var waited = false
        while true {
            switch state.withLock({ $0.send(&rest) }) {
            case .done(let wake):
                for waiter in wake { waiter.resume() }
                if !waited { await budgetedSchedulePoint() }
                return
            case .fail(let error):
                throw error
            case .park(let ticket, let wake):
                for waiter in wake { waiter.resume() }
                try await park(on: .byteStreamSend) { waiter in
                    state.withLock { $0.parkSender(ticket, waiter) }
                } cancel: {
                    state.withLock { $0.cancelSender(ticket) }
                }
                waited = true
            }
        }
    }

    package func sendEOF() {
        for waiter in state.withLock({ $0.sendEOF() }) { waiter.resume() }
    }

    package func closeSend() {
        for waiter in state.withLock({ $0.closeSend() }) { waiter.resume() }
    }

    package func closeReceive() {
        for waiter in state.withLock({ $0.closeReceive() }) { waiter.resume() }
    }
}
