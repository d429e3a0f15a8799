//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

// Public import: the inlinable paths below use `StateLock`, which is `Mutex` except under
// `ANYIO_TSAN` (see `StateLock.swift`). Nothing public is declared with it.
#if ANYIO_TSAN
import Synchronization
#else
public import Synchronization
#endif

/// The lock, continuations, checkpoints and cancellation handling of one memory object stream,
/// shared by all of its endpoints and their clones.
///
/// Read with `MemoryObjectStreamStateMachine.swift`. Every method takes the lock for one event of
/// the state machine and acts on the returned action after releasing it: continuations are
/// resumed outside the lock, and the lock is taken inside the continuation closure, never held
/// across its creation.
///
/// The send and receive paths are `@inlinable` so that they are specialised for the element type
/// in the client: unspecialised, the generic metadata look-ups of the state machine's types cost
/// 2–4× the throughput of the channel benchmarks. Not API (`@usableFromInline internal`).
@usableFromInline
final class MemoryObjectStreamStorage<Element: Sendable>: Sendable {
    @usableFromInline typealias SendContinuation = ParkedContinuation<Void, any Error>
    @usableFromInline typealias ReceiveContinuation = ParkedContinuation<Element, any Error>
    @usableFromInline typealias Machine = MemoryObjectStreamStateMachine<Element, SendContinuation, ReceiveContinuation>

    /// The stream's whole state; every endpoint goes through this one lock.
    @usableFromInline let state: StateLock<Machine>

    init(maxBufferSize: Int) {
        state = StateLock(Machine(maxBufferSize: maxBufferSize))
    }

    // MARK: - Send

    /// `send`: a checkpoint. Cancellation is checked first; then the item is handed to a waiting
    /// receiver or buffered, and the call yields once, shielded (the item is gone, so it does not
    /// throw any more). A send that has to wait and is first in line yields once and retries
    /// before it queues (see the state machine); that yield is its schedule point.
    @inlinable
    nonisolated(nonsending) func send(_ item: Element, endpointIsClosed: @autoclosure () -> Bool) async throws {
        try memoryObjectStreamThrowIfCancelled()
        if endpointIsClosed() { throw ClosedResourceError() }
        var action = state.withLock { $0.send(item, policy: .yieldingFirst) }
        var yielded = false
        if case .wouldBlock = action {
            // Full and first in line: one schedule point, then queue if still full.
            await yieldSchedulePoint()
            yielded = true
            try memoryObjectStreamThrowIfCancelled()
            action = state.withLock { $0.send(item, policy: .immediately) }
        }
        switch action {
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
            fatalError("AnyIO: memory object stream returned would-block to a send that may queue")
        }
        // Sent without waiting: the schedule point, unless the retry above already yielded.
        if !yielded { await budgetedSchedulePoint() }
    }

    /// `trySend`: synchronous, never a checkpoint. Returns false if the send would block.
    @inlinable
    func trySend(_ item: Element) throws -> Bool {
        switch state.withLock({ $0.send(item, policy: .never) }) {
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
            fatalError("AnyIO: memory object stream queued a trySend")
        }
    }

    /// Waits in the queue under `ticket` (the item is already there) until a receiver takes the
    /// item, the last receive endpoint closes, or the caller is cancelled.
    @inlinable
    nonisolated(nonsending) func waitToSend(_ ticket: QueueTicket) async throws {
        var completedBeforeSuspending = false
        let mark = WaitMark.begin(.streamSend)
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (unparked: UnsafeContinuation<Void, any Error>) in
                let continuation = SendContinuation(unparked, mark)
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
        if completedBeforeSuspending { await budgetedSchedulePoint() }
    }

    // MARK: - Receive

    /// `receive`: a checkpoint. Cancellation is checked first; then an item is taken and the call
    /// yields once, shielded (the item is ours, so it does not throw any more). A receive that has
    /// to wait and is first in line yields once and retries before it queues (see the state
    /// machine); that yield is its schedule point.
    @inlinable
    nonisolated(nonsending) func receive(endpointIsClosed: @autoclosure () -> Bool) async throws -> Element {
        try memoryObjectStreamThrowIfCancelled()
        if endpointIsClosed() { throw ClosedResourceError() }
        var action = state.withLock { $0.receive(policy: .yieldingFirst) }
        var yielded = false
        if case .wouldBlock = action {
            // Empty and first in line: one schedule point, then queue if still empty.
            await yieldSchedulePoint()
            yielded = true
            try memoryObjectStreamThrowIfCancelled()
            action = state.withLock { $0.receive(policy: .immediately) }
        }
        let item: Element
        switch action {
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
            fatalError("AnyIO: memory object stream returned would-block to a receive that may queue")
        }
        // Received without waiting: the schedule point, unless the retry above already yielded.
        if !yielded { await budgetedSchedulePoint() }
        return item
    }

    /// `tryReceive`: synchronous, never a checkpoint. Returns nil if the receive would block.
    @inlinable
    func tryReceive() throws -> Element? {
        switch state.withLock({ $0.receive(policy: .never) }) {
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
            fatalError("AnyIO: memory object stream queued a tryReceive")
        }
    }

    /// Waits in the queue under `ticket` until a sender hands over an item, the last send endpoint
    /// closes, or the caller is cancelled.
    @inlinable
    nonisolated(nonsending) func waitToReceive(_ ticket: QueueTicket) async throws -> Element {
        var completedBeforeSuspending = false
        let mark = WaitMark.begin(.streamReceive)
        let item = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (unparked: UnsafeContinuation<Element, any Error>) in
                let continuation = ReceiveContinuation(unparked, mark)
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
        if completedBeforeSuspending { await budgetedSchedulePoint() }
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

/// `throwIfCancelled()` for the inlinable stream paths (which cannot call internal functions
/// that are not `@usableFromInline`). Not inlined itself: it is one call on the fast path.
@usableFromInline
func memoryObjectStreamThrowIfCancelled() throws {
    try throwIfCancelled()
}

extension MemoryObjectStreamStateMachine.Failure {
    /// The public error for this failure.
    @usableFromInline
    var error: any Error {
        switch self {
        case .cancelled: CancellationError()
        case .closed: ClosedResourceError()
        case .broken: BrokenResourceError(reason: "every receive endpoint of the memory object stream is closed")
        case .endOfStream: EndOfStreamError()
        }
    }
}
