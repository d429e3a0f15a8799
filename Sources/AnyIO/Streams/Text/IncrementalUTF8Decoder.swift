//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Decodes UTF-8 that arrives in chunks: a character split across two chunks is held back until
/// its last byte arrives.
///
/// Invariant: `pending` holds at most 3 bytes, the start of one multi-byte sequence that is well
/// formed so far; `offset` is the stream offset of the first byte not yet decoded (the first
/// byte of `pending`, if any).
struct IncrementalUTF8Decoder: Sendable {
    let handling: InvalidUTF8Handling
    private var pending: [UInt8] = []
    private var offset = 0

    init(handling: InvalidUTF8Handling) {
        self.handling = handling
    }

    /// Decodes `chunk` after the held-back bytes; holds back an incomplete sequence at its end.
    mutating func decode(_ chunk: [UInt8]) throws -> String {
        var bytes = pending
        bytes.append(contentsOf: chunk)
        let complete = bytes.count - Self.incompleteSuffixLength(bytes)
        let text = try decodeComplete(bytes[..<complete])
        pending = Array(bytes[complete...])
        return text
    }

    /// Decodes what is held back at the end of the stream: an incomplete sequence there is
    /// invalid.
    mutating func finish() throws -> String {
        guard !pending.isEmpty else { return "" }
        let rest = pending
        pending = []
        switch handling {
        case .throw:
            throw UTF8DecodingError(byteOffset: offset, bytes: rest)
        case .replace:
            offset += rest.count
            return "\u{FFFD}"
        }
    }

    private mutating func decodeComplete(_ bytes: ArraySlice<UInt8>) throws -> String {
        defer { offset += bytes.count }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        switch handling {
        case .replace:
            return String(decoding: bytes, as: UTF8.self)
        case .throw:
            let (position, length) = Self.firstInvalidSequence(bytes)
            throw UTF8DecodingError(
                byteOffset: offset + position,
                bytes: Array(bytes[(bytes.startIndex + position)...].prefix(length))
            )
        }
    }

    /// How many bytes at the end of `bytes` begin a multi-byte sequence that is well formed so far
    /// but not complete (0 to 3).
    static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        // Walk back over at most 3 continuation bytes to the sequence's lead byte.
        var index = bytes.count - 1
        var continuations = 0
        while index >= 0, continuations < 3, bytes[index] & 0xC0 == 0x80 {
            index -= 1
            continuations += 1
        }
        guard index >= 0 else { return 0 }
        let lead = bytes[index]
        let needed: Int
        switch lead {
        case 0xC2...0xDF: needed = 2
        case 0xE0...0xEF: needed = 3
        case 0xF0...0xF4: needed = 4
        default: return 0  // ASCII or an invalid lead: nothing to wait for
        }
        let have = bytes.count - index
        guard have < needed else { return 0 }
        // Hold back only a prefix that could still become valid; the second byte's range
        // depends on the lead (E0 A0..BF, ED 80..9F, F0 90..BF, F4 80..8F).
        if have >= 2 {
            let second = bytes[index + 1]
            let range: ClosedRange<UInt8>
            switch lead {
            case 0xE0: range = 0xA0...0xBF
            case 0xED: range = 0x80...0x9F
            case 0xF0: range = 0x90...0xBF
            case 0xF4: range = 0x80...0x8F
            default: range = 0x80...0xBF
            }
            guard range.contains(second) else { return 0 }
        }
        return have
    }

    /// The position and length of the first ill-formed sequence in `bytes`, which is known to be
    /// invalid.
    static func firstInvalidSequence(_ bytes: ArraySlice<UInt8>) -> (position: Int, length: Int) {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var position = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                position += scalar.count
            case .error(let length):
                return (position, length)
            case .emptyInput:
                return (position, 0)
            }
        }
    }
}
