//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// Keeps the README's "Example" section honest: the code below is that block, verbatim, except
/// that `import AnyIO` moved to the top of this file and `print` is a local function that records
/// what the example prints.
@Suite(.timeLimit(.minutes(1)))
struct ReadmeExampleTests {
    @Test func readmeExampleReturnsThePortAndPrintsANilReply() async throws {
        var printed: [String] = []
        func print(_ items: Any...) {
            printed.append(items.map { String(describing: $0) }.joined(separator: " "))
        }

        // --- README.md, "Example" (verbatim from here) ---
        let port = try await withNursery { nursery in
            // `start` waits until the child reports readiness, and returns its value.
            let port = try await nursery.start(name: "server") { (status: consuming TaskStatus<Int>) in
                status.started(8080)
                try await sleepForever()                      // serve until cancelled
            }
            nursery.startSoon(name: "heartbeat") {
                while true { try await sleep(for: .seconds(1)) }
            }
            // Give up after 2 s: the scope catches its own timeout and returns nil.
            let reply: String? = try await moveOnAfter(.seconds(2)) { _ in try await sleepForever() }
            print("reply:", reply as Any)                     // reply: nil
            nursery.cancel(reason: "done")                    // stop both children
            return port
        }
        // --- end of the README example ---

        #expect(port == 8080)
        #expect(printed == ["reply: nil"])
    }
}
