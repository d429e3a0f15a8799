//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Testing

@testable import AnyIO

/// Runs `body`, expecting it to throw an error of type `E`.
private func expectThrows<E: Error, R>(
    _ type: E.Type,
    sourceLocation: SourceLocation = #_sourceLocation,
    isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws -> R
) async {
    do {
        let value = try await body()
        Issue.record("expected \(E.self), got the value \(value)", sourceLocation: sourceLocation)
    } catch is E {
        // expected
    } catch {
        Issue.record("expected \(E.self), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Expects `body` to throw an `ErrorGroup` holding exactly one error, of type `E`.
private func expectGroupOf<E: Error>(
    _ type: E.Type,
    sourceLocation: SourceLocation = #_sourceLocation,
    isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected an ErrorGroup of \(E.self)", sourceLocation: sourceLocation)
    } catch let group as ErrorGroup {
        #expect(group.errors.count == 1, "\(group)", sourceLocation: sourceLocation)
        #expect(group.errors.first is E, "\(group)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected an ErrorGroup of \(E.self), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Behaviour of memory object streams: AnyIO's `tests/streams/test_memory.py`, Trio's
/// `test_channel.py`, and SPEC M1–M4, C8, C9. "Waits" are observed through `statistics()`, which
/// counts only suspended callers (whose cancellation handler is installed).
@Suite("MemoryObjectStream", .timeLimit(.minutes(1)))
struct MemoryObjectStreamTests {
    // MARK: - Creation

    @Test("a negative buffer size traps with a clear message")
    func negativeBufferSizeTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = makeMemoryObjectStream(of: Int.self, bufferSize: -1)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("cannot be negative"), "stderr: \(stderr)")
    }
    // anyio: tests/streams/test_memory.py::test_negative_max_buffer
    // (test_invalid_max_buffer has no equivalent: `bufferSize` is an `Int`, `.max` is unbounded.)

    // MARK: - Sending and receiving

    @Test("a waiting receiver gets the items sent afterwards, in order")
    func receiveThenSend() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self)
        let received = TestBox<[String]>([])
        try await withNursery { nursery in
            nursery.startSoon {
                received.append(try await receive.receive())
                received.append(try await receive.receive())
            }
            try await testWaitUntil("the receiver waits") { receive.statistics().tasksWaitingReceive == 1 }
            try await send.send("hello")
            try await send.send("anyio")
        }
        #expect(received.value == ["hello", "anyio"])
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_receive_then_send

    @Test("trySend hands items to waiting receivers")
    func receiveThenTrySend() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self)
        let received = TestBox<[String]>([])
        try await withNursery { nursery in
            for _ in 0..<2 {
                nursery.startSoon { received.append(try await receive.receive()) }
            }
            try await testWaitUntil("both receivers wait") { receive.statistics().tasksWaitingReceive == 2 }
            #expect(try send.trySend("hello"))
            #expect(try send.trySend("anyio"))
        }
        #expect(received.value.sorted() == ["anyio", "hello"])
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_receive_then_send_nowait

    @Test("tryReceive takes the item of a waiting sender (rendezvous)")
    func sendThenTryReceive() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self)
        try await withNursery { nursery in
            nursery.startSoon { try await send.send("hello") }
            try await testWaitUntil("the sender waits") { send.statistics().tasksWaitingSend == 1 }
            #expect(try receive.tryReceive() == "hello")
        }
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_send_then_receive_nowait

    @Test("tryReceive on a full buffer moves the waiting sender's item in and unblocks it")
    func sendUnblockedAfterTryReceive() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 1)
        #expect(try send.trySend("hello"))
        try await failAfter(.seconds(5)) { _ in
            try await withNursery { nursery in
                nursery.startSoon { try await send.send("anyio") }
                try await testWaitUntil("the sender waits") { send.statistics().tasksWaitingSend == 1 }
                #expect(try receive.tryReceive() == "hello")
            }
        }
        #expect(try receive.tryReceive() == "anyio")
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_send_is_unblocked_after_receive_nowait

    @Test func trySendThenTryReceive() throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 2)
        #expect(try send.trySend("hello"))
        #expect(try send.trySend("anyio"))
        #expect(try receive.tryReceive() == "hello")
        #expect(try receive.tryReceive() == "anyio")
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_send_nowait_then_receive_nowait

    @Test("the receive stream is an AsyncSequence that ends when the senders close")
    func iterate() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self)
        let received = TestBox<[String]>([])
        try await withNursery { nursery in
            nursery.startSoon {
                for try await item in receive { received.append(item) }
            }
            try await send.send("hello")
            try await send.send("anyio")
            send.close()
        }
        #expect(received.value == ["hello", "anyio"])
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_iterate
    // spec: M4

    @Test("a buffered item is still received after the send side closed")
    func receiveAfterSendClosed() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 1)
        try await send.send("hello")
        send.close()
        #expect(try await receive.receive() == "hello")
        await expectThrows(EndOfStreamError.self) { try await receive.receive() }
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_receive_after_send_closed

    @Test("a sender and a receiver that each close their endpoint right after use end cleanly")
    func closeReceiveAfterSend() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self)
        try await withNursery { nursery in
            nursery.startSoon {
                defer { send.close() }
                try await send.send("test")
            }
            nursery.startSoon {
                defer { receive.close() }
                let value = try await receive.receive()
                #expect(value == "test")
            }
        }
    }
    // anyio: tests/streams/test_memory.py::test_close_receive_after_send

    // MARK: - Closing (M2)

    @Test("after the send side closed: receive ends, and the closed sender cannot send")
    func closedSendStream() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self)
        send.close()
        #expect(throws: EndOfStreamError.self) { try receive.tryReceive() }
        await expectThrows(ClosedResourceError.self) { try await send.send(1) }
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_receive_send_closed_send_stream

    @Test("after the receive side closed: the closed receiver cannot receive, sends are broken")
    func closedReceiveStream() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self)
        receive.close()
        #expect(throws: ClosedResourceError.self) { try receive.tryReceive() }
        await expectThrows(BrokenResourceError.self) { try await send.send(1) }
        #expect(throws: BrokenResourceError.self) { try send.trySend(1) }
        send.close()
    }
    // anyio: tests/streams/test_memory.py::test_receive_send_closed_receive_stream

    @Test("closing the last sender wakes a waiting receiver with EndOfStreamError")
    func closeSendWhileReceiving() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
        await expectGroupOf(EndOfStreamError.self) {
            try await withNursery { nursery in
                nursery.startSoon { _ = try await receive.receive() }
                try await testWaitUntil("the receiver waits") { receive.statistics().tasksWaitingReceive == 1 }
                send.close()
            }
        }
        #expect(receive.statistics().tasksWaitingReceive == 0)
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_close_send_while_receiving

    @Test("closing the last receiver wakes a waiting sender with BrokenResourceError")
    func closeReceiveWhileSending() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int?.self)
        await expectGroupOf(BrokenResourceError.self) {
            try await withNursery { nursery in
                nursery.startSoon { try await send.send(nil) }
                try await testWaitUntil("the sender waits") { send.statistics().tasksWaitingSend == 1 }
                receive.close()
            }
        }
        #expect(send.statistics().tasksWaitingSend == 0)
        send.close()
    }
    // anyio: tests/streams/test_memory.py::test_close_receive_while_sending

    @Test("close is synchronous and idempotent; a closed endpoint refuses every operation")
    func syncClose() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
        send.close()
        send.close()
        receive.close()
        receive.close()
        #expect(throws: ClosedResourceError.self) { try send.trySend(1) }
        #expect(throws: ClosedResourceError.self) { try receive.tryReceive() }
        await expectThrows(ClosedResourceError.self) { try await send.send(1) }
        await expectThrows(ClosedResourceError.self) { try await receive.receive() }
        #expect(throws: ClosedResourceError.self) { try send.clone() }
        #expect(throws: ClosedResourceError.self) { try receive.clone() }
        let stats = send.statistics()
        #expect(stats.openSendStreams == 0 && stats.openReceiveStreams == 0)
    }
    // anyio: tests/streams/test_memory.py::test_sync_close
    // anyio: tests/streams/test_memory.py::test_clone_closed

    @Test("basic life cycle: buffered sends, would-block, close, drain, end, closed")
    func channelLifeCycle() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 2)
        #expect(try send.trySend("1"))
        try await send.send("2")
        #expect(try send.trySend("x") == false)
        #expect(try await receive.receive() == "1")
        #expect(try receive.tryReceive() == "2")
        #expect(try receive.tryReceive() == nil)
        #expect(try send.trySend("last"))
        send.close()
        await expectThrows(ClosedResourceError.self) { try await send.send("too late") }
        #expect(throws: ClosedResourceError.self) { try send.trySend("too late") }
        #expect(throws: ClosedResourceError.self) { try send.clone() }
        send.close()
        #expect(try receive.tryReceive() == "last")
        await expectThrows(EndOfStreamError.self) { try await receive.receive() }
        receive.close()
        await expectThrows(ClosedResourceError.self) { try await receive.receive() }
        #expect(throws: ClosedResourceError.self) { try receive.tryReceive() }
        receive.close()
    }
    // trio: src/trio/_tests/test_channel.py::test_channel

    @Test("closing the last sender or receiver is persistent for both sides")
    func closeBasics() async throws {
        do {
            let (send, receive) = makeMemoryObjectStream(of: Int.self)
            send.close()
            #expect(throws: ClosedResourceError.self) { try send.trySend(1) }
            await expectThrows(ClosedResourceError.self) { try await send.send(1) }
            #expect(throws: EndOfStreamError.self) { try receive.tryReceive() }
            await expectThrows(EndOfStreamError.self) { try await receive.receive() }
        }
        do {
            let (send, receive) = makeMemoryObjectStream(of: Int.self)
            receive.close()
            #expect(throws: BrokenResourceError.self) { try send.trySend(1) }
            await expectThrows(BrokenResourceError.self) { try await send.send(1) }
            #expect(throws: ClosedResourceError.self) { try receive.tryReceive() }
            await expectThrows(ClosedResourceError.self) { try await receive.receive() }
        }
    }
    // trio: src/trio/_tests/test_channel.py::test_close_basics (the parts AnyIO shares)
    // trio: src/trio/_tests/test_channel.py::test_close_sync

    @Test("a send waiting on an endpoint that gets closed keeps waiting and still delivers (AnyIO)")
    func closeSenderEndpointWhileItsSendWaits() async throws {
        let (send1, receive) = makeMemoryObjectStream(of: String.self)
        let send2 = try send1.clone()
        try await withNursery { nursery in
            nursery.startSoon { try await send1.send("first") }
            try await testWaitUntil("the first sender waits") { receive.statistics().tasksWaitingSend == 1 }
            nursery.startSoon { try await send2.send("second") }
            try await testWaitUntil("both senders wait") { receive.statistics().tasksWaitingSend == 2 }
            send1.close()
            #expect(receive.statistics().tasksWaitingSend == 2)
            #expect(try await receive.receive() == "first")
            #expect(try await receive.receive() == "second")
        }
        send2.close()
        await expectThrows(EndOfStreamError.self) { try await receive.receive() }
    }
    // trio: src/trio/_tests/test_channel.py::test_close_multiple_send_handles — Trio fails the
    // closed endpoint's waiting send with ClosedResourceError; AnyIO (matched here) leaves it.

    @Test("a receive waiting on an endpoint that gets closed keeps waiting and still receives (AnyIO)")
    func closeReceiverEndpointWhileItsReceiveWaits() async throws {
        let (send, receive1) = makeMemoryObjectStream(of: String.self)
        let receive2 = try receive1.clone()
        let got1 = TestBox<String?>(nil), got2 = TestBox<String?>(nil)
        try await withNursery { nursery in
            nursery.startSoon { got1.value = try await receive1.receive() }
            try await testWaitUntil("the first receiver waits") { send.statistics().tasksWaitingReceive == 1 }
            nursery.startSoon { got2.value = try await receive2.receive() }
            try await testWaitUntil("both receivers wait") { send.statistics().tasksWaitingReceive == 2 }
            receive1.close()
            try await send.send("ok")
            try await send.send("ok too")
        }
        #expect(got1.value == "ok")
        #expect(got2.value == "ok too")
        receive2.close()
        send.close()
    }
    // trio: src/trio/_tests/test_channel.py::test_close_multiple_receive_handles — Trio fails the
    // closed endpoint's waiting receive with ClosedResourceError; AnyIO (matched here) leaves it.

    @Test("the last receive close leaves a receive waiting on it until the senders close (AnyIO)")
    func lastReceiverClosedWhileItsReceiveWaits() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
        await expectGroupOf(EndOfStreamError.self) {
            try await withNursery { nursery in
                nursery.startSoon { _ = try await receive.receive() }
                try await testWaitUntil("the receiver waits") { send.statistics().tasksWaitingReceive == 1 }
                receive.close()
                #expect(throws: BrokenResourceError.self) { try send.trySend(1) }
                #expect(send.statistics().tasksWaitingReceive == 1)
                send.close()
            }
        }
    }
    // spec: M2 (waiter on an endpoint closed meanwhile: AnyIO's behaviour)

    // MARK: - Clones

    @Test("clones count separately; items flow through any open pair")
    func clone() async throws {
        let (send1, receive1) = makeMemoryObjectStream(of: String.self, bufferSize: 1)
        let send2 = try send1.clone()
        let receive2 = try receive1.clone()
        send1.close()
        receive1.close()
        #expect(try send2.trySend("hello"))
        #expect(try receive2.tryReceive() == "hello")
        send2.close()
        receive2.close()
    }
    // anyio: tests/streams/test_memory.py::test_clone

    @Test("the receive side is closed only when every receive clone is closed")
    func receiveCloneAndClose() async throws {
        let (send, receive1) = makeMemoryObjectStream(of: Int.self, bufferSize: 10)
        let receive2 = try receive1.clone()
        let receive3 = try receive1.clone()
        #expect(try send.trySend(1))
        receive1.close()
        receive2.close()
        #expect(throws: ClosedResourceError.self) { try receive1.clone() }
        #expect(throws: ClosedResourceError.self) { try receive2.clone() }
        #expect(try send.trySend(2))
        receive3.close()
        #expect(throws: BrokenResourceError.self) { try send.trySend(3) }
        send.close()
    }
    // trio: src/trio/_tests/test_channel.py::test_receive_channel_clone_and_close

    @Test("many producers, each with its own clone, feed one consumer until the last closes")
    func multipleProducers() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self)
        let got = TestBox<[Int]>([])
        try await withNursery { nursery in
            for producer in 0..<10 {
                let clone = try send.clone()
                nursery.startSoon {
                    defer { clone.close() }
                    for value in (3 * producer)..<(3 * (producer + 1)) { try await clone.send(value) }
                }
            }
            send.close()
            for try await value in receive { got.append(value) }
        }
        #expect(got.value.sorted() == Array(0..<30))
    }
    // trio: src/trio/_tests/test_channel.py::test_channel_multiple_producers
    // spec: M1

    @Test("many consumers share one receive endpoint; each item goes to exactly one, first come first served")
    func multipleConsumers() async throws {
        let received = TestBox<[Int]>([])
        let consumersThatGotOne = TestBox<Set<Int>>([])
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
        try await withNursery { nursery in
            for consumer in 0..<5 {
                nursery.startSoon {
                    for try await value in receive {
                        _ = consumersThatGotOne.update { $0.insert(consumer) }
                        received.append(value)
                    }
                }
            }
            try await testWaitUntil("all consumers wait") { receive.statistics().tasksWaitingReceive == 5 }
            for value in 0..<10 { try await send.send(value) }
            send.close()
        }
        // The first five items go to the five waiting consumers in FIFO order.
        #expect(consumersThatGotOne.value == Set(0..<5))
        #expect(received.value.sorted() == Array(0..<10))
    }
    // trio: src/trio/_tests/test_channel.py::test_channel_multiple_consumers
    // spec: M1

    // MARK: - Capacities

    @Test("an unbounded stream accepts any number of items without waiting")
    func unboundedCapacity() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: .max)
        for value in 0..<10 { #expect(try send.trySend(value)) }
        send.close()
        var got: [Int] = []
        for try await value in receive { got.append(value) }
        #expect(got == Array(0..<10))
        #expect(receive.statistics().maxBufferSize == .max)
    }
    // trio: src/trio/_tests/test_channel.py::test_inf_capacity

    @Test("rendezvous: nothing is buffered; a send completes only when a receiver takes the item")
    func unbuffered() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self)
        #expect(try receive.tryReceive() == nil)
        #expect(try send.trySend(1) == false)
        let sendReturned = TestBox(false)
        try await withNursery { nursery in
            nursery.startSoon {
                try await send.send(1)
                sendReturned.value = true
            }
            try await testWaitUntil("the sender waits") { send.statistics().tasksWaitingSend == 1 }
            #expect(!sendReturned.value)
            #expect(send.statistics().currentBufferUsed == 0)
            #expect(try await receive.receive() == 1)
        }
        #expect(sendReturned.value)
        #expect(try receive.tryReceive() == nil)
    }
    // trio: src/trio/_tests/test_channel.py::test_unbuffered
    // spec: M1

    @Test("fairness: an item sent to a waiting receiver is its own; a freed slot goes to the waiting sender")
    func fairness() async throws {
        do {
            let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
            #expect(try send.trySend(1))
            #expect(try receive.tryReceive() == 1)
            #expect(try send.trySend(2))
            #expect(try receive.tryReceive() == 2)
            let result = TestBox<Int?>(nil)
            try await withNursery { nursery in
                nursery.startSoon { result.value = try await receive.receive() }
                try await testWaitUntil("the receiver waits") { receive.statistics().tasksWaitingReceive == 1 }
                #expect(try send.trySend(2))
                #expect(try receive.tryReceive() == nil)
            }
            #expect(result.value == 2)
        }
        do {
            let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
            #expect(try send.trySend(1))
            #expect(try send.trySend(0) == false)
            try await withNursery { nursery in
                nursery.startSoon { try await send.send(2) }
                try await testWaitUntil("the sender waits") { send.statistics().tasksWaitingSend == 1 }
                #expect(try receive.tryReceive() == 1)
                #expect(try send.trySend(3) == false)
                #expect(try await receive.receive() == 2)
            }
        }
    }
    // trio: src/trio/_tests/test_channel.py::test_channel_fairness

    // MARK: - Statistics

    @Test("statistics from either endpoint: buffer use, open endpoints, waiting tasks")
    func statistics() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
        let statistics: [@Sendable () -> MemoryObjectStreamStatistics] = [send.statistics, receive.statistics]
        for stats in statistics {
            #expect(
                stats()
                    == MemoryObjectStreamStatistics(
                        currentBufferUsed: 0, maxBufferSize: 1, openSendStreams: 1, openReceiveStreams: 1,
                        tasksWaitingSend: 0, tasksWaitingReceive: 0
                    )
            )
        }
        for stats in statistics {
            try await withNursery { nursery in
                #expect(try send.trySend(0))
                #expect(stats().currentBufferUsed == 1)
                nursery.startSoon { try await send.send(1) }
                try await testWaitUntil("the sender waits") { stats().tasksWaitingSend == 1 }
                #expect(stats().currentBufferUsed == 1)
                #expect(try receive.tryReceive() == 0)
                #expect(stats().currentBufferUsed == 1)
                #expect(stats().tasksWaitingSend == 0)
                #expect(try receive.tryReceive() == 1)
                #expect(stats().currentBufferUsed == 0)

                nursery.startSoon { _ = try await receive.receive() }
                try await testWaitUntil("the receiver waits") { stats().tasksWaitingReceive == 1 }
                #expect(try send.trySend(2))
                #expect(stats().tasksWaitingReceive == 0)
            }
            try await withNursery { nursery in
                #expect(try send.trySend(0))
                #expect(stats().tasksWaitingSend == 0)
                for value in 1...3 { nursery.startSoon { try await send.send(value) } }
                try await testWaitUntil("three senders wait") { stats().tasksWaitingSend == 3 }
                for remaining in stride(from: 2, through: 0, by: -1) {
                    _ = try receive.tryReceive()
                    #expect(stats().tasksWaitingSend == remaining)
                }
                _ = try receive.tryReceive()
            }
            #expect(stats().currentBufferUsed == 0)
            #expect(stats().tasksWaitingSend == 0)
            #expect(stats().tasksWaitingReceive == 0)
        }
        let send2 = try send.clone()
        #expect(receive.statistics().openSendStreams == 2)
        send2.close()
        #expect(receive.statistics().openSendStreams == 1)
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_statistics

    @Test("cancelled waiters are no longer counted")
    func statisticsAfterCancellation() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 2)
        let send2 = try send.clone()
        send.close()
        try await withNursery { nursery in
            #expect(try send2.trySend(1))
            #expect(try send2.trySend(2))
            #expect(send2.statistics().currentBufferUsed == 2)
            nursery.startSoon { try await send2.send(3) }
            nursery.startSoon { try await send2.send(4) }
            try await testWaitUntil("two senders wait") { send2.statistics().tasksWaitingSend == 2 }
            nursery.cancel()
        }
        #expect(send2.statistics().tasksWaitingSend == 0)
        while try receive.tryReceive() != nil {}
        try await withNursery { nursery in
            nursery.startSoon { _ = try await receive.receive() }
            try await testWaitUntil("the receiver waits") { receive.statistics().tasksWaitingReceive == 1 }
            nursery.cancel()
        }
        #expect(receive.statistics().tasksWaitingReceive == 0)
        #expect(receive.statistics().currentBufferUsed == 0)
    }
    // trio: src/trio/_tests/test_channel.py::test_statistics

    // MARK: - Cancellation (C8, C9)

    @Test("a cancelled receive leaves no waiter: a later send would block")
    func cancelReceive() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self)
        try await withNursery { nursery in
            nursery.startSoon { _ = try await receive.receive() }
            try await testWaitUntil("the receiver waits") { receive.statistics().tasksWaitingReceive == 1 }
            nursery.cancel()
        }
        #expect(try send.trySend("hello") == false)
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_cancel_receive

    @Test("a cancelled send leaves nothing behind: a later receive would block")
    func cancelSend() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self)
        try await withNursery { nursery in
            nursery.startSoon { try await send.send("hello") }
            try await testWaitUntil("the sender waits") { send.statistics().tasksWaitingSend == 1 }
            nursery.cancel()
        }
        #expect(try receive.tryReceive() == nil)
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_cancel_send

    @Test("receive in a cancelled scope takes nothing, even with senders waiting")
    func receiveWhenCancelled() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self)
        try await withNursery { nursery in
            nursery.startSoon { try await send.send("hello") }
            try await testWaitUntil("the first sender waits") { send.statistics().tasksWaitingSend == 1 }
            nursery.startSoon { try await send.send("world") }
            try await testWaitUntil("both senders wait") { send.statistics().tasksWaitingSend == 2 }
            let result = try await withCancelScope { scope -> String in
                scope.cancel()
                return try await receive.receive()
            }
            #expect(result == nil)
            #expect(try await receive.receive() == "hello")
            #expect(try await receive.receive() == "world")
        }
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_receive_when_cancelled
    // spec: C8

    @Test("send in a cancelled scope sends nothing, even with a receiver waiting")
    func sendWhenCancelled() async throws {
        let received = TestBox<[String]>([])
        let (send, receive) = makeMemoryObjectStream(of: String.self)
        try await withNursery { nursery in
            nursery.startSoon { received.append(try await receive.receive()) }
            try await testWaitUntil("the receiver waits") { receive.statistics().tasksWaitingReceive == 1 }
            let result: Void? = try await withCancelScope { scope in
                scope.cancel()
                try await send.send("hello")
            }
            #expect(result == nil)
            try await send.send("world")
        }
        #expect(received.value == ["world"])
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_send_when_cancelled
    // spec: C8

    @Test("fast paths are checkpoints: with room or an item available, a cancelled call still throws and has no effect")
    func fastPathsCheckCancellation() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 4)
        #expect(try send.trySend(1))
        let sent: Void? = try await withCancelScope { scope in
            scope.cancel()
            try await send.send(2)
        }
        #expect(sent == nil)
        let got = try await withCancelScope { scope -> Int in
            scope.cancel()
            return try await receive.receive()
        }
        #expect(got == nil)
        #expect(send.statistics().currentBufferUsed == 1)
        #expect(try receive.tryReceive() == 1)
        #expect(try receive.tryReceive() == nil)
        let iterated = try await withCancelScope { scope -> Int in
            scope.cancel()
            var count = 0
            for try await _ in receive { count += 1 }
            return count
        }
        #expect(iterated == nil)
    }
    // trio: src/trio/_tests/test_channel.py::test_channel (assert_checkpoints)
    // spec: C8

    @Test("a receive handed an item before its cancellation returns the item")
    func cancelDuringReceive() async throws {
        let received = TestBox<[String]>([])
        let scope = CancelScope()
        let cancelled = Event()
        let (send, receive) = makeMemoryObjectStream(of: String.self)
        try await withNursery { nursery in
            nursery.startSoon {
                try await withCancelScope(scope) { _ in
                    received.append(try await receive.receive())
                }
                // The receiver may run before the body cancels the scope: wait for that first.
                try await cancelled.wait()
                #expect(scope.cancelCalled)
            }
            try await testWaitUntil("the receiver waits") { receive.statistics().tasksWaitingReceive == 1 }
            #expect(try send.trySend("hello"))
            scope.cancel()
            cancelled.set()
        }
        #expect(received.value == ["hello"])
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_cancel_during_receive
    // spec: C9

    @Test("an item sent after the next receiver in line was cancelled goes to the buffer, not to it")
    func cancelDuringReceiveBuffered() async throws {
        let scope = CancelScope()
        let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 1)
        try await withNursery { nursery in
            nursery.startSoon {
                try await withCancelScope(scope) { _ in _ = try await receive.receive() }
            }
            try await testWaitUntil("the receiver waits") { receive.statistics().tasksWaitingReceive == 1 }
            scope.cancel()
            #expect(try send.trySend("item"))
        }
        #expect(try receive.tryReceive() == "item")
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_cancel_during_receive_buffered
    // spec: C9

    @Test("natively cancelling a waiting receiver's task takes it out of line at once")
    func sendToNativelyCancelledReceiver() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 1)
        let task = Task { try await receive.receive() }
        try await testWaitUntil("the receiver waits") { receive.statistics().tasksWaitingReceive == 1 }
        task.cancel()
        #expect(try send.trySend("hello"))
        await expectThrows(CancellationError.self) { try await task.value }
        #expect(try receive.tryReceive() == "hello")
        send.close()
        receive.close()
    }
    // anyio: tests/streams/test_memory.py::test_send_to_natively_cancelled_receiver

    @Test("a receive timed out by moveOnAfter leaves the stream usable", .anyIO(clock: .mock(autojump: .zero)))  // virtual time: the timeout fires at once
    func timedOutReceive() async throws {
        let (send, receive) = makeMemoryObjectStream(of: String.self, bufferSize: 1)
        var caught = false
        let result = try await moveOnAfter(.milliseconds(10)) { scope -> String in
            defer { caught = scope.cancelCalled }
            return try await receive.receive()
        }
        #expect(result == nil)
        #expect(caught)
        #expect(receive.statistics().tasksWaitingReceive == 0)
        try await send.send("Test for PR #553")
        #expect(try receive.tryReceive() == "Test for PR #553")
    }
    // trio: src/trio/_tests/test_channel.py::test_553

    // MARK: - deinit (M3)

    @Test("dropping the last send endpoint without close ends the stream for receivers")
    func droppedSendEndpointCloses() async throws {
        let receive: MemoryObjectReceiveStream<Int>
        do {
            let (send, r) = makeMemoryObjectStream(of: Int.self, bufferSize: 1)
            #expect(try send.trySend(7))
            receive = r
        }
        #expect(receive.statistics().openSendStreams == 0)
        #expect(try receive.tryReceive() == 7)
        await expectThrows(EndOfStreamError.self) { try await receive.receive() }
    }
    // anyio: tests/streams/test_memory.py::test_not_closed_warning (no warning: deinit closes)
    // spec: M3

    @Test("dropping the last receive endpoint without close breaks a waiting sender")
    func droppedReceiveEndpointCloses() async throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self)
        let holder = TestBox<MemoryObjectReceiveStream<Int>?>(receive)
        _ = consume receive
        await expectGroupOf(BrokenResourceError.self) {
            try await withNursery { nursery in
                nursery.startSoon { try await send.send(1) }
                try await testWaitUntil("the sender waits") { send.statistics().tasksWaitingSend == 1 }
                holder.value = nil  // the last reference: deinit closes the endpoint
            }
        }
        #expect(send.statistics().openReceiveStreams == 0)
    }
    // spec: M3

    @Test("the README example: producers with their own clones, one consumer iterating to the end")
    func readmeExample() async throws {
        var items: [Int] = []
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 16)
        try await withNursery { nursery in
            for worker in 0..<3 {
                let tx = try send.clone()  // one send endpoint per producer
                nursery.startSoon {
                    defer { tx.close() }  // the stream ends when the last one is closed
                    for i in 0..<5 { try await tx.send(worker * 100 + i) }
                }
            }
            send.close()
            for try await item in receive { items.append(item) }  // 15 items, then the loop ends
        }
        let expected: [Int] = [0, 1, 2, 3, 4, 100, 101, 102, 103, 104, 200, 201, 202, 203, 204]
        #expect(items.sorted() == expected)
        for worker in 0..<3 {
            let mine = items.filter { $0 / 100 == worker }
            #expect(mine == mine.sorted())
        }
    }

    @Test("description names the endpoint's state and the stream's use")
    func descriptions() throws {
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 3)
        #expect(try send.trySend(1))
        #expect(send.description.contains("open") && send.description.contains("buffer 1/3"))
        receive.close()
        #expect(receive.description.contains("closed"))
        let (unbounded, _) = makeMemoryObjectStream(of: Int.self, bufferSize: .max)
        #expect(unbounded.description.contains("unbounded"))
    }
}
