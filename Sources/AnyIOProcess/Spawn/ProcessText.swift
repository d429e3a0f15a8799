//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Text for messages and the task tree.

/// A command as one line, shell-quoted where needed, cut at 200 characters.
func describeCommand(_ arguments: [String]) -> String {
    let line = arguments.map { argument -> String in
        let plain = !argument.isEmpty && argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        return plain ? argument : "'" + argument.replacingQuotes() + "'"
    }.joined(separator: " ")
    return line.count > 200 ? String(line.prefix(197)) + "..." : line
}

/// `SIGKILL`, `SIGTERM`, … or `signal 42`.
func describeSignal(_ number: Int32) -> String {
    OSSignal(rawValue: number).description
}

/// `strerror` text of an `errno` value.
func errorString(_ number: Int32) -> String {
    String(cString: strerror(number))
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var result = ""
        for character in self {
            if character == "'" { result += "'\\''" } else { result.append(character) }
        }
        return result
    }
}
