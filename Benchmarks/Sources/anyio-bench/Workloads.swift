// The workloads, written against the library's API (module `AnyIO`, SPEC §3). Each one mirrors
// the function of the same name in ../shared/bench/python/wl_anyio.py and follows "The
// anyio-bench contract" in ../shared/bench/README.md: only the workload is timed, and every
// workload self-checks a count or a sum before emitting its one result line.
//
// Only implemented workloads are listed here: the harness runs exactly what `anyio-bench list`
// names and reports the rest as "not implemented". One file per workload family:
//   Checkpoint.swift (W0), Spawn.swift (W1), Start.swift (W2), Cancel.swift (W3), Scope.swift (W4),
//   Lock.swift (W6), ToThread.swift (W7).
//
// Not implemented yet (the library lacks the API; see the sketches at the end of this file):
//   W5 channel-c0-1x1, channel-c1-1x1, channel-c1024-1x1, channel-inf-1x1, channel-c0-4x4,
//      channel-c1024-4x4 (memory object streams), W8 tcp-echo.

let workloads: [String: Workload] = [
    "checkpoint": benchCheckpoint,
    "spawn": benchSpawn,
    "start": benchStart,
    "cancel": benchCancel,
    "scope": benchScope,
    "lock": benchLock,
    "lock:fast": benchLockFast,
    "to_thread": benchToThread,
]

/// `anyio-bench echo-server` (and "tcp-echo" in `list`) once non-nil. Not implemented yet: the
/// library has no TCP listener.
let echoServer: (@Sendable () async throws -> Void)? = nil

/* Sketches of the remaining workloads (not compiled), with the API names of SPEC §3. Keep the
   mechanism and the check of python/wl_anyio.py when turning them into code.

/// buffer: 0, 1, 1024 or .max (unbounded); name e.g. "channel-c1024-4x4".
func benchChannel(_ n: Int, buffer: Int, producers: Int, consumers: Int, name: String) async throws {
    let per = n / producers, total = per * producers
    let count = Counter(), sum = Counter()
    let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: buffer)
    let sw = Stopwatch()
    try await withNursery { nursery in
        for _ in 0..<consumers {
            let r = try receive.clone()
            nursery.startSoon {
                defer { r.close() }
                var c = 0, sm = 0
                for try await x in r { c &+= 1; sm &+= x }
                count.add(c); sum.add(sm)
            }
        }
        for p in 0..<producers {
            let tx = try send.clone()
            nursery.startSoon {
                defer { tx.close() }
                for i in (p * per)..<((p + 1) * per) { try await tx.send(i) }
            }
        }
        send.close()
        receive.close()
    }
    let s = sw.seconds
    try check(count.load() == total && sum.load() == total * (total - 1) / 2, "\(name): got \(count.load()) of \(total)")
    emit(workload: name, n: total, seconds: s,
         variant: "makeMemoryObjectStream(bufferSize: \(buffer == .max ? "inf" : String(buffer))), \(producers)p/\(consumers)c")
}

// let echoServer: (@Sendable () async throws -> Void)? = {
//     let listener = try await createTCPListener(localHost: "127.0.0.1", localPort: 0, backlog: 256)
//     announcePort(listener.localPort)
//     try await listener.serve { stream in
//         defer { stream.close() }
//         for try await chunk in stream { try await stream.send(chunk) }
//     }
// }
*/
