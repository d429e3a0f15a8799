//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Thrown by a ``TextReceiveStream`` or ``TextStream`` when the bytes it receives are not valid
/// UTF-8.
///
/// - SeeAlso: Python's `UnicodeDecodeError`, which AnyIO's text streams raise.
public struct UTF8DecodingError: Error, Hashable, CustomStringConvertible {
    /// Where the first invalid byte is, counted from the start of the stream.
    public var byteOffset: Int
    /// The invalid bytes (the ill-formed sequence, at most a few bytes).
    public var bytes: [UInt8]

    /// Creates the error.
    ///
    /// - Parameters:
    ///   - byteOffset: Where the first invalid byte is, from the start of the stream.
    ///   - bytes: The invalid bytes.
    public init(byteOffset: Int, bytes: [UInt8]) {
        self.byteOffset = byteOffset
        self.bytes = bytes
    }

    /// Explains the error.
    public var description: String {
        let hex = bytes.map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
        return "UTF8DecodingError: invalid UTF-8 at byte offset \(byteOffset) of the stream (\(hex)); "
            + "decode with invalidUTF8: .replace to substitute U+FFFD"
    }
}

/// What a text stream does with bytes that are not valid UTF-8.
public enum InvalidUTF8Handling: Sendable, Hashable {
    /// Throw ``UTF8DecodingError`` with the offset of the first invalid byte (the default, like
    /// Python's `errors="strict"`).
    case `throw`
    /// Substitute U+FFFD REPLACEMENT CHARACTER for each ill-formed sequence (Python's
    /// `errors="replace"`).
    case replace
}
