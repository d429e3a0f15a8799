//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The receiving half shared by ``TextReceiveStream`` and ``TextStream``: receives bytes and
/// decodes them incrementally.
final class TextDecodingReceiver: Sendable {
    struct State: Sendable {
        var decoder: IncrementalUTF8Decoder
        /// The wrapped stream ended and the decoder's held-back bytes were flushed.
        var ended = false
    }

    let inner: any ByteReceiveStream
    private let state: StateLock<State>
    private let receiveGuard = ResourceGuard(action: "reading from")

    init(_ inner: any ByteReceiveStream, handling: InvalidUTF8Handling) {
        self.inner = inner
        state = StateLock(State(decoder: IncrementalUTF8Decoder(handling: handling)))
    }

    /// Receives the next non-empty piece of text.
    ///
    /// Cancel-safe: a cancellation can only arrive inside the wrapped stream's receive, which
    /// then took no bytes; decoded bytes are handed out in the same step that decodes them.
    func receive() async throws -> String {
        try await receiveGuard.withGuard {
            while true {
                if state.withLock({ $0.ended }) { throw EndOfStreamError() }
                let chunk: [UInt8]
                do {
                    chunk = try await inner.receive()
                } catch is EndOfStreamError {
                    let rest = try state.withLock { state in
                        state.ended = true
                        return try state.decoder.finish()
                    }
                    if rest.isEmpty { throw EndOfStreamError() }
                    return rest
                }
                let text = try state.withLock { try $0.decoder.decode(chunk) }
                if !text.isEmpty { return text }
                // Only the start of a character arrived: wait for the rest of it.
            }
        }
    }
}
