//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIONet
import AnyIOTesting
import Foundation
import Testing

#if ANYIO_TSAN
private let connectionCount = 20
private let largestPayload = 20_000
#else
// Sized to stay short beside the core suites in one `swift test` on a shared 2-core machine
// (150 connections of up to 200 KB took 21 s there and starved the core's 20 s time limits).
private let connectionCount = 60
private let largestPayload = 60_000
#endif

@Suite("Unix stream load", .timeLimit(.minutes(3)), .anyIO(timeLimit: .seconds(120)))
struct UnixLoadTests {
    @Test("concurrent connections through serve, some cancelled mid-stream: every byte echoed once, every socket closed")
    func concurrentEcho() async throws {
        let path = temporarySocketPath("load")
        defer { unlink(path) }
        try await withNursery { nursery in
            try await nursery.start { (status: consuming TaskStatus<Void>) in
                let listener = try await makeUnixListener(path: path)
                status.started()
                try await listener.executeThenClose { listener -> Void in
                    try await listener.serve { stream in
                        do {
                            for try await chunk in stream.chunks() { try await stream.send(chunk) }
                            try await stream.sendEOF()
                        } catch is BrokenResourceError {
                            // A client cancelled mid-stream closed its end (EPIPE, ECONNRESET).
                        }
                    }
                }
            }
            try await withNursery { clients in
                for index in 0..<connectionCount {
                    clients.startSoon {
                        let client = try await connectUnix(path: path)
                        if index % 5 == 0 {
                            // Cancelled at a random moment while sending and receiving.
                            _ = try await moveOnAfter(.milliseconds(Int.random(in: 1...20))) { _ in
                                while true {
                                    try await client.send([UInt8](repeating: UInt8(index % 256), count: 4096))
                                    _ = try await client.receive()
                                }
                            }
                            await client.close()
                            return
                        }
                        let size = 1 + (index * 7919) % largestPayload
                        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ index) }
                        try await withNursery { inner in
                            inner.startSoon {
                                try await client.send(payload)
                                try await client.sendEOF()
                            }
                            var echoed: [UInt8] = []
                            for try await chunk in client.chunks() { echoed += chunk }
                            #expect(echoed.count == payload.count)
                            #expect(echoed == payload)
                        }
                        await client.close()
                    }
                }
            }
            nursery.cancel(reason: "done")
        }
        // The listener and every accepted socket carry the path; all are closed by now.
        #expect(try await eventually { socketsBound(to: path) == 0 })
    }
}
