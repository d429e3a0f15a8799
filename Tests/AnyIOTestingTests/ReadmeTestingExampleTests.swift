//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIOTesting
import Testing

// Keeps the README's testing example honest: the test below is the block, verbatim.

// --- README.md, "Seeing what a program does, and testing it" (verbatim from here) ---
@Test(.anyIO(timeLimit: .seconds(5)))
func consumerWaits() async throws {
    let (send, receive) = makeMemoryObjectStream(of: Int.self)
    try await withNursery { nursery in
        nursery.startSoon { _ = try await receive.receive() }
        try await waitAllTasksBlocked()                     // the consumer is parked now
        #expect(receive.statistics().tasksWaitingReceive == 1)
        try await assertCheckpoints { try await send.send(1) }
    }
}
// --- end of the README example ---
