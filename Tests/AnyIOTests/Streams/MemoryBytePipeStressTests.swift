//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// Races between a sender that parks for room and a receiver that parks for bytes, through the
/// smallest buffers: a lost wake-up would hang a transfer (the time limit is a failsafe only).
@Suite("MemoryBytePipe stress", .serialized, .timeLimit(.minutes(2)))
struct MemoryBytePipeStressTests {
    /// Rounds per test: fewer under Thread Sanitizer, which slows every hand-off tenfold.
    #if ANYIO_TSAN
    static let rounds = 10
    #else
    static let rounds = 40
    #endif

    @Test("many small transfers through tiny buffers arrive whole and in order", arguments: [1, 3, 64])
    func transfers(bufferSize: Int) async throws {
        let message = (0..<600).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for round in 0..<Self.rounds {
            let pipe = MemoryBytePipe(maxBufferSize: bufferSize, maxChunkSize: round % 2 == 0 ? 1 : 5)
            try await withNursery { nursery in
                nursery.startSoon {
                    try await pipe.send(Array(message[..<250]))
                    try await pipe.send(Array(message[250...]))
                    pipe.closeSend()
                }
                var received: [UInt8] = []
                while true {
                    do {
                        received += try await pipe.receive(maxBytes: 17)
                    } catch is EndOfStreamError {
                        break
                    }
                }
                #expect(received == message, "round \(round)")
            }
        }
    }

    @Test("cancelling blocked receives and sends at random moments loses no byte")
    func cancellationRaces() async throws {
        for round in 0..<(Self.rounds * 2) {
            let pipe = MemoryBytePipe(maxBufferSize: 2, maxChunkSize: 3)
            let message = (0..<40).map { UInt8(truncatingIfNeeded: $0 &+ round) }
            try await withNursery { nursery in
                nursery.startSoon {
                    try await pipe.send(message)
                    pipe.closeSend()
                }
                var received: [UInt8] = []
                while true {
                    // A receive that may be cancelled by a short deadline: it must take nothing.
                    let chunk = try await moveOnAfter(.microseconds(round % 5 * 20)) { _ in
                        try await pipe.receive(maxBytes: 3)
                    }
                    if let chunk {
                        received += chunk
                    } else {
                        // Cancelled (before or while it waited): it took nothing; receive for
                        // real, so that the loop always makes progress.
                        do {
                            received += try await pipe.receive(maxBytes: 3)
                        } catch is EndOfStreamError {
                            break
                        }
                    }
                    if received.count == message.count { break }
                }
                #expect(received == message, "round \(round)")
            }
        }
    }
}
