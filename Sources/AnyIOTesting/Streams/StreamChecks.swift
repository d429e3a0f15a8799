//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

/// The checks behind ``checkOneWayStream(makePair:)`` and its siblings, one method each.
///
/// Where a check needs a task to be blocked in a call first, it waits with
/// `waitAllTasksBlocked()` for at most half a second (`settle()`): a stream that waits outside
/// the library's parking is not seen as blocked, and every check's expected outcome holds
/// whether or not the other task got as far as blocking, so the bound costs coverage, never a
/// false failure.
struct StreamChecks {
    let makePair: OneWayStreamMaker

    /// A failsafe for a check that hangs: far longer than any check takes.
    static let hangLimit = Duration.seconds(60)

    func run() async throws {
        try await check("bytes arrive in order", sendThenReceive)
        try await check("receive(maxBytes:) returns between 1 and maxBytes bytes", maxBytesBound)
        try await check("maxBytes < 1 is rejected before any I/O", maxBytesValidation)
        try await check("a second concurrent receive throws BusyResourceError", concurrentReceive)
        try await check("closing the sender ends the stream after the data", closeSenderEndsStream)
        try await check("a closed stream throws ClosedResourceError and closes twice harmlessly", useAfterClose)
        try await check("closing the receiver makes sending throw BrokenResourceError", receiverClosedBreaksSend)
        try await check("close() wakes a blocked receive with ClosedResourceError", closeWakesReceiver)
        try await check("receive is a checkpoint and a cancelled receive loses nothing", cancelledReceiveLosesNothing)
        try await check("close() in a cancelled task still closes", closeWhileCancelled)
    }

    // MARK: - Harness

    private func check(_ name: String, _ body: (any ByteSendStream, any ByteReceiveStream) async throws -> Void) async throws {
        let (send, receive) = try await makePair()
        do {
            try await failAfter(Self.hangLimit) { _ in
                try await body(send, receive)
            }
        } catch {
            await send.close()
            await receive.close()
            throw Self.failure(of: name, error)
        }
        await send.close()
        await receive.close()
    }

    /// The failure to report for check `name` that ended with `error`: the check's own failure
    /// (also from inside a nursery's `ErrorGroup`), a hang, or an unexpected error.
    static func failure(of name: String, _ error: any Error) -> StreamConformanceFailure {
        var error = error
        if let group = error as? ErrorGroup, group.errors.count == 1 { error = group.errors[0] }
        switch error {
        case let failure as StreamConformanceFailure:
            return StreamConformanceFailure(check: name, message: failure.message)
        case is TimeoutError:
            return StreamConformanceFailure(check: name, message: "did not finish within \(hangLimit) (a call hangs)")
        default:
            return StreamConformanceFailure(check: name, message: "unexpected error \(error)")
        }
    }

    static func fail(_ message: String) -> StreamConformanceFailure {
        StreamConformanceFailure(check: "", message: message)
    }

    /// Lets other tasks run until they block (bounded; see the type's comment).
    static func settle() async throws {
        try await moveOnAfter(.milliseconds(500)) { _ in
            try await waitAllTasksBlocked()
        }
    }

    /// Receives exactly `count` bytes, or fails.
    static func receiveAll(_ count: Int, from stream: any ByteReceiveStream) async throws -> [UInt8] {
        var received: [UInt8] = []
        while received.count < count {
            let chunk = try await stream.receive(maxBytes: count - received.count)
            guard !chunk.isEmpty, chunk.count <= count - received.count else {
                throw fail("receive(maxBytes: \(count - received.count)) returned \(chunk.count) bytes")
            }
            received += chunk
        }
        return received
    }

    /// Runs `body` and returns the error it threw, or fails if it returned.
    static func expectError(_ what: String, _ body: () async throws -> Void) async throws -> any Error {
        do {
            try await body()
        } catch {
            return error
        }
        throw fail("\(what) returned normally; it should have thrown")
    }

    static func payload(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    // MARK: - One-way checks

    private func sendThenReceive(_ send: any ByteSendStream, _ receive: any ByteReceiveStream) async throws {
        let message = Self.payload(2_000)
        try await withNursery { nursery in
            nursery.startSoon {
                try await send.send(Array(message[..<3]))
                try await send.send([])
                try await send.send(Array(message[3...]))
            }
            let received = try await Self.receiveAll(message.count, from: receive)
            guard received == message else { throw Self.fail("the bytes received differ from the bytes sent") }
        }
    }

    private func maxBytesBound(_ send: any ByteSendStream, _ receive: any ByteReceiveStream) async throws {
        let message = Self.payload(100)
        try await withNursery { nursery in
            nursery.startSoon { try await send.send(message) }
            var received: [UInt8] = []
            while received.count < message.count {
                let chunk = try await receive.receive(maxBytes: 7)
                guard (1...7).contains(chunk.count) else {
                    throw Self.fail("receive(maxBytes: 7) returned \(chunk.count) bytes")
                }
                received += chunk
            }
            guard received == message else { throw Self.fail("the bytes received differ from the bytes sent") }
        }
    }

    private func maxBytesValidation(_ send: any ByteSendStream, _ receive: any ByteReceiveStream) async throws {
        for bad in [0, -1] {
            let error = try await Self.expectError("receive(maxBytes: \(bad))") {
                _ = try await receive.receive(maxBytes: bad)
            }
            guard error is InvalidArgumentError else {
                throw Self.fail("receive(maxBytes: \(bad)) threw \(error), not InvalidArgumentError")
            }
        }
        // The stream still works.
        try await withNursery { nursery in
            nursery.startSoon { try await send.send([1, 2, 3]) }
            guard try await Self.receiveAll(3, from: receive) == [1, 2, 3] else {
                throw Self.fail("the stream lost bytes after rejecting maxBytes")
            }
        }
    }

    private func concurrentReceive(_ send: any ByteSendStream, _ receive: any ByteReceiveStream) async throws {
        try await withNursery { nursery in
            nursery.startSoon {
                // The first receive: blocked until the bytes below arrive.
                guard try await Self.receiveAll(1, from: receive) == [42] else {
                    throw Self.fail("the blocked receive got the wrong bytes")
                }
            }
            try await Self.settle()
            let error = try await Self.expectError("a second concurrent receive") {
                _ = try await receive.receive(maxBytes: 1)
            }
            guard error is BusyResourceError else {
                // The first receive may not have started yet if the stream does not park in the
                // library: only a Busy error or nothing proves anything, so accept no other.
                throw Self.fail("the second concurrent receive threw \(error), not BusyResourceError")
            }
            try await send.send([42])
        }
    }

    private func closeSenderEndsStream(_ send: any ByteSendStream, _ receive: any ByteReceiveStream) async throws {
        try await withNursery { nursery in
            nursery.startSoon {
                try await send.send([1, 2, 3])
                await send.close()
            }
            guard try await Self.receiveAll(3, from: receive) == [1, 2, 3] else {
                throw Self.fail("the bytes sent before close() did not all arrive")
            }
            for _ in 0..<2 {
                let error = try await Self.expectError("receive after the sender closed") {
                    _ = try await receive.receive(maxBytes: 10)
                }
                guard error is EndOfStreamError else {
                    throw Self.fail("receive after the sender closed threw \(error), not EndOfStreamError")
                }
            }
        }
    }

    private func useAfterClose(_ send: any ByteSendStream, _ receive: any ByteReceiveStream) async throws {
        await send.close()
        await send.close()
        let sendError = try await Self.expectError("send after close()") { try await send.send([1]) }
        guard sendError is ClosedResourceError else {
            throw Self.fail("send after close() threw \(sendError), not ClosedResourceError")
        }
        await receive.close()
        await receive.close()
        let receiveError = try await Self.expectError("receive after close()") {
            _ = try await receive.receive(maxBytes: 1)
        }
        guard receiveError is ClosedResourceError else {
            throw Self.fail("receive after close() threw \(receiveError), not ClosedResourceError")
        }
    }

    private func receiverClosedBreaksSend(_ send: any ByteSendStream, _ receive: any ByteReceiveStream) async throws {
        await receive.close()
        // A socket may accept a send or two into its buffer before the peer's reset arrives.
        let chunk = Self.payload(65_536)
        for _ in 0..<200 {
            do {
                try await send.send(chunk)
            } catch is BrokenResourceError {
                return
            } catch {
                throw Self.fail("send after the receiver closed threw \(error), not BrokenResourceError")
            }
        }
        throw Self.fail("200 sends of 64 KiB after the receiver closed all succeeded")
    }

    private func closeWakesReceiver(_ send: any ByteSendStream, _ receive: any ByteReceiveStream) async throws {
        try await withNursery { nursery in
            nursery.startSoon {
                let error = try await Self.expectError("a receive blocked while its stream is closed") {
                    _ = try await receive.receive(maxBytes: 10)
                }
                guard error is ClosedResourceError else {
                    throw Self.fail("a receive blocked while its stream was closed threw \(error), not ClosedResourceError")
                }
            }
            try await Self.settle()
            await receive.close()
        }
    }

    private func cancelledReceiveLosesNothing(_ send: any ByteSendStream, _ receive: any ByteReceiveStream) async throws {
        // A receive in a cancelled scope throws even though bytes are ready (a checkpoint).
        try await withNursery { nursery in
            nursery.startSoon { try await send.send([7]) }
            try await Self.settle()
            let error = try await Self.expectError("receive in a cancelled scope") {
                try await withCancelScope { scope in
                    scope.cancel()
                    do {
                        _ = try await receive.receive(maxBytes: 1)
                    } catch is CancellationError {
                        throw CheckpointSeen()
                    }
                }
            }
            guard error is CheckpointSeen else {
                throw Self.fail("receive in a cancelled scope did not throw CancellationError (got \(error))")
            }
            guard try await Self.receiveAll(1, from: receive) == [7] else {
                throw Self.fail("the byte that was ready when the receive was cancelled is lost")
            }
        }
        // A receive cancelled while blocked takes nothing.
        let message = Self.payload(1_000, seed: 9)
        try await withNursery { nursery in
            let scope = CancelScope()
            nursery.startSoon {
                try await withCancelScope(scope) { _ in
                    _ = try await receive.receive(maxBytes: 1_000)
                    throw Self.fail("a receive returned although nothing was sent yet")
                }
            }
            try await Self.settle()
            scope.cancel()
        }
        try await withNursery { nursery in
            nursery.startSoon { try await send.send(message) }
            guard try await Self.receiveAll(message.count, from: receive) == message else {
                throw Self.fail("bytes sent after a cancelled receive were lost or reordered")
            }
        }
    }

    private func closeWhileCancelled(_ send: any ByteSendStream, _ receive: any ByteReceiveStream) async throws {
        try await withNursery { nursery in
            nursery.startSoon {
                try await send.send([5])
                try await withCancelScope { scope in
                    scope.cancel()
                    await send.close()
                }
            }
            guard try await Self.receiveAll(1, from: receive) == [5] else {
                throw Self.fail("the byte sent before a cancelled close() is lost")
            }
            let error = try await Self.expectError("receive after a cancelled sender closed") {
                _ = try await receive.receive(maxBytes: 1)
            }
            guard error is EndOfStreamError else {
                throw Self.fail("close() in a cancelled task did not end the stream (receive threw \(error))")
            }
        }
    }

    // MARK: - Two-way and half-close checks

    /// Runs a two-way check on a fresh pair, closes the pair afterwards, and turns any error into
    /// a ``StreamConformanceFailure`` named `name`.
    private static func checkPair(
        _ name: String,
        makePair: TwoWayStreamMaker,
        _ body: @Sendable (any ByteStream, any ByteStream) async throws -> Void
    ) async throws {
        let (a, b) = try await makePair()
        do {
            try await failAfter(hangLimit) { _ in try await body(a, b) }
        } catch {
            await a.close()
            await b.close()
            throw failure(of: name, error)
        }
        await a.close()
        await b.close()
    }

    static func bothDirectionsAtOnce(bulkBytes: Int, makePair: TwoWayStreamMaker) async throws {
        try await checkPair("both directions at once, with more bytes than any buffer holds", makePair: makePair) { a, b in
            let count = bulkBytes
            let fromA = payload(count, seed: 1), fromB = payload(count, seed: 2)
            try await withNursery { nursery in
                for (sender, data) in [(a, fromA), (b, fromB)] {
                    nursery.startSoon {
                        var offset = 0
                        while offset < data.count {
                            let end = Swift.min(offset + 100_000, data.count)
                            try await sender.send(Array(data[offset..<end]))
                            offset = end
                        }
                    }
                }
                for (receiver, data) in [(b, fromA), (a, fromB)] {
                    nursery.startSoon {
                        guard try await receiveAll(data.count, from: receiver) == data else {
                            throw fail("bytes were lost or reordered")
                        }
                    }
                }
            }
        }
    }

    static func halfClose(makePair: TwoWayStreamMaker) async throws {
        try await checkPair("sendEOF() half-closes", makePair: makePair) { a, b in
            try await withNursery { nursery in
                nursery.startSoon {
                    try await a.send([1, 2, 3])
                    try await a.sendEOF()
                    try await a.sendEOF()
                    let error = try await expectError("send after sendEOF()") { try await a.send([4]) }
                    guard error is ClosedResourceError else {
                        throw fail("send after sendEOF() threw \(error), not ClosedResourceError")
                    }
                    guard try await receiveAll(3, from: a) == [9, 8, 7] else {
                        throw fail("the side that sent EOF could not receive the peer's answer")
                    }
                }
                guard try await receiveAll(3, from: b) == [1, 2, 3] else {
                    throw fail("bytes sent before sendEOF() were lost")
                }
                let error = try await expectError("receive after the peer's sendEOF()") {
                    _ = try await b.receive(maxBytes: 10)
                }
                guard error is EndOfStreamError else {
                    throw fail("receive after the peer's sendEOF() threw \(error), not EndOfStreamError")
                }
                try await b.send([9, 8, 7])
            }
        }
    }
}

/// Marks that a receive in a cancelled scope threw `CancellationError`.
private struct CheckpointSeen: Error {}
