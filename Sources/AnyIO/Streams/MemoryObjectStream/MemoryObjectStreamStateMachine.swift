//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The state of one memory object stream (every endpoint and clone of it): no locks, no `async`,
/// no side effects. Each event returns what the caller must do once it has released the lock.
///
/// Read with `MemoryObjectStreamStorage.swift`, which runs these events under one lock.
///
/// ## Model
///
/// Items live in one of two places: the `buffer` (at most `maxBufferSize` of them), or with a
/// waiting sender in `senders` (an item that did not fit). A receiver takes the front of the
/// buffer and then moves the first waiting sender's item to the back of the buffer, or, with an
/// empty buffer (rendezvous), takes the first waiting sender's item directly. A sender hands its
/// item straight to the first waiting receiver, else appends it to the buffer if there is room,
/// else waits. So the order of delivery is: buffer front to back, then waiting senders in FIFO
/// order — every item exactly once, and the items of one sender in the order it sent them.
///
/// ## Waiting, and the cancel-before-suspend race
///
/// A caller that must wait gets a place in the FIFO queue at once (`.suspend(ticket)`), under the
/// same lock acquisition that found it must wait; a sender's item goes into the queue with it. It
/// then creates its continuation outside the lock and reports it with `senderSuspended` /
/// `receiverSuspended`. Between the two, another task may already have completed the waiter (taken
/// the sender's item, handed the receiver an item, or woken it with an error), or its cancellation
/// handler may have run. Such a waiter leaves the queue at that moment and its outcome is parked in
/// `sendersFinishedEarly` / `receiversFinishedEarly` by ticket (the "cancelled early" set of
/// ``EventStateMachine``, generalised to any outcome); `…Suspended` then returns that outcome
/// instead of storing the continuation.
///
/// ## Cancellation: completion wins
///
/// Invariant: a waiter's outcome is decided exactly once, under the lock, at the moment it leaves
/// the queue. A cancellation that finds the waiter no longer queued does nothing: the completion
/// that came first stands. So a cancelled `send` either delivered its item (and returns normally)
/// or left nothing behind; a cancelled `receive` either returns the item it was handed or took
/// nothing. No item is lost, duplicated or reordered, and no item is ever put back.
///
/// ## Closing (AnyIO's semantics)
///
/// Closing the last send endpoint wakes every waiting receiver with end-of-stream; receivers go on
/// draining the buffer and any waiting senders first. Closing the last receive endpoint wakes every
/// waiting sender with broken-resource (their items are dropped, undelivered); items already in
/// the buffer stay there, unreachable, as in AnyIO (statistics still count them). Closing one
/// endpoint does not wake the calls already waiting on it: like AnyIO, they stay queued and
/// complete normally or with the stream-wide outcome. Using an endpoint after closing it is
/// rejected by the endpoint itself (``MemoryObjectSendStream``, ``MemoryObjectReceiveStream``);
/// the `.closed` failures here only settle the race of such a call with the endpoint's own
/// `close()` once the count has reached zero.
///
/// ## Yielding before waiting
///
/// A `send` or `receive` on a buffered stream that would have to wait, while nobody of its kind is
/// queued yet, first gets `.wouldBlock` (`WaitPolicy.yieldingFirst`): the storage yields once and
/// retries with `.immediately`. When producer and consumer run at similar speeds on different
/// threads, the other side has usually made room (or an item) by then, which avoids a
/// suspension and a wake-up per item. It changes no outcome: the caller has had no effect yet,
/// and it does not overtake anybody, since nobody of its kind was queued (a call arriving during
/// the yield may overtake it, exactly as if it had arrived first).
///
/// There is no `private enum State`: the state is a product of the buffer, one waiter queue per
/// side and the two open counts, and an enum with payloads would copy on write on the hot path.
/// The legal combinations are the invariants below, checked by `_checkInvariants()` under
/// `ANYIO_INTERNAL_CHECKS`.
///
/// `@usableFromInline`/`@inlinable` on the hot path so that it is specialised for the element type
/// in the client (unspecialised, generic metadata look-ups cost 2–4× the throughput); not API.
@usableFromInline
struct MemoryObjectStreamStateMachine<Element, SendContinuation, ReceiveContinuation> {
    /// Why an operation fails; the storage turns it into the public error.
    @usableFromInline
    enum Failure: Error, Hashable {
        /// The caller's task is cancelled: `CancellationError`.
        case cancelled
        /// The endpoint used is closed: `ClosedResourceError`.
        case closed
        /// Every receive endpoint is closed: `BrokenResourceError`.
        case broken
        /// Every send endpoint is closed and nothing is left: `EndOfStreamError`.
        case endOfStream
    }

    /// A send waiting in `senders`.
    @usableFromInline
    struct SendWaiter {
        /// The item it is sending; it leaves the queue with the waiter.
        @usableFromInline var item: Element
        /// Its continuation; `nil` until `senderSuspended` stores it.
        @usableFromInline var continuation: SendContinuation?

        @inlinable
        init(item: Element, continuation: SendContinuation?) {
            self.item = item
            self.continuation = continuation
        }
    }

    /// What a send or receive may do when it cannot complete at once.
    @usableFromInline
    enum WaitPolicy {
        /// Never queue: `trySend` / `tryReceive` get `.wouldBlock`.
        case never
        /// On a buffered stream with nobody of the caller's kind queued, get `.wouldBlock` so the
        /// caller yields once and retries with `.immediately`; otherwise queue.
        case yieldingFirst
        /// Queue.
        case immediately
    }

    /// The capacity of `buffer`: 0 for a rendezvous stream, `Int.max` for an unbounded one.
    @usableFromInline let maxBufferSize: Int
    /// Items sent and not yet received, front first. Changes on every buffered send and receive.
    @usableFromInline var buffer = RingBuffer<Element>()
    /// Sends waiting for room (or, with capacity 0, for a receiver), FIFO.
    @usableFromInline var senders = TicketQueue<SendWaiter>()
    /// Receives waiting for an item, FIFO; the value is the continuation once stored.
    @usableFromInline var receivers = TicketQueue<ReceiveContinuation?>()
    /// Outcomes of sends that left `senders` before their continuation arrived: success (their
    /// item was taken) or a failure. Emptied by `senderSuspended`.
    @usableFromInline var sendersFinishedEarly: [QueueTicket: Result<Void, Failure>] = [:]
    /// Outcomes of receives that left `receivers` before their continuation arrived: the item
    /// they were handed, or a failure. Emptied by `receiverSuspended`.
    @usableFromInline var receiversFinishedEarly: [QueueTicket: Result<Element, Failure>] = [:]
    /// How many entries of `senders` have stored their continuation (the suspended sends that
    /// statistics report). Changes when a continuation is stored and when such a waiter leaves.
    @usableFromInline var suspendedSendCount = 0
    /// How many entries of `receivers` have stored their continuation.
    @usableFromInline var suspendedReceiveCount = 0
    /// Send endpoints (clones included) not closed yet. Starts at 1; once 0 it stays 0.
    @usableFromInline var openSendStreams = 1
    /// Receive endpoints (clones included) not closed yet. Starts at 1; once 0 it stays 0.
    @usableFromInline var openReceiveStreams = 1

    // Invariant: `senders` and `receivers` are never both non-empty.
    // Invariant: `!senders.isEmpty` implies `buffer.count == maxBufferSize` (senders wait only for
    //   room) and `openReceiveStreams > 0` (the last receive close fails them all).
    // Invariant: `!receivers.isEmpty` implies `buffer.isEmpty` and `openSendStreams > 0` (the last
    //   send close fails them all).
    // Invariant: `buffer.count <= maxBufferSize`.
    // Invariant: `suspendedSendCount` (`suspendedReceiveCount`) is the number of entries of
    //   `senders` (`receivers`) whose continuation is stored.
    // Invariant: a ticket is in at most one of `senders`, `sendersFinishedEarly`, `receivers`,
    //   `receiversFinishedEarly`; it is in none once its continuation has been handed out.

    /// Creates the state of a new stream with one open endpoint on each side.
    ///
    /// - Parameter maxBufferSize: 0 (rendezvous), a positive capacity, or `Int.max` (unbounded).
    init(maxBufferSize: Int) {
        checkPrecondition(maxBufferSize >= 0, "AnyIO: a memory object stream's buffer size cannot be negative")
        self.maxBufferSize = maxBufferSize
    }

    // MARK: - Queries

    /// The number of items in the buffer.
    var bufferCount: Int { buffer.count }

    /// The buffered items, front first (for tests).
    var bufferedItems: [Element] { buffer.elements }

    /// The items of the waiting senders, first waiter first (for tests).
    var waitingSenderItems: [Element] { senders.values.map(\.item) }

    /// Sends queued for room or a receiver (suspended, or about to suspend).
    var queuedSendCount: Int { senders.count }

    /// Receives queued for an item (suspended, or about to suspend).
    var queuedReceiveCount: Int { receivers.count }

    /// The snapshot that `statistics()` reports.
    var statistics: MemoryObjectStreamStatistics {
        MemoryObjectStreamStatistics(
            currentBufferUsed: buffer.count,
            maxBufferSize: maxBufferSize,
            openSendStreams: openSendStreams,
            openReceiveStreams: openReceiveStreams,
            tasksWaitingSend: suspendedSendCount,
            tasksWaitingReceive: suspendedReceiveCount
        )
    }

    /// The number of outcomes parked for callers that have not suspended yet (for tests).
    var finishedEarlyCount: Int { sendersFinishedEarly.count + receiversFinishedEarly.count }

    // MARK: - Send

    /// What a send must do.
    @usableFromInline
    enum SendAction {
        /// Done: the item went into the buffer. A checkpoint still yields.
        case sent
        /// Done: resume this receiver with the item (outside the lock).
        case resumeReceiver(ReceiveContinuation, Element)
        /// Throw this failure; the item was not sent.
        case fail(Failure)
        /// The send would have to wait and `policy` did not let it queue (yet); the item was not
        /// sent.
        case wouldBlock
        /// The item waits in the queue under this ticket: create the continuation, then report it
        /// with `senderSuspended`.
        case suspend(QueueTicket)
    }

    /// A send of `item`; `policy` says whether it may queue.
    @inlinable
    mutating func send(_ item: Element, policy: WaitPolicy) -> SendAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if openSendStreams == 0 {
            // Every send endpoint is closed, the caller's too: its close() won the race.
            return .fail(.closed)
        }
        if openReceiveStreams == 0 {
            // Nobody can ever receive it (AnyIO checks this before looking for receivers).
            return .fail(.broken)
        }
        if let (ticket, continuation) = receivers.popFirst() {
            // A receiver waits, so the buffer is empty: hand the item to the first one directly.
            if let continuation {
                suspendedReceiveCount &-= 1
                return .resumeReceiver(continuation, item)
            }
            // It has not suspended yet: park the item for it; `receiverSuspended` delivers it.
            receiversFinishedEarly[ticket] = .success(item)
            return .sent
        }
        if buffer.count < maxBufferSize {
            // Nobody waits on either side (senders wait only while the buffer is full): buffer it.
            buffer.append(item)
            return .sent
        }
        switch policy {
        case .never:
            // Full (or rendezvous with no receiver): trySend reports would-block.
            return .wouldBlock
        case .yieldingFirst where maxBufferSize > 0 && senders.isEmpty:
            // Full, and first in line: yield once, the receiver may make room meanwhile.
            return .wouldBlock
        case .yieldingFirst, .immediately:
            break
        }
        // Full: queue behind the other waiting senders, item included.
        return .suspend(senders.append(SendWaiter(item: item, continuation: nil)))
    }

    /// What a send that got `.suspend(ticket)` must do with its continuation.
    @usableFromInline
    enum SenderSuspendedAction {
        /// Keep it suspended: it was stored and a receiver or close will resume it.
        case suspended
        /// Resume it normally at once: its item was taken before it suspended.
        case resume
        /// Resume it at once with this failure (cancelled, or every receiver closed, first).
        case fail(Failure)
    }

    @inlinable
    mutating func senderSuspended(_ ticket: QueueTicket, _ continuation: SendContinuation) -> SenderSuspendedAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if !sendersFinishedEarly.isEmpty, let outcome = sendersFinishedEarly.removeValue(forKey: ticket) {
            // Completed, failed or cancelled between `.suspend` and now: report that outcome.
            switch outcome {
            case .success: return .resume
            case .failure(let failure): return .fail(failure)
            }
        }
        let stored: Void? = senders.update(ticket) { waiter in
            if waiter.continuation != nil {
                fatalError("AnyIO: memory object stream sender \(ticket) suspended twice")
            }
            // Still queued: wait for a receiver, a close or a cancellation.
            waiter.continuation = continuation
        }
        if stored == nil {
            fatalError("AnyIO: memory object stream sender \(ticket) suspended but is neither queued nor finished")
        }
        suspendedSendCount &+= 1
        return .suspended
    }

    /// What a cancelled send must do.
    @usableFromInline
    enum CancelSendAction {
        /// Nothing now: it already completed (completion wins), or it has not suspended yet and
        /// `senderSuspended` will fail it.
        case none
        /// Resume this sender with `CancellationError`; its item was dropped, undelivered.
        case cancel(SendContinuation)
    }

    @inlinable
    mutating func cancelSend(_ ticket: QueueTicket) -> CancelSendAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard let waiter = senders.remove(ticket) else {
            // Not queued any more: its item was taken or it was failed first (that outcome
            // stands), or it was already resumed.
            return .none
        }
        if let continuation = waiter.continuation {
            // Suspended and its item not taken: it leaves, item and all.
            suspendedSendCount &-= 1
            return .cancel(continuation)
        }
        // Queued but not suspended yet: it leaves now; `senderSuspended` reports the cancellation.
        sendersFinishedEarly[ticket] = .failure(.cancelled)
        return .none
    }

    // MARK: - Receive

    /// What a receive must do.
    @usableFromInline
    enum ReceiveAction {
        /// Done: return this item. A checkpoint still yields.
        case received(Element)
        /// Done: return this item, and resume this sender normally (its item was taken or moved
        /// into the buffer).
        case receivedResumingSender(Element, SendContinuation)
        /// Throw this failure; nothing was received.
        case fail(Failure)
        /// The receive would have to wait and `policy` did not let it queue (yet).
        case wouldBlock
        /// Queued under this ticket: create the continuation, then report it with
        /// `receiverSuspended`.
        case suspend(QueueTicket)
    }

    /// A receive; `policy` says whether it may queue.
    @inlinable
    mutating func receive(policy: WaitPolicy) -> ReceiveAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if openReceiveStreams == 0 {
            // Every receive endpoint is closed, the caller's too: its close() won the race.
            return .fail(.closed)
        }
        if let item = buffer.popFirst() {
            // Buffered items come first. The freed slot goes to the first waiting sender.
            guard let (ticket, waiter) = senders.popFirst() else {
                return .received(item)
            }
            buffer.append(waiter.item)
            return completeSender(ticket, waiter, receiving: item)
        }
        if let (ticket, waiter) = senders.popFirst() {
            // Empty buffer with a waiting sender (rendezvous): take its item directly.
            return completeSender(ticket, waiter, receiving: waiter.item)
        }
        if openSendStreams == 0 {
            // Nothing buffered, nobody sending, and nobody ever will.
            return .fail(.endOfStream)
        }
        switch policy {
        case .never:
            // Nothing yet: tryReceive reports would-block.
            return .wouldBlock
        case .yieldingFirst where maxBufferSize > 0 && receivers.isEmpty:
            // Empty, and first in line: yield once, the sender may deliver meanwhile.
            return .wouldBlock
        case .yieldingFirst, .immediately:
            break
        }
        // Wait behind the other receivers.
        return .suspend(receivers.append(nil))
    }

    /// The sender `waiter` (already out of the queue) has delivered; the receiver gets `item`.
    @inlinable
    mutating func completeSender(
        _ ticket: QueueTicket,
        _ waiter: SendWaiter,
        receiving item: Element
    ) -> ReceiveAction {
        if let continuation = waiter.continuation {
            suspendedSendCount &-= 1
            return .receivedResumingSender(item, continuation)
        }
        // Not suspended yet: `senderSuspended` will resume it normally.
        sendersFinishedEarly[ticket] = .success(())
        return .received(item)
    }

    /// What a receive that got `.suspend(ticket)` must do with its continuation.
    @usableFromInline
    enum ReceiverSuspendedAction {
        /// Keep it suspended: it was stored and a sender or close will resume it.
        case suspended
        /// Resume it at once with this item, handed over before it suspended.
        case resume(Element)
        /// Resume it at once with this failure (cancelled, or end of stream, first).
        case fail(Failure)
    }

    @inlinable
    mutating func receiverSuspended(
        _ ticket: QueueTicket,
        _ continuation: ReceiveContinuation
    ) -> ReceiverSuspendedAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if !receiversFinishedEarly.isEmpty, let outcome = receiversFinishedEarly.removeValue(forKey: ticket) {
            // Handed an item, failed or cancelled between `.suspend` and now: report that outcome.
            switch outcome {
            case .success(let item): return .resume(item)
            case .failure(let failure): return .fail(failure)
            }
        }
        let stored: Void? = receivers.update(ticket) { slot in
            if slot != nil {
                fatalError("AnyIO: memory object stream receiver \(ticket) suspended twice")
            }
            // Still queued: wait for a sender, a close or a cancellation.
            slot = continuation
        }
        if stored == nil {
            fatalError("AnyIO: memory object stream receiver \(ticket) suspended but is neither queued nor finished")
        }
        suspendedReceiveCount &+= 1
        return .suspended
    }

    /// What a cancelled receive must do.
    @usableFromInline
    enum CancelReceiveAction {
        /// Nothing now: it was already handed an item or failed (that outcome stands), or it has
        /// not suspended yet and `receiverSuspended` will fail it.
        case none
        /// Resume this receiver with `CancellationError`; it took nothing.
        case cancel(ReceiveContinuation)
    }

    @inlinable
    mutating func cancelReceive(_ ticket: QueueTicket) -> CancelReceiveAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard let slot = receivers.remove(ticket) else {
            // Not queued any more: it was handed an item or failed first (that outcome stands),
            // or it was already resumed.
            return .none
        }
        if let continuation = slot {
            // Suspended with nothing handed to it: it leaves empty-handed.
            suspendedReceiveCount &-= 1
            return .cancel(continuation)
        }
        // Queued but not suspended yet: it leaves now; `receiverSuspended` reports it.
        receiversFinishedEarly[ticket] = .failure(.cancelled)
        return .none
    }

    // MARK: - Endpoints

    /// A `clone()` of a send endpoint that is open as far as the endpoint knows. Returns false if
    /// every send endpoint is closed (the caller's own close won the race): the clone must fail.
    mutating func cloneSend() -> Bool {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        // Once zero, the send side is closed for good: reopening it would undo an end of stream.
        guard openSendStreams > 0 else { return false }
        openSendStreams += 1
        return true
    }

    /// A `clone()` of a receive endpoint; false if every receive endpoint is closed.
    mutating func cloneReceive() -> Bool {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        // Once zero, the receive side is closed for good: senders were already told it is broken.
        guard openReceiveStreams > 0 else { return false }
        openReceiveStreams += 1
        return true
    }

    /// What closing a send endpoint must do.
    enum CloseSendAction {
        /// Nothing: other send endpoints are open, or nobody was waiting to receive.
        case none
        /// Resume these receivers with `EndOfStreamError`.
        case failReceivers([ReceiveContinuation])
    }

    /// Closes one send endpoint (each endpoint calls this at most once).
    mutating func closeSend() -> CloseSendAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        checkPrecondition(openSendStreams > 0, "AnyIO: memory object stream send side closed more often than opened")
        openSendStreams -= 1
        guard openSendStreams == 0, !receivers.isEmpty else {
            // Another sender may still send, or nobody waits: nothing to wake.
            return .none
        }
        // The last sender is gone and waiting receivers have an empty buffer: end of stream.
        var failed: [ReceiveContinuation] = []
        while let (ticket, slot) = receivers.popFirst() {
            if let continuation = slot {
                suspendedReceiveCount &-= 1
                failed.append(continuation)
            } else {
                receiversFinishedEarly[ticket] = .failure(.endOfStream)
            }
        }
        return failed.isEmpty ? .none : .failReceivers(failed)
    }

    /// What closing a receive endpoint must do.
    enum CloseReceiveAction {
        /// Nothing: other receive endpoints are open, or nobody was waiting to send.
        case none
        /// Resume these senders with `BrokenResourceError`; their items were dropped.
        case failSenders([SendContinuation])
    }

    /// Closes one receive endpoint (each endpoint calls this at most once).
    mutating func closeReceive() -> CloseReceiveAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        checkPrecondition(openReceiveStreams > 0, "AnyIO: memory object stream receive side closed more often than opened")
        openReceiveStreams -= 1
        guard openReceiveStreams == 0, !senders.isEmpty else {
            // Another receiver may still receive, or nobody waits: nothing to wake.
            return .none
        }
        // The last receiver is gone: no waiting item can ever be delivered. The buffer is kept,
        // as AnyIO keeps it (only statistics can see it now).
        var failed: [SendContinuation] = []
        while let (ticket, waiter) = senders.popFirst() {
            if let continuation = waiter.continuation {
                suspendedSendCount &-= 1
                failed.append(continuation)
            } else {
                sendersFinishedEarly[ticket] = .failure(.broken)
            }
        }
        return failed.isEmpty ? .none : .failSenders(failed)
    }

    // MARK: - Checks

    #if ANYIO_INTERNAL_CHECKS
    /// Traps if an invariant above does not hold; run after every event under `ANYIO_INTERNAL_CHECKS`.
    @usableFromInline
    func _checkInvariants() {
        checkPrecondition(senders.isEmpty || receivers.isEmpty, "both senders and receivers wait")
        precondition(senders.isEmpty || (buffer.count == maxBufferSize && openReceiveStreams > 0))
        precondition(receivers.isEmpty || (buffer.isEmpty && openSendStreams > 0))
        precondition(buffer.count <= maxBufferSize)
        precondition(openSendStreams >= 0 && openReceiveStreams >= 0)
        precondition(suspendedSendCount == senders.values.filter { $0.continuation != nil }.count)
        precondition(suspendedReceiveCount == receivers.values.filter { $0 != nil }.count)
    }
    #endif
}
