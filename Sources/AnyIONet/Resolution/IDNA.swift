//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

/// International host names to their ASCII form for the resolver (IDNA, RFC 5891): each label
/// with characters outside ASCII becomes `xn--` and its Punycode (RFC 3492).
///
/// The mapping step is a subset of UTS 46: the labels are split at the full stops that UTS 46
/// treats as dots (`.`, `。`, `．`, `｡`) and lower-cased; `ß` and the other deviation characters
/// are kept (IDNA 2008, as AnyIO's `idna` package does: `faß.de` is not `fass.de`). Names are
/// expected in Unicode normalization form C, as typed text almost always is (no normalization is
/// applied: the standard library has no public one). ASCII names are passed through unchanged.
package enum IDNA {
    /// The ASCII form of `host`.
    ///
    /// - Throws: `InvalidArgumentError` naming the host if a label is empty or longer than 63
    ///   bytes once encoded.
    package static func encode(_ host: String) throws -> String {
        if host.utf8.allSatisfy({ $0 < 0x80 }) { return host }
        let dots: Set<Character> = [".", "\u{3002}", "\u{FF0E}", "\u{FF61}"]
        var labels = host.split(omittingEmptySubsequences: false, whereSeparator: { dots.contains($0) }).map(String.init)
        // A trailing dot (a fully qualified name) is kept.
        let trailingDot = labels.count > 1 && labels.last == ""
        if trailingDot { labels.removeLast() }
        var encoded: [String] = []
        for label in labels {
            guard !label.isEmpty else {
                throw InvalidArgumentError("the host name '\(host)' has an empty label")
            }
            let ascii: String
            if label.utf8.allSatisfy({ $0 < 0x80 }) {
                ascii = label
            } else {
                ascii = "xn--" + punycode(Array(label.lowercased().unicodeScalars))
            }
            guard ascii.utf8.count <= 63 else {
                throw InvalidArgumentError("the host name '\(host)' has a label longer than 63 bytes once encoded: '\(ascii)'")
            }
            encoded.append(ascii)
        }
        return encoded.joined(separator: ".") + (trailingDot ? "." : "")
    }

    /// The Punycode encoding of `input` (RFC 3492, section 6.3), without the `xn--` prefix.
    package static func punycode(_ input: [Unicode.Scalar]) -> String {
        let base = 36, tMin = 1, tMax = 26
        func digit(_ value: Int) -> Character {
            Character(Unicode.Scalar(UInt8(value < 26 ? 0x61 + value : 0x30 + value - 26)))
        }
        var output = String(String.UnicodeScalarView(input.filter { $0.isASCII }))
        let basicCount = output.unicodeScalars.count
        if basicCount > 0 { output.append("-") }
        var n = 128
        var delta = 0
        var bias = 72
        var handled = basicCount
        let values = input.map { Int($0.value) }
        while handled < values.count {
            // Invariant: every code point below `n` has been handled.
            let next = values.filter { $0 >= n }.min()!
            delta += (next - n) * (handled + 1)
            n = next
            for value in values {
                if value < n { delta += 1 }
                if value == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, count: handled + 1, first: handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }

    /// The bias adaptation function (RFC 3492, section 6.1).
    private static func adapt(_ delta: Int, count: Int, first: Bool) -> Int {
        let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
        var delta = first ? delta / damp : delta / 2
        delta += delta / count
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
