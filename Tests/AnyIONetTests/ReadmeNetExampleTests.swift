//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Foundation
import Testing

/// Keeps the README's TCP example honest: the code below is the block, verbatim, except that
/// `print` is a local function that records what the example prints.
@Suite(.timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(120)))
struct ReadmeNetExampleTests {
    @Test func readmeTCPExampleEchoes() async throws {
        var printed: [String] = []
        func print(_ items: Any...) {
            printed.append(items.map { String(describing: $0) }.joined(separator: " "))
        }

        // --- README.md, "TCP networking" (verbatim from here) ---
        try await withNursery { nursery in
            let port = try await nursery.start { (status: consuming TaskStatus<Int>) in
                let listener = try await makeTCPListener(localHost: "127.0.0.1")
                status.started(try listener.extra(SocketAttribute.localPort))   // start() returns this
                try await listener.executeThenClose { listener -> Void in
                    try await listener.serve { stream in                       // one child task per connection
                        for try await chunk in stream.chunks() { try await stream.send(chunk) }   // echo
                    }
                }
            }
            let client = try await connectTCP(host: "127.0.0.1", port: port)
            try await client.send("hello")
            print(String(decoding: try await client.receive(), as: UTF8.self))  // hello
            await client.close()
            nursery.cancel(reason: "done")                                      // stops the server
        }
        // --- end of the README example ---

        #expect(printed == ["hello"])
    }

    @Test func readmeBlockIsTheTestedCode() throws {
        // The test's copy must match the README's block line for line (indentation aside).
        let readme = try String(contentsOfFile: #filePath.replacingOccurrences(of: "Tests/AnyIONetTests/ReadmeNetExampleTests.swift", with: "README.md"), encoding: .utf8)
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        guard let section = readme.range(of: "## TCP networking") else {
            Issue.record("README has no TCP networking section")
            return
        }
        let afterSection = readme[section.upperBound...]
        guard let open = afterSection.range(of: "```swift\n"), let close = afterSection[open.upperBound...].range(of: "```") else {
            Issue.record("README's TCP networking section has no swift block")
            return
        }
        let block = afterSection[open.upperBound..<close.lowerBound]
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let startMarker = #"// --- README.md, "TCP networking" (verbatim from here) ---"#
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let start = lines.firstIndex(of: startMarker),
              let end = lines.firstIndex(of: "// --- end of the README example ---") else {
            Issue.record("markers not found")
            return
        }
        #expect(Array(lines[(start + 1)..<end]) == block)
    }
}
