//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `MemoryObjectStreamStateMachine`. Items are strings; continuations are plain
/// integers (send continuations 100…, receive continuations 200…), so the tests can see exactly
/// which waiter an action hands back.
///
/// States: idle (buffer empty / partly full / full, rendezvous), senders queued (reserved or
/// suspended), receivers queued (reserved or suspended), send side closed (buffer, waiting senders,
/// nothing), receive side closed (buffer, waiting receivers). Events: send and receive with each
/// wait policy, …Suspended, cancelSend / cancelReceive, cloneSend / cloneReceive, closeSend /
/// closeReceive, statistics.
@Suite("MemoryObjectStream state machine", .timeLimit(.minutes(1)))
struct MemoryObjectStreamStateMachineTests {
    typealias Machine = MemoryObjectStreamStateMachine<String, Int, Int>

    // MARK: - Helpers

    /// Expects `.sent`.
    func expectSent(_ action: Machine.SendAction, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .sent = action else {
            Issue.record("expected .sent, got \(action)", sourceLocation: sourceLocation)
            return
        }
    }

    /// Expects `.suspend` and returns the ticket.
    func expectSendSuspends(
        _ action: Machine.SendAction,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> QueueTicket? {
        guard case .suspend(let ticket) = action else {
            Issue.record("expected .suspend, got \(action)", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    /// Expects `.suspend` and returns the ticket.
    func expectReceiveSuspends(
        _ action: Machine.ReceiveAction,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> QueueTicket? {
        guard case .suspend(let ticket) = action else {
            Issue.record("expected .suspend, got \(action)", sourceLocation: sourceLocation)
            return nil
        }
        return ticket
    }

    /// Expects `.received(item)`.
    func expectReceived(
        _ action: Machine.ReceiveAction,
        _ item: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard case .received(let got) = action else {
            Issue.record("expected .received(\(item)), got \(action)", sourceLocation: sourceLocation)
            return
        }
        #expect(got == item, sourceLocation: sourceLocation)
    }

    /// Expects `.receivedResumingSender(item, sender)`.
    func expectReceivedResuming(
        _ action: Machine.ReceiveAction,
        _ item: String,
        sender: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard case .receivedResumingSender(let got, let continuation) = action else {
            Issue.record("expected .receivedResumingSender(\(item), \(sender)), got \(action)", sourceLocation: sourceLocation)
            return
        }
        #expect(got == item, sourceLocation: sourceLocation)
        #expect(continuation == sender, sourceLocation: sourceLocation)
    }

    /// A machine whose buffer holds `items` (capacity `capacity`).
    func machine(capacity: Int, holding items: [String] = []) -> Machine {
        var machine = Machine(maxBufferSize: capacity)
        for item in items { expectSent(machine.send(item, policy: .never)) }
        return machine
    }

    /// Queues a sender with `item` and stores continuation `continuation`; returns its ticket.
    func suspendSender(_ machine: inout Machine, _ item: String, continuation: Int) -> QueueTicket? {
        guard let ticket = expectSendSuspends(machine.send(item, policy: .immediately)) else { return nil }
        guard case .suspended = machine.senderSuspended(ticket, continuation) else {
            Issue.record("sender \(item) was not stored")
            return nil
        }
        return ticket
    }

    /// Queues a receiver and stores continuation `continuation`; returns its ticket.
    func suspendReceiver(_ machine: inout Machine, continuation: Int) -> QueueTicket? {
        guard let ticket = expectReceiveSuspends(machine.receive(policy: .immediately)) else { return nil }
        guard case .suspended = machine.receiverSuspended(ticket, continuation) else {
            Issue.record("receiver \(continuation) was not stored")
            return nil
        }
        return ticket
    }

    // MARK: - send × idle

    @Test func send_whenBufferHasRoom_buffers() {
        var machine = machine(capacity: 2)
        expectSent(machine.send("a", policy: .immediately))
        expectSent(machine.send("b", policy: .yieldingFirst))
        #expect(machine.bufferedItems == ["a", "b"])
        #expect(machine.statistics.currentBufferUsed == 2)
        #expect(machine.queuedSendCount == 0)
    }

    @Test func send_whenUnbounded_alwaysBuffers() {
        var machine = machine(capacity: .max)
        for index in 0..<1000 { expectSent(machine.send("\(index)", policy: .never)) }
        #expect(machine.bufferCount == 1000)
        #expect(machine.bufferedItems.first == "0" && machine.bufferedItems.last == "999")
    }

    @Test func send_whenFull_neverPolicy_wouldBlock() {
        var machine = machine(capacity: 1, holding: ["a"])
        guard case .wouldBlock = machine.send("b", policy: .never) else { Issue.record("not would-block"); return }
        #expect(machine.bufferedItems == ["a"])
        #expect(machine.queuedSendCount == 0)
    }

    @Test func send_whenFullAndFirstInLine_yieldingFirst_wouldBlock() {
        var machine = machine(capacity: 1, holding: ["a"])
        guard case .wouldBlock = machine.send("b", policy: .yieldingFirst) else { Issue.record("not would-block"); return }
        #expect(machine.queuedSendCount == 0)
    }

    @Test func send_whenFullBehindQueuedSender_yieldingFirst_queues() {
        var machine = machine(capacity: 1, holding: ["a"])
        _ = suspendSender(&machine, "b", continuation: 100)
        _ = expectSendSuspends(machine.send("c", policy: .yieldingFirst))
        #expect(machine.queuedSendCount == 2)
        #expect(machine.waitingSenderItems == ["b", "c"])
    }

    @Test func send_whenRendezvous_yieldingFirst_queuesAtOnce() {
        var machine = machine(capacity: 0)
        _ = expectSendSuspends(machine.send("a", policy: .yieldingFirst))
        #expect(machine.queuedSendCount == 1)
        #expect(machine.statistics.tasksWaitingSend == 0, "queued but not suspended yet")
    }

    @Test func send_whenFull_immediately_queuesWithItem() {
        var machine = machine(capacity: 1, holding: ["a"])
        _ = suspendSender(&machine, "b", continuation: 100)
        #expect(machine.waitingSenderItems == ["b"])
        #expect(machine.statistics.tasksWaitingSend == 1)
        #expect(machine.bufferedItems == ["a"])
    }

    // MARK: - send × receivers waiting

    @Test("send hands the item to the first suspended receiver (FIFO), not the buffer", arguments: [0, 1, 5])
    func send_whenReceiversSuspended_resumesFirst(capacity: Int) {
        var machine = machine(capacity: capacity)
        _ = suspendReceiver(&machine, continuation: 200)
        _ = suspendReceiver(&machine, continuation: 201)
        #expect(machine.statistics.tasksWaitingReceive == 2)
        guard case .resumeReceiver(let receiver, let item) = machine.send("a", policy: .never) else {
            Issue.record("did not resume a receiver"); return
        }
        #expect(receiver == 200 && item == "a")
        guard case .resumeReceiver(let second, let item2) = machine.send("b", policy: .immediately) else {
            Issue.record("did not resume the second receiver"); return
        }
        #expect(second == 201 && item2 == "b")
        #expect(machine.bufferCount == 0)
        #expect(machine.statistics.tasksWaitingReceive == 0)
    }

    @Test func send_whenReceiverQueuedButNotSuspended_parksItemForIt() {
        var machine = machine(capacity: 0)
        guard let ticket = expectReceiveSuspends(machine.receive(policy: .immediately)) else { return }
        expectSent(machine.send("a", policy: .never))
        #expect(machine.queuedReceiveCount == 0)
        #expect(machine.finishedEarlyCount == 1)
        guard case .resume(let item) = machine.receiverSuspended(ticket, 200) else {
            Issue.record("the parked item was not delivered"); return
        }
        #expect(item == "a")
        #expect(machine.finishedEarlyCount == 0)
    }

    // MARK: - send × closed sides

    @Test("send after every receive endpoint closed fails broken, also with receivers left waiting")
    func send_whenReceiveSideClosed_failsBroken() {
        var machine = machine(capacity: 1)
        _ = suspendReceiver(&machine, continuation: 200)
        guard case .none = machine.closeReceive() else { Issue.record("closeReceive acted"); return }
        for policy in [Machine.WaitPolicy.never, .yieldingFirst, .immediately] {
            guard case .fail(.broken) = machine.send("a", policy: policy) else { Issue.record("not broken"); return }
        }
        #expect(machine.statistics.tasksWaitingReceive == 1, "AnyIO leaves the closed side's waiter queued")
    }

    @Test func send_whenSendSideClosed_failsClosed() {
        var machine = machine(capacity: 1)
        _ = machine.closeSend()
        guard case .fail(.closed) = machine.send("a", policy: .immediately) else { Issue.record("not closed"); return }
        #expect(machine.bufferCount == 0)
    }

    // MARK: - receive × idle

    @Test func receive_whenBuffered_returnsFrontInOrder() {
        var machine = machine(capacity: 3, holding: ["a", "b", "c"])
        expectReceived(machine.receive(policy: .never), "a")
        expectReceived(machine.receive(policy: .yieldingFirst), "b")
        expectReceived(machine.receive(policy: .immediately), "c")
        #expect(machine.bufferCount == 0)
    }

    @Test func receive_whenEmpty_neverPolicy_wouldBlock() {
        var machine = machine(capacity: 1)
        guard case .wouldBlock = machine.receive(policy: .never) else { Issue.record("not would-block"); return }
        #expect(machine.queuedReceiveCount == 0)
    }

    @Test func receive_whenEmptyAndFirstInLine_yieldingFirst_wouldBlock() {
        var machine = machine(capacity: 4)
        guard case .wouldBlock = machine.receive(policy: .yieldingFirst) else { Issue.record("not would-block"); return }
        #expect(machine.queuedReceiveCount == 0)
    }

    @Test func receive_whenEmptyBehindQueuedReceiver_yieldingFirst_queues() {
        var machine = machine(capacity: 4)
        _ = suspendReceiver(&machine, continuation: 200)
        _ = expectReceiveSuspends(machine.receive(policy: .yieldingFirst))
        #expect(machine.queuedReceiveCount == 2)
    }

    @Test func receive_whenRendezvous_yieldingFirst_queuesAtOnce() {
        var machine = machine(capacity: 0)
        _ = expectReceiveSuspends(machine.receive(policy: .yieldingFirst))
        #expect(machine.queuedReceiveCount == 1)
    }

    // MARK: - receive × senders waiting

    @Test("receive takes the buffer's front and moves the first waiting sender's item in")
    func receive_whenFullWithSuspendedSenders_refillsFromFirstSender() {
        var machine = machine(capacity: 2, holding: ["a", "b"])
        _ = suspendSender(&machine, "c", continuation: 100)
        _ = suspendSender(&machine, "d", continuation: 101)
        expectReceivedResuming(machine.receive(policy: .never), "a", sender: 100)
        #expect(machine.bufferedItems == ["b", "c"])
        #expect(machine.waitingSenderItems == ["d"])
        expectReceivedResuming(machine.receive(policy: .immediately), "b", sender: 101)
        #expect(machine.bufferedItems == ["c", "d"])
        expectReceived(machine.receive(policy: .never), "c")
        expectReceived(machine.receive(policy: .never), "d")
        #expect(machine.statistics.tasksWaitingSend == 0)
    }

    @Test("rendezvous: receive takes the first waiting sender's item directly, FIFO")
    func receive_whenRendezvousWithSuspendedSenders_takesDirectly() {
        var machine = machine(capacity: 0)
        _ = suspendSender(&machine, "a", continuation: 100)
        _ = suspendSender(&machine, "b", continuation: 101)
        expectReceivedResuming(machine.receive(policy: .never), "a", sender: 100)
        expectReceivedResuming(machine.receive(policy: .yieldingFirst), "b", sender: 101)
        #expect(machine.bufferCount == 0)
        guard case .wouldBlock = machine.receive(policy: .never) else { Issue.record("not would-block"); return }
    }

    @Test("a sender whose item is taken before it suspended completes normally", arguments: [0, 1])
    func receive_whenSenderQueuedButNotSuspended_completesItEarly(capacity: Int) {
        var machine = machine(capacity: capacity, holding: capacity == 1 ? ["a"] : [])
        guard let ticket = expectSendSuspends(machine.send("b", policy: .immediately)) else { return }
        expectReceived(machine.receive(policy: .never), capacity == 1 ? "a" : "b")
        #expect(machine.queuedSendCount == 0)
        guard case .resume = machine.senderSuspended(ticket, 100) else { Issue.record("not resumed"); return }
        #expect(machine.finishedEarlyCount == 0)
        if capacity == 1 { expectReceived(machine.receive(policy: .never), "b") }
    }

    // MARK: - receive × closed sides

    @Test("receive after every send endpoint closed drains the buffer, then ends")
    func receive_whenSendSideClosed_drainsThenEndOfStream() {
        var machine = machine(capacity: 2, holding: ["a", "b"])
        guard case .none = machine.closeSend() else { Issue.record("closeSend acted"); return }
        expectReceived(machine.receive(policy: .immediately), "a")
        expectReceived(machine.receive(policy: .never), "b")
        for policy in [Machine.WaitPolicy.never, .yieldingFirst, .immediately] {
            guard case .fail(.endOfStream) = machine.receive(policy: policy) else { Issue.record("not end of stream"); return }
        }
    }

    @Test("senders still waiting after the last send close are drained before the end (AnyIO)")
    func receive_whenSendSideClosedWithWaitingSenders_takesThemFirst() {
        var machine = machine(capacity: 0)
        _ = suspendSender(&machine, "a", continuation: 100)
        guard case .none = machine.closeSend() else { Issue.record("closeSend acted"); return }
        #expect(machine.statistics.tasksWaitingSend == 1)
        expectReceivedResuming(machine.receive(policy: .never), "a", sender: 100)
        guard case .fail(.endOfStream) = machine.receive(policy: .immediately) else { Issue.record("not end of stream"); return }
    }

    @Test func receive_whenReceiveSideClosed_failsClosed() {
        var machine = machine(capacity: 2, holding: ["a"])
        _ = machine.closeReceive()
        guard case .fail(.closed) = machine.receive(policy: .never) else { Issue.record("not closed"); return }
        #expect(machine.bufferCount == 1, "the buffer is kept, as in AnyIO")
    }

    // MARK: - …Suspended

    @Test func senderSuspended_whenQueued_storesIt() {
        var machine = machine(capacity: 0)
        guard let ticket = expectSendSuspends(machine.send("a", policy: .immediately)) else { return }
        #expect(machine.statistics.tasksWaitingSend == 0)
        guard case .suspended = machine.senderSuspended(ticket, 100) else { Issue.record("not stored"); return }
        #expect(machine.statistics.tasksWaitingSend == 1)
    }

    @Test func senderSuspended_whenReceiveSideClosedFirst_failsBroken() {
        var machine = machine(capacity: 0)
        guard let ticket = expectSendSuspends(machine.send("a", policy: .immediately)) else { return }
        guard case .none = machine.closeReceive() else { Issue.record("closeReceive resumed an unstored sender"); return }
        guard case .fail(.broken) = machine.senderSuspended(ticket, 100) else { Issue.record("not broken"); return }
        #expect(machine.finishedEarlyCount == 0)
    }

    @Test func receiverSuspended_whenQueued_storesIt() {
        var machine = machine(capacity: 1)
        guard let ticket = expectReceiveSuspends(machine.receive(policy: .immediately)) else { return }
        #expect(machine.statistics.tasksWaitingReceive == 0)
        guard case .suspended = machine.receiverSuspended(ticket, 200) else { Issue.record("not stored"); return }
        #expect(machine.statistics.tasksWaitingReceive == 1)
    }

    @Test func receiverSuspended_whenSendSideClosedFirst_failsEndOfStream() {
        var machine = machine(capacity: 1)
        guard let ticket = expectReceiveSuspends(machine.receive(policy: .immediately)) else { return }
        guard case .none = machine.closeSend() else { Issue.record("closeSend resumed an unstored receiver"); return }
        guard case .fail(.endOfStream) = machine.receiverSuspended(ticket, 200) else { Issue.record("not end of stream"); return }
        #expect(machine.finishedEarlyCount == 0)
    }

    // MARK: - cancelSend

    @Test("cancelling a suspended send removes it and its item; the others keep their order")
    func cancelSend_whenSuspended_cancelsThatSenderOnly() {
        var machine = machine(capacity: 1, holding: ["a"])
        _ = suspendSender(&machine, "b", continuation: 100)
        guard let middle = suspendSender(&machine, "c", continuation: 101) else { return }
        _ = suspendSender(&machine, "d", continuation: 102)
        guard case .cancel(let continuation) = machine.cancelSend(middle) else { Issue.record("not cancelled"); return }
        #expect(continuation == 101)
        #expect(machine.waitingSenderItems == ["b", "d"])
        #expect(machine.statistics.tasksWaitingSend == 2)
        expectReceivedResuming(machine.receive(policy: .never), "a", sender: 100)
        expectReceivedResuming(machine.receive(policy: .never), "b", sender: 102)
        expectReceived(machine.receive(policy: .never), "d")
    }

    @Test func cancelSend_beforeSuspend_failsOnSuspend() {
        var machine = machine(capacity: 0)
        guard let ticket = expectSendSuspends(machine.send("a", policy: .immediately)) else { return }
        guard case .none = machine.cancelSend(ticket) else { Issue.record("early cancel acted"); return }
        #expect(machine.queuedSendCount == 0)
        guard case .fail(.cancelled) = machine.senderSuspended(ticket, 100) else { Issue.record("not cancelled"); return }
        guard case .wouldBlock = machine.receive(policy: .never) else { Issue.record("the cancelled item was delivered"); return }
        #expect(machine.finishedEarlyCount == 0)
    }

    @Test("a cancel that arrives after the item was taken does nothing: completion wins", arguments: [true, false])
    func cancelSend_afterItemTaken_doesNothing(suspendedFirst: Bool) {
        var machine = machine(capacity: 0)
        guard let ticket = expectSendSuspends(machine.send("a", policy: .immediately)) else { return }
        if suspendedFirst {
            _ = machine.senderSuspended(ticket, 100)
            expectReceivedResuming(machine.receive(policy: .never), "a", sender: 100)
            guard case .none = machine.cancelSend(ticket) else { Issue.record("late cancel acted"); return }
        } else {
            expectReceived(machine.receive(policy: .never), "a")
            guard case .none = machine.cancelSend(ticket) else { Issue.record("late cancel acted"); return }
            guard case .resume = machine.senderSuspended(ticket, 100) else { Issue.record("completion lost"); return }
        }
        #expect(machine.finishedEarlyCount == 0)
        #expect(machine.statistics.tasksWaitingSend == 0)
    }

    @Test func cancelSend_afterBrokenByClose_doesNothing() {
        var machine = machine(capacity: 0)
        guard let ticket = suspendSender(&machine, "a", continuation: 100) else { return }
        guard case .failSenders(let senders) = machine.closeReceive() else { Issue.record("no senders failed"); return }
        #expect(senders == [100])
        guard case .none = machine.cancelSend(ticket) else { Issue.record("late cancel acted"); return }
    }

    // MARK: - cancelReceive

    @Test func cancelReceive_whenSuspended_cancelsThatReceiverOnly() {
        var machine = machine(capacity: 0)
        guard let first = suspendReceiver(&machine, continuation: 200) else { return }
        _ = suspendReceiver(&machine, continuation: 201)
        guard case .cancel(let continuation) = machine.cancelReceive(first) else { Issue.record("not cancelled"); return }
        #expect(continuation == 200)
        #expect(machine.statistics.tasksWaitingReceive == 1)
        guard case .resumeReceiver(let receiver, _) = machine.send("a", policy: .never) else { Issue.record("not delivered"); return }
        #expect(receiver == 201)
    }

    @Test func cancelReceive_beforeSuspend_failsOnSuspend() {
        var machine = machine(capacity: 1)
        guard let ticket = expectReceiveSuspends(machine.receive(policy: .immediately)) else { return }
        guard case .none = machine.cancelReceive(ticket) else { Issue.record("early cancel acted"); return }
        expectSent(machine.send("a", policy: .never))
        #expect(machine.bufferedItems == ["a"], "the item went to the buffer, not to the cancelled receiver")
        guard case .fail(.cancelled) = machine.receiverSuspended(ticket, 200) else { Issue.record("not cancelled"); return }
        #expect(machine.finishedEarlyCount == 0)
    }

    @Test("a receiver handed an item keeps it even if cancelled afterwards", arguments: [true, false])
    func cancelReceive_afterItemHandedOver_doesNothing(suspendedFirst: Bool) {
        var machine = machine(capacity: 0)
        guard let ticket = expectReceiveSuspends(machine.receive(policy: .immediately)) else { return }
        if suspendedFirst {
            _ = machine.receiverSuspended(ticket, 200)
            guard case .resumeReceiver(200, "a") = machine.send("a", policy: .never) else { Issue.record("not handed over"); return }
            guard case .none = machine.cancelReceive(ticket) else { Issue.record("late cancel acted"); return }
        } else {
            expectSent(machine.send("a", policy: .never))
            guard case .none = machine.cancelReceive(ticket) else { Issue.record("late cancel acted"); return }
            guard case .resume("a") = machine.receiverSuspended(ticket, 200) else { Issue.record("item lost"); return }
        }
        #expect(machine.finishedEarlyCount == 0)
        #expect(machine.bufferCount == 0)
    }

    @Test func cancelReceive_afterEndOfStream_doesNothing() {
        var machine = machine(capacity: 0)
        guard let ticket = suspendReceiver(&machine, continuation: 200) else { return }
        guard case .failReceivers(let receivers) = machine.closeSend() else { Issue.record("no receivers failed"); return }
        #expect(receivers == [200])
        guard case .none = machine.cancelReceive(ticket) else { Issue.record("late cancel acted"); return }
    }

    // MARK: - clone / close

    @Test func cloneAndClose_countEndpoints() {
        var machine = machine(capacity: 1)
        let clonedSend = machine.cloneSend()
        #expect(clonedSend)
        let clonedReceive = machine.cloneReceive()
        #expect(clonedReceive)
        #expect(machine.statistics.openSendStreams == 2)
        #expect(machine.statistics.openReceiveStreams == 2)
        guard case .none = machine.closeSend() else { Issue.record("first close acted"); return }
        guard case .none = machine.closeReceive() else { Issue.record("first close acted"); return }
        #expect(machine.openSendStreams == 1 && machine.openReceiveStreams == 1)
        expectSent(machine.send("a", policy: .never))
        expectReceived(machine.receive(policy: .never), "a")
    }

    @Test func clone_whenSideClosedForGood_fails() {
        var machine = machine(capacity: 1)
        _ = machine.closeSend()
        _ = machine.closeReceive()
        let refusedSend = machine.cloneSend()
        #expect(!refusedSend)
        let refusedReceive = machine.cloneReceive()
        #expect(!refusedReceive)
        #expect(machine.openSendStreams == 0 && machine.openReceiveStreams == 0)
    }

    @Test("the last send close wakes every waiting receiver, suspended or not yet")
    func closeSend_whenLastWithReceiversWaiting_failsThemAll() {
        var machine = machine(capacity: 1)
        _ = suspendReceiver(&machine, continuation: 200)
        guard let early = expectReceiveSuspends(machine.receive(policy: .immediately)) else { return }
        _ = suspendReceiver(&machine, continuation: 202)
        let clonedSend = machine.cloneSend()
        #expect(clonedSend)
        guard case .none = machine.closeSend() else { Issue.record("non-last close acted"); return }
        guard case .failReceivers(let receivers) = machine.closeSend() else { Issue.record("last close did not wake"); return }
        #expect(receivers == [200, 202])
        #expect(machine.statistics.tasksWaitingReceive == 0)
        guard case .fail(.endOfStream) = machine.receiverSuspended(early, 201) else { Issue.record("early receiver not ended"); return }
    }

    @Test("the last receive close wakes every waiting sender and keeps the buffer")
    func closeReceive_whenLastWithSendersWaiting_failsThemAll() {
        var machine = machine(capacity: 1, holding: ["a"])
        _ = suspendSender(&machine, "b", continuation: 100)
        guard let early = expectSendSuspends(machine.send("c", policy: .immediately)) else { return }
        guard case .failSenders(let senders) = machine.closeReceive() else { Issue.record("last close did not wake"); return }
        #expect(senders == [100])
        guard case .fail(.broken) = machine.senderSuspended(early, 101) else { Issue.record("early sender not broken"); return }
        #expect(machine.statistics.currentBufferUsed == 1)
        #expect(machine.statistics.tasksWaitingSend == 0)
        #expect(machine.waitingSenderItems.isEmpty)
    }

    @Test func closeSend_whenLastWithNobodyWaiting_doesNothing() {
        var machine = machine(capacity: 1, holding: ["a"])
        guard case .none = machine.closeSend() else { Issue.record("close acted"); return }
        #expect(machine.openSendStreams == 0)
    }

    @Test func closeReceive_whenLastWithNobodyWaiting_doesNothing() {
        var machine = machine(capacity: 1)
        guard case .none = machine.closeReceive() else { Issue.record("close acted"); return }
        #expect(machine.openReceiveStreams == 0)
    }

    @Test("the last receive close leaves waiting receivers queued; the last send close ends them (AnyIO)")
    func closeReceive_withReceiversWaiting_leavesThemToCloseSend() {
        var machine = machine(capacity: 0)
        _ = suspendReceiver(&machine, continuation: 200)
        guard case .none = machine.closeReceive() else { Issue.record("closeReceive acted"); return }
        #expect(machine.statistics.tasksWaitingReceive == 1)
        guard case .failReceivers([200]) = machine.closeSend() else { Issue.record("closeSend did not end the receiver"); return }
    }

    @Test("the last send close leaves waiting senders queued (AnyIO)")
    func closeSend_withSendersWaiting_leavesThem() {
        var machine = machine(capacity: 1, holding: ["a"])
        _ = suspendSender(&machine, "b", continuation: 100)
        guard case .none = machine.closeSend() else { Issue.record("closeSend acted"); return }
        #expect(machine.statistics.tasksWaitingSend == 1)
        guard case .failSenders([100]) = machine.closeReceive() else { Issue.record("closeReceive did not break the sender"); return }
    }

    // MARK: - statistics

    @Test func statistics_reportAllSixFields() {
        var machine = machine(capacity: 3, holding: ["a", "b"])
        let clonedReceive = machine.cloneReceive()
        #expect(clonedReceive)
        #expect(
            machine.statistics
                == MemoryObjectStreamStatistics(
                    currentBufferUsed: 2, maxBufferSize: 3, openSendStreams: 1, openReceiveStreams: 2,
                    tasksWaitingSend: 0, tasksWaitingReceive: 0
                )
        )
        var unbounded = self.machine(capacity: .max)
        _ = suspendReceiver(&unbounded, continuation: 200)
        #expect(unbounded.statistics.maxBufferSize == .max)
        #expect(unbounded.statistics.tasksWaitingReceive == 1)
    }

    // MARK: - queues

    @Test("many waiters, cancelled from the middle, front and back: FIFO of the rest is kept")
    func ticketQueue_removalsKeepOrder() {
        var machine = machine(capacity: 0)
        var tickets: [QueueTicket] = []
        for index in 0..<10 {
            guard let ticket = suspendSender(&machine, "\(index)", continuation: 100 + index) else { return }
            tickets.append(ticket)
        }
        for index in [0, 9, 4, 5] {
            guard case .cancel(let continuation) = machine.cancelSend(tickets[index]) else { Issue.record("not cancelled"); return }
            #expect(continuation == 100 + index)
        }
        #expect(machine.waitingSenderItems == ["1", "2", "3", "6", "7", "8"])
        // Slots are reused by new waiters; old tickets stay stale.
        _ = suspendSender(&machine, "10", continuation: 110)
        guard case .none = machine.cancelSend(tickets[0]) else { Issue.record("a stale ticket matched"); return }
        var received: [String] = []
        while case .receivedResumingSender(let item, _) = machine.receive(policy: .never) { received.append(item) }
        #expect(received == ["1", "2", "3", "6", "7", "8", "10"])
    }

    @Test func ringBuffer_growsAndWrapsInOrder() {
        var buffer = RingBuffer<Int>()
        var expected: [Int] = []
        var next = 0
        for round in 0..<50 {
            for _ in 0..<(round % 7 + 1) {
                buffer.append(next)
                expected.append(next)
                next += 1
            }
            for _ in 0..<(round % 5) where !expected.isEmpty {
                #expect(buffer.popFirst() == expected.removeFirst())
            }
            #expect(buffer.elements == expected)
        }
        while let value = buffer.popFirst() { #expect(value == expected.removeFirst()) }
        #expect(expected.isEmpty && buffer.isEmpty)
    }
}
