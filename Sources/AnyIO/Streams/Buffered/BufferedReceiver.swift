//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The receiving machinery shared by ``BufferedByteReceiveStream`` and ``BufferedByteStream``:
/// the inner stream, the buffer, and the guard that lets one task receive at a time.
///
/// Invariant: bytes move from the inner stream into `state.buffer` as soon as a receive of the
/// inner stream returns, before anything else can happen (in particular before a cancellation
/// can be seen), and leave the buffer only inside the same critical section that hands them to
/// the caller. So a cancelled or failed `receiveExactly` / `receiveUntil` loses nothing: what it
/// had gathered is still in the buffer for the next call (IO1, IO6).
final class BufferedReceiver: Sendable {
    struct State: Sendable {
        var buffer = ReceiveBuffer()
        var isClosed = false
    }

    let inner: any ByteReceiveStream
    let state = StateLock(State())
    private let receiveGuard = ResourceGuard(action: "reading from")

    init(_ inner: any ByteReceiveStream) {
        self.inner = inner
    }

    var buffer: [UInt8] { state.withLock { $0.buffer.bytes } }

    func feedData(_ bytes: some Collection<UInt8>) {
        state.withLock { $0.buffer.append(bytes) }
    }

    nonisolated(nonsending) func close() async {
        state.withLock { $0.isClosed = true }
        await inner.close()
    }

    /// Takes up to `maxBytes` from the buffer, or `nil` if it is empty; throws if closed.
    private func takeBuffered(_ maxBytes: Int) throws -> [UInt8]? {
        try state.withLock { state in
            if state.isClosed { throw ClosedResourceError() }
            return state.buffer.isEmpty ? nil : state.buffer.take(maxBytes)
        }
    }

    /// Receives from the inner stream and appends to the buffer; throws
    /// ``IncompleteReadError`` at the end of the stream.
    private nonisolated(nonsending) func fill(asking maxBytes: Int) async throws {
        let chunk: [UInt8]
        do {
            chunk = try await inner.receive(maxBytes: maxBytes)
        } catch is EndOfStreamError {
            throw IncompleteReadError(bufferedCount: state.withLock { $0.buffer.count })
        }
        try state.withLock { state in
            state.buffer.append(chunk)
            // Closed while the inner receive ran: the bytes stay buffered (nothing is lost), but
            // this side is closed.
            if state.isClosed { throw ClosedResourceError() }
        }
    }

    nonisolated(nonsending) func receive(maxBytes: Int) async throws -> [UInt8] {
        try checkMaxBytes(maxBytes, of: "receive(maxBytes:)")
        try receiveGuard.enter()
        defer { receiveGuard.leave() }
        try throwIfCancelled()
        if let bytes = try takeBuffered(maxBytes) {
            await budgetedSchedulePoint()
            return bytes
        }
        return try await inner.receive(maxBytes: maxBytes)
    }

    nonisolated(nonsending) func receiveExactly(_ count: Int) async throws -> [UInt8] {
        guard count >= 0 else {
            throw InvalidArgumentError(
                "receiveExactly(_:): the count must not be negative, got \(count)"
            )
        }
        try receiveGuard.enter()
        defer { receiveGuard.leave() }
        try throwIfCancelled()
        var suspended = false
        while true {
            let taken: [UInt8]? = try state.withLock { state in
                if state.isClosed { throw ClosedResourceError() }
                return state.buffer.count >= count ? state.buffer.take(count) : nil
            }
            if let taken {
                if !suspended { await budgetedSchedulePoint() }
                return taken
            }
            let remaining = count - state.withLock { $0.buffer.count }
            try await fill(asking: remaining)
            suspended = true
        }
    }

    nonisolated(nonsending) func receiveUntil(_ delimiter: [UInt8], maxBytes: Int) async throws -> [UInt8] {
        guard !delimiter.isEmpty else {
            throw InvalidArgumentError(
                "receiveUntil(_:maxBytes:): the delimiter is empty; pass at least one byte to look for"
            )
        }
        try checkMaxBytes(maxBytes, of: "receiveUntil(_:maxBytes:)")
        try receiveGuard.enter()
        defer { receiveGuard.leave() }
        try throwIfCancelled()
        var suspended = false
        // Where the search resumes: the delimiter cannot start before this offset, because
        // the bytes before it were searched already.
        var searchFrom = 0
        while true {
            let found: [UInt8]? = try state.withLock { state in
                if state.isClosed { throw ClosedResourceError() }
                if let index = state.buffer.firstIndex(of: delimiter, from: searchFrom) {
                    let line = state.buffer.take(index)
                    state.buffer.drop(delimiter.count)
                    return line
                }
                if state.buffer.count >= maxBytes { throw DelimiterNotFoundError(maxBytes: maxBytes) }
                searchFrom = Swift.max(state.buffer.count - delimiter.count + 1, 0)
                return nil
            }
            if let found {
                if !suspended { await budgetedSchedulePoint() }
                return found
            }
            try await fill(asking: defaultReceiveSize)
            suspended = true
        }
    }
}
