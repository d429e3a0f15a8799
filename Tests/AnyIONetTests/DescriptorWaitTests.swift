//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Foundation
import Testing

@Suite("Descriptor waits", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(60)))
struct DescriptorWaitTests {
    @Test("waitReadable returns once data arrives; waitWritable at once on an empty socket")
    func readiness() async throws {
        // anyio: tests/test_sockets.py::test_wait_socket
        let (a, b) = makeSocketPair()
        defer { close(a); close(b) }
        try await failAfter(.seconds(10)) { _ in
            try await waitWritable(a)
            try await withNursery { nursery in
                nursery.startSoon {
                    try await waitAllTasksBlocked()
                    #expect(write(b, "Hello, world", 12) == 12)
                }
                try await waitReadable(a)
            }
            var buffer = [UInt8](repeating: 0, count: 64)
            #expect(read(a, &buffer, 64) == 12)
        }
    }

    @Test("a cancelled wait returns at once and leaves the descriptor free for the next wait")
    func cancellation() async throws {
        let (a, b) = makeSocketPair()
        defer { close(a); close(b) }
        let started = ContinuousClock.now
        let result: Void? = try await moveOnAfter(.milliseconds(50)) { _ in try await waitReadable(a) }
        #expect(result == nil)
        #expect(ContinuousClock.now - started < failsafe)
        // A wait in a cancelled scope is a checkpoint even when the descriptor is ready.
        try await withCancelScope { scope in
            scope.cancel()
            await #expect(throws: CancellationError.self) { try await waitWritable(a) }
        }
        #expect(write(b, "x", 1) == 1)
        try await failAfter(.seconds(10)) { _ in try await waitReadable(a) }
    }

    @Test("notifyClosing wakes the waiters with ClosedResourceError")
    func notifyClosingWakes() async throws {
        let (a, b) = makeSocketPair()
        defer { close(b) }
        // Fill the socket so that a write wait blocks too.
        var chunk = [UInt8](repeating: 0, count: 65536)
        _ = fcntl(a, F_SETFL, fcntl(a, F_GETFL) | O_NONBLOCK)
        while write(a, &chunk, chunk.count) > 0 {}
        try await withNursery { nursery in
            nursery.startSoon {
                await #expect(throws: ClosedResourceError.self) { try await waitReadable(a) }
            }
            nursery.startSoon {
                await #expect(throws: ClosedResourceError.self) { try await waitWritable(a) }
            }
            try await waitAllTasksBlocked()
            notifyClosing(a)
            close(a)
        }
        notifyClosing(a)  // nobody waits: harmless
    }

    @Test("a second waiter for the same descriptor and direction is BusyResourceError; bad descriptors are errors")
    func busyAndBadInput() async throws {
        let (a, b) = makeSocketPair()
        defer { close(a); close(b) }
        try await withNursery { nursery in
            nursery.startSoon { try await waitReadable(a) }
            try await waitAllTasksBlocked()
            await #expect(throws: BusyResourceError.self) { try await waitReadable(a) }
            try await waitWritable(a)  // the other direction is free
            nursery.cancel(reason: "done")
        }
        let error = await #expect(throws: InvalidArgumentError.self) { try await waitReadable(-3) }
        #expect(error?.message.contains("-3") == true)
    }

    @Test("the task tree shows a task blocked in waitReadable")
    func taskTree() async throws {
        let (a, b) = makeSocketPair()
        defer { close(a); close(b) }
        try await withNursery { nursery in
            nursery.startSoon(name: "waiter") { try await waitReadable(a) }
            try await waitAllTasksBlocked()
            let text = currentTaskTree().description
            #expect(text.contains("waitReadable(_:) (waiting for the descriptor to become readable) [descriptor \(a)]"), "\(text)")
            nursery.cancel(reason: "done")
        }
    }

    @Test("many waits in a row, readiness at random moments (bounded)")
    func manyWaits() async throws {
        #if ANYIO_TSAN
        let rounds = 50
        #else
        let rounds = 500
        #endif
        let (a, b) = makeSocketPair()
        defer { close(a); close(b) }
        try await failAfter(.seconds(60)) { _ in
            try await withNursery { nursery in
                nursery.startSoon {
                    for _ in 0..<rounds {
                        if Bool.random() { try await LowLevel.checkpoint() }
                        #expect(write(b, "x", 1) == 1)
                        try await waitReadable(b)
                        var byte: UInt8 = 0
                        #expect(read(b, &byte, 1) == 1)
                    }
                }
                var byte: UInt8 = 0
                for _ in 0..<rounds {
                    try await waitReadable(a)
                    #expect(read(a, &byte, 1) == 1)
                    #expect(write(a, "y", 1) == 1)
                }
            }
        }
    }
}
