//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Thrown by ``BufferedByteReceiveStream/receiveExactly(_:)`` and
/// ``BufferedByteReceiveStream/receiveUntil(_:maxBytes:)`` when the stream ended before the
/// asked-for bytes (or the delimiter) arrived.
///
/// The bytes that did arrive stay in ``BufferedByteReceiveStream/buffer``.
///
/// - SeeAlso: AnyIO `IncompleteRead`.
public struct IncompleteReadError: Error, Hashable, CustomStringConvertible {
    /// How many bytes had arrived (and are in the buffer).
    public var bufferedCount: Int

    /// Creates the error.
    ///
    /// - Parameter bufferedCount: How many bytes had arrived.
    public init(bufferedCount: Int = 0) {
        self.bufferedCount = bufferedCount
    }

    /// Explains the error.
    public var description: String {
        "IncompleteReadError: the stream ended after \(bufferedCount) byte(s), before the expected data arrived; the partial data is in the buffer"
    }
}

/// Thrown by ``BufferedByteReceiveStream/receiveUntil(_:maxBytes:)`` when `maxBytes` bytes
/// arrived without the delimiter among them.
///
/// The bytes stay in ``BufferedByteReceiveStream/buffer``.
///
/// - SeeAlso: AnyIO `DelimiterNotFound`.
public struct DelimiterNotFoundError: Error, Hashable, CustomStringConvertible {
    /// The limit that was reached.
    public var maxBytes: Int

    /// Creates the error.
    ///
    /// - Parameter maxBytes: The limit that was reached.
    public init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// Explains the error.
    public var description: String {
        "DelimiterNotFoundError: the delimiter was not found in the first \(maxBytes) byte(s); raise maxBytes or check the framing"
    }
}
