//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIOProcess
import Testing

/// The example proposed for README.md's "Subprocesses" section, compiled and run here.
@Suite("README subprocess example", .timeLimit(.minutes(1)))
struct ReadmeProcessExampleTests {
    @Test func readmeProcessExampleRuns() async throws {
        var printed: [String] = []
        func print(_ items: Any..., terminator: String = "\n") {
            printed.append(items.map { String(describing: $0) }.joined(separator: " ") + terminator)
        }

        // --- proposed README.md "Subprocesses" block (verbatim from here) ---
        // Run a command with a timeout: output captured, a non-zero exit throws ProcessFailedError.
        let result = try await failAfter(.seconds(5)) { _ in
            try await runProcess(["sh", "-c", "echo hello; echo progress >&2"])
        }
        print(String(decoding: result.stdout, as: UTF8.self), terminator: "")  // hello

        // Past the deadline the child gets SIGTERM (SIGKILL after 5 s), and is reaped.
        do {
            _ = try await failAfter(.milliseconds(200)) { _ in try await runProcess(["sleep", "10"]) }
        } catch is TimeoutError {
            print("timed out")
        }

        // Talk to a child through its pipes; closing it waits for it (or, cancelled, stops it).
        let sort = try await openProcess(["sort"])
        try await sort.executeThenClose { sort in
            try await sort.stdin!.send("pear\napple\n")
            await sort.stdin!.close()  // end of input
            for try await chunk in sort.stdout!.chunks() {
                print(String(decoding: chunk, as: UTF8.self), terminator: "")  // apple, pear
            }
            print("exit status", try await sort.wait())  // exit status 0
        }
        // --- end of the README example ---

        #expect(printed.joined() == "hello\ntimed out\napple\npear\nexit status 0\n")
    }
}
