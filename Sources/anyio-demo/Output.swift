//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// Prints `line` to standard output and flushes it at once, so that a parent process reading
/// a pipe (the tests do) sees every line as soon as it is printed.
///
/// `print` takes the stream's lock, so lines from concurrent services never interleave.
func say(_ line: String) {
    print(line)
    // `fflush(nil)` flushes every output stream; it avoids touching the C global `stdout`, which
    // Swift 6 rejects as shared mutable state.
    fflush(nil)
}

/// Writes `text` and a newline to standard error, unbuffered.
func complain(_ text: String) {
    var message = text
    if !message.hasSuffix("\n") {
        message += "\n"
    }
    message.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { break }
            offset += written
        }
    }
}

/// A short human form of a duration: `"200 ms"`, `"1.5 s"`.
func describe(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    if milliseconds < 1000 {
        return "\(milliseconds) ms"
    }
    let tenths = milliseconds / 100
    return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
}
