//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// A small deterministic generator (SplitMix64), so that a failing round can be replayed.
private struct StreamStressRandom {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

/// Runs `body` (one send or receive) either plainly or under a cancellation that arrives at a
/// random moment: a scope cancelled by another task after a few yields, a tiny `moveOnAfter`, or a
/// scope cancelled before the call. Returns `nil` if the call was cancelled.
private func randomlyCancelled<T: Sendable>(
    _ nursery: Nursery,
    _ random: inout StreamStressRandom,
    isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws -> T
) async throws -> T? {
    switch random.below(5) {
    case 0, 1:
        return try await body()
    case 2:
        let scope = CancelScope()
        let yields = random.below(6)
        nursery.startSoon {
            for _ in 0..<yields { await Task.yield() }
            scope.cancel()
        }
        return try await withCancelScope(scope) { _ in try await body() }
    case 3:
        return try await moveOnAfter(.microseconds(random.below(60))) { _ in try await body() }
    default:
        return try await withCancelScope { scope in
            scope.cancel()
            return try await body()
        }
    }
}

/// Many producers and consumers with random cancellation, and closes racing waiting calls: no item
/// is ever lost or delivered twice, whatever is cancelled when (SPEC M1, C9).
@Suite("MemoryObjectStream stress", .timeLimit(.minutes(2)))
struct MemoryObjectStreamStressTests {
    @Test(
        "stress: producers and consumers cancelled at random; every item sent is received exactly once, in order per producer",
        arguments: [0, 1, 16, Int.max]
    )
    func randomCancellation(bufferSize: Int) async throws {
        let rounds = max(2, raceIterations / 6)
        let producers = 3, consumers = 3, perProducer = 30
        var totalCancelledSends = 0, totalCancelledReceives = 0, totalDelivered = 0
        for round in 0..<rounds {
            let seed = UInt64(round) &* 1_000_003 &+ UInt64(truncatingIfNeeded: bufferSize)
            let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: bufferSize)
            let sent = TestBox<[Int]>([])
            let receivedBy = TestBox<[[Int]]>(Array(repeating: [], count: consumers))
            let cancelledSends = RaceCounter(), cancelledReceives = RaceCounter()
            try await withNursery { nursery in
                for consumer in 0..<consumers {
                    let endpoint = try receive.clone()
                    nursery.startSoon {
                        defer { endpoint.close() }
                        var random = StreamStressRandom(seed: seed &+ UInt64(100 + consumer))
                        var mine: [Int] = []
                        while true {
                            do {
                                if let item = try await randomlyCancelled(nursery, &random, { try await endpoint.receive() }) {
                                    mine.append(item)
                                } else {
                                    cancelledReceives.add()
                                }
                            } catch is EndOfStreamError {
                                break
                            }
                        }
                        receivedBy.update { $0[consumer] = mine }
                    }
                }
                for producer in 0..<producers {
                    let endpoint = try send.clone()
                    nursery.startSoon {
                        defer { endpoint.close() }
                        var random = StreamStressRandom(seed: seed &+ UInt64(200 + producer))
                        for index in 0..<perProducer {
                            let item = producer * 1_000_000 + index
                            if try await randomlyCancelled(nursery, &random, { try await endpoint.send(item) }) != nil {
                                sent.append(item)
                            } else {
                                cancelledSends.add()
                            }
                        }
                    }
                }
                send.close()
                receive.close()
            }
            let received = receivedBy.value.flatMap { $0 }
            // Exactly once: what was received is exactly what was reported sent, without duplicates.
            #expect(Set(received).count == received.count, "round \(round): an item was received twice")
            #expect(received.sorted() == sent.value.sorted(), "round \(round): sent \(sent.value.count), received \(received.count)")
            // Order per producer, as each consumer saw it.
            for (consumer, items) in receivedBy.value.enumerated() {
                for producer in 0..<producers {
                    let fromProducer = items.filter { $0 / 1_000_000 == producer }
                    #expect(fromProducer == fromProducer.sorted(), "round \(round): consumer \(consumer) saw producer \(producer) out of order")
                }
            }
            // Nobody left behind.
            let stats = send.statistics()
            #expect(stats.tasksWaitingSend == 0 && stats.tasksWaitingReceive == 0, "round \(round): \(stats)")
            #expect(stats.currentBufferUsed == 0 && stats.openSendStreams == 0 && stats.openReceiveStreams == 0)
            totalCancelledSends += cancelledSends.value
            totalCancelledReceives += cancelledReceives.value
            totalDelivered += received.count
        }
        // The test exercised both outcomes.
        #expect(totalCancelledSends > 0 && totalCancelledReceives > 0 && totalDelivered > 0)
    }

    @Test(
        "stress: the last receiver closing while senders wait: each send delivered its item or threw BrokenResourceError",
        arguments: [0, 1]
    )
    func closeRacingSends(bufferSize: Int) async throws {
        let rounds = max(2, raceIterations / 6)
        let senders = 4
        var brokenSeen = 0
        for round in 0..<rounds {
            var random = StreamStressRandom(seed: UInt64(round) &+ UInt64(bufferSize) &* 7919)
            let toReceive = random.below(senders + 1)
            let spin = random.below(4)
            let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: bufferSize)
            let delivered = TestBox<[Int]>([]), broken = TestBox<[Int]>([]), received = TestBox<[Int]>([])
            try await withNursery { nursery in
                for item in 0..<senders {
                    nursery.startSoon {
                        do {
                            try await send.send(item)
                            delivered.append(item)
                        } catch is BrokenResourceError {
                            broken.append(item)
                        }
                    }
                }
                nursery.startSoon {
                    for _ in 0..<toReceive { received.append(try await receive.receive()) }
                    for _ in 0..<spin { await Task.yield() }
                    receive.close()
                }
            }
            let leftOver = send.statistics().currentBufferUsed
            #expect(delivered.value.count + broken.value.count == senders)
            #expect(Set(received.value).isSubset(of: Set(delivered.value)), "round \(round): received an item whose send failed")
            #expect(received.value.count + leftOver == delivered.value.count, "round \(round): a delivered item vanished")
            #expect(send.statistics().tasksWaitingSend == 0)
            brokenSeen += broken.value.count
            send.close()
        }
        #expect(brokenSeen > 0)
    }

    @Test("stress: the last sender closing while receivers wait: every item sent is received before the end")
    func closeRacingReceives() async throws {
        let rounds = max(2, raceIterations / 6)
        for round in 0..<rounds {
            var random = StreamStressRandom(seed: UInt64(round) &* 31)
            let items = random.below(5)
            let bufferSize = [0, 1, 3][random.below(3)]
            let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: bufferSize)
            let received = TestBox<[Int]>([])
            let ended = RaceCounter()
            try await withNursery { nursery in
                for _ in 0..<3 {
                    nursery.startSoon {
                        do {
                            while true { received.append(try await receive.receive()) }
                        } catch is EndOfStreamError {
                            ended.add()
                        }
                    }
                }
                nursery.startSoon {
                    for item in 0..<items { try await send.send(item) }
                    send.close()
                }
            }
            #expect(received.value.sorted() == Array(0..<items), "round \(round)")
            #expect(ended.value == 3)
            #expect(receive.statistics().tasksWaitingReceive == 0)
            receive.close()
        }
    }
}
