//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The lock, continuations, checkpoints and cancellation handling of one memory object stream,
/// shared by all of its endpoints and their clones.
///
/// Read with `MemoryObjectStreamStateMachine.swift`. Every method takes the lock for one event of
/// the state machine and acts on the returned action after releasing it: continuations are
/// resumed outside the lock, and the lock is taken inside the continuation closure, never held
/// across its creation.
final class MemoryObjectStreamStorage<Element: Sendable>: Sendable {
    typealias SendContinuation = UnsafeContinuation<Void, any Error>
    typealias ReceiveContinuation = UnsafeContinuation<Element, any Error>
    typealias Machine = MemoryObjectStreamStateMachine<Element, SendContinuation, ReceiveContinuation>

    /// The stream's whole state; every endpoint goes through this one lock.
    let state: StateLock<Machine>

    init(maxBufferSize: Int) {
        state = StateLock(Machine(maxBufferSize: maxBufferSize))
    }

    // MARK: - Send

    /// `send`: a checkpoint. Cancellation is checked first; on the fast path (handed to a waiting
    /// receiver or buffered) it yields once, shielded, after the item is sent.
    func send(_ item: Element, endpointIsClosed: @autoclosure () -> Bool) async throws {
        try throwIfCancelled()
        if endpointIsClosed() { throw ClosedResourceError() }
        switch state.withLock({ $0.send(item, mayWait: true) }) {
        case .sent:
            break
        case .resumeReceiver(let receiver, let item):
            receiver.resume(returning: item)
        case .fail(let failure):
            throw failure.error
        case .suspend(let ticket):
            // Suspended (or completed in the meantime, then yielded): no extra schedule point.
            return try await waitToSend(ticket)
        case .wouldBlock:
            preconditionFailure("AnyIO: memory object stream returned would-block to a send that may wait")
        }
        // Sent: the schedule point. Not a cancellation point any more, the item is gone.
        await Task.yield()
    }

    /// `trySend`: synchronous, never a checkpoint. Returns false if the send would block.
    func trySend(_ item: Element) throws -> Bool {
        switch state.withLock({ $0.send(item, mayWait: false) }) {
        case .sent:
            return true
        case .resumeReceiver(let receiver, let item):
            receiver.resume(returning: item)
            return true
        case .fail(let failure):
            throw failure.error
        case .wouldBlock:
            return false
        case .suspend:
            preconditionFailure("AnyIO: memory object stream queued a trySend")
        }
    }

    /// Waits in the queue under `ticket` (the item is already there) until a receiver takes the
    /// item, the last receive endpoint closes, or the caller is cancelled.
    private func waitToSend(_ ticket: QueueTicket) async throws {
        var completedBeforeSuspending = false
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: SendContinuation) in
                // Single resumption: the state machine hands this continuation out exactly once —
                // back here (outcome decided before it was stored), or after storing it to one
                // receiver, to `closeReceive`, or to the cancellation handler, whichever removes the
                // waiter from the queue first under the lock.
                switch state.withLock({ $0.senderSuspended(ticket, continuation) }) {
                case .suspended:
                    break
                case .resume:
                    completedBeforeSuspending = true
                    continuation.resume()
                case .fail(let failure):
                    continuation.resume(throwing: failure.error)
                }
            }
        } onCancel: {
            if case .cancel(let continuation) = state.withLock({ $0.cancelSend(ticket) }) {
                continuation.resume(throwing: CancellationError())
            }
        }
        // Taken before we suspended: we never gave up the thread, so yield now (shielded).
        if completedBeforeSuspending { await Task.yield() }
    }

    // MARK: - Receive

    /// `receive`: a checkpoint. Cancellation is checked first; on the fast path it yields once,
    /// shielded, after taking the item.
    func receive(endpointIsClosed: @autoclosure () -> Bool) async throws -> Element {
        try throwIfCancelled()
        if endpointIsClosed() { throw ClosedResourceError() }
        let item: Element
        switch state.withLock({ $0.receive(mayWait: true) }) {
        case .received(let received):
            item = received
        case .receivedResumingSender(let received, let sender):
            sender.resume()
            item = received
        case .fail(let failure):
            throw failure.error
        case .suspend(let ticket):
            // Suspended (or handed an item in the meantime, then yielded): no extra schedule point.
            return try await waitToReceive(ticket)
        case .wouldBlock:
            preconditionFailure("AnyIO: memory object stream returned would-block to a receive that may wait")
        }
        // Received: the schedule point. Not a cancellation point any more, the item is ours.
        await Task.yield()
        return item
    }

    /// `tryReceive`: synchronous, never a checkpoint. Returns nil if the receive would block.
    func tryReceive() throws -> Element? {
        switch state.withLock({ $0.receive(mayWait: false) }) {
        case .received(let item):
            return item
        case .receivedResumingSender(let item, let sender):
            sender.resume()
            return item
        case .fail(let failure):
            throw failure.error
        case .wouldBlock:
            return nil
        case .suspend:
            preconditionFailure("AnyIO: memory object stream queued a tryReceive")
        }
    }

    /// Waits in the queue under `ticket` until a sender hands over an item, the last send endpoint
    /// closes, or the caller is cancelled.
    private func waitToReceive(_ ticket: QueueTicket) async throws -> Element {
        var completedBeforeSuspending = false
        let item = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: ReceiveContinuation) in
                // Single resumption: the state machine hands this continuation out exactly once —
                // back here (outcome decided before it was stored), or after storing it to one
                // sender, to `closeSend`, or to the cancellation handler, whichever removes the
                // waiter from the queue first under the lock.
                switch state.withLock({ $0.receiverSuspended(ticket, continuation) }) {
                case .suspended:
                    break
                case .resume(let item):
                    completedBeforeSuspending = true
                    continuation.resume(returning: item)
                case .fail(let failure):
                    continuation.resume(throwing: failure.error)
                }
            }
        } onCancel: {
            if case .cancel(let continuation) = state.withLock({ $0.cancelReceive(ticket) }) {
                continuation.resume(throwing: CancellationError())
            }
        }
        // Handed an item before we suspended: we never gave up the thread, so yield now (shielded).
        if completedBeforeSuspending { await Task.yield() }
        return item
    }

    // MARK: - Endpoints

    /// Counts a new send endpoint; false if the send side is already closed for good.
    func cloneSend() -> Bool {
        state.withLock { $0.cloneSend() }
    }

    /// Counts a new receive endpoint; false if the receive side is already closed for good.
    func cloneReceive() -> Bool {
        state.withLock { $0.cloneReceive() }
    }

    /// Closes one send endpoint; the last one wakes waiting receivers with end of stream.
    func closeSend() {
        if case .failReceivers(let receivers) = state.withLock({ $0.closeSend() }) {
            for receiver in receivers { receiver.resume(throwing: EndOfStreamError()) }
        }
    }

    /// Closes one receive endpoint; the last one wakes waiting senders with broken-resource.
    func closeReceive() {
        if case .failSenders(let senders) = state.withLock({ $0.closeReceive() }) {
            for sender in senders { sender.resume(throwing: Machine.Failure.broken.error) }
        }
    }

    var statistics: MemoryObjectStreamStatistics {
        state.withLock { $0.statistics }
    }
}

extension MemoryObjectStreamStateMachine.Failure {
    /// The public error for this failure.
    var error: any Error {
        switch self {
        case .cancelled: CancellationError()
        case .closed: ClosedResourceError()
        case .broken: BrokenResourceError(reason: "every receive endpoint of the memory object stream is closed")
        case .endOfStream: EndOfStreamError()
        }
    }
}
