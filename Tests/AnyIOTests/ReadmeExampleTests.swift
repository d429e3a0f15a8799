//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Testing

@testable import AnyIO

/// Keeps the README's examples honest: the code below is each block, verbatim, except that
/// `import AnyIO` moved to the top of this file and `print` is a local function that records what
/// the example prints.
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

    @Test func readmeSynchronizationExampleSumsEveryItemOnce() async throws {
        var printed: [String] = []
        func print(_ items: Any...) {
            printed.append(items.map { String(describing: $0) }.joined(separator: " "))
        }

        // --- README.md, "Synchronization and memory object streams" (verbatim from here) ---
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 16)
        let downloads = Semaphore(initialValue: 2)           // at most 2 "downloads" at once
        let log = Lock()
        var lines: [String] = []                             // guarded by `log`, used on this actor only
        let total = try await withNursery { nursery in
            var workers: [TaskHandle<Int>] = []
            for worker in 1...3 {
                let receive = try receive.clone()            // one receive endpoint per consumer
                workers.append(nursery.startSoon(name: "worker \(worker)") {
                    defer { receive.close() }
                    var sum = 0
                    for try await value in receive {         // ends once every sender has closed
                        sum += try await downloads.withPermit { value * 10 }
                    }
                    return sum
                })
            }
            receive.close()
            for value in 1...100 { try await send.send(value) }
            send.close()                                     // the consumers' loops end
            var total = 0
            for worker in workers { total += try await worker.value }
            try await log.withLock { lines.append("total \(total)") }
            return total
        }
        print(total, lines)                                  // 50500 ["total 50500"]
        // --- end of the README example ---

        #expect(total == 50500)
        #expect(printed == [#"50500 ["total 50500"]"#])
    }

    @Test func readmeWorkerThreadExample() async throws {
        var printed: [String] = []
        func print(_ items: Any...) {
            printed.append(items.map { String(describing: $0) }.joined(separator: " "))
        }

        // --- README.md, "Worker threads" (verbatim from here) ---
        let sum = try await ToThread.runSync {               // on an "AnyIO worker N" thread
            var total = 0
            for chunk in 1...4 {
                try FromThread.checkCancelled()              // throws once the caller is cancelled
                total += chunk * 100                         // stands for blocking work
                try FromThread.run { try await sleep(for: .milliseconds(1)) }  // async, in the caller's task
            }
            return total
        }
        let portal = startBlockingPortal()                   // serves threads that are not tasks
        let answer = try await ToThread.runSync {            // (a worker thread is such a thread)
            try portal.call { try await sleep(for: .milliseconds(1)); return 42 }
        }
        portal.stop()
        print(sum, answer)                                   // 1000 42
        // --- end of the README example ---

        #expect(printed == ["1000 42"])
    }

    @Test func readmeConcurrencyUtilitiesExample() async throws {
        var printed: [String] = []
        func print(_ items: Any...) {
            printed.append(items.map { String(describing: $0) }.joined(separator: " "))
        }

        // --- README.md, "Concurrency utilities" (verbatim from here) ---
        let (user, orders) = try await gather({ "ada" }, { [3, 1, 2] })    // results in order
        let squares = try await amap(1...10, maxConcurrency: 3) { $0 * $0 } // at most 3 at once, in order
        let ops: [@Sendable () async throws -> Int] = [
            { try await sleep(for: .milliseconds(20)); return 2 },
            { 1 },
        ]
        let first = try await asCompleted(ops) { results in               // in completion order
            for try await value in results { return value }                // leaving cancels the rest
            return 0
        }
        print(user, orders, squares.last!, first)                          // ada [3, 1, 2] 100 1
        // --- end of the README example ---

        #expect(printed == ["ada [3, 1, 2] 100 1"])
    }

    @Test func readmeByteStreamExample() async throws {
        var printed: [String] = []
        func print(_ items: Any...) {
            printed.append(items.map { String(describing: $0) }.joined(separator: " "))
        }

        // --- README.md, "Byte streams" (verbatim from here) ---
        let (client, server) = memoryByteStreamPair()        // a connection in memory (AnyIOTesting)
        try await withNursery { nursery in
            nursery.startSoon {                              // a line server: answers each line uppercased
                let lines = BufferedByteStream(server)
                do {
                    while true {
                        let line = try await lines.receiveUntil([0x0A], maxBytes: 1024)
                        try await lines.send(String(decoding: line, as: UTF8.self).uppercased() + "\n")
                    }
                } catch is IncompleteReadError {}            // the client sent EOF
                await lines.close()
            }
            let text = TextStream(client)
            try await text.send("hello\nworld\n")
            try await text.sendEOF()                         // half-close; the answers still come back
            var reply = ""
            do {
                while true { reply += try await text.receive() }
            } catch is EndOfStreamError {}                   // the server closed
            print(reply.split(separator: "\n"))              // ["HELLO", "WORLD"]
        }
        // --- end of the README example ---

        #expect(printed == [#"["HELLO", "WORLD"]"#])
    }

    @Test func readmeFilesExample() async throws {
        var printed: [String] = []
        func print(_ items: Any...) {
            printed.append(items.map { String(describing: $0) }.joined(separator: " "))
        }

        // --- README.md, "Files" (verbatim from here) ---
        try await withTemporaryDirectory { directory in      // removed again when the body ends
            let notes = directory / "notes.txt"
            try await notes.writeText("one\ntwo\nthree\n")
            let file = try await openFile(notes.description)  // each call runs on a worker thread
            var count = 0
            try await file.executeThenClose { file in
                for try await _ in file.lines { count += 1 }
            }
            print(count, try await notes.stat().size)         // 3 14
        }
        // --- end of the README example ---

        #expect(printed == ["3 14"])
    }
}
