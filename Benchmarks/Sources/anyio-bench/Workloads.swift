// The workloads, written against the library's API (module `AnyIO`, SPEC §3). Each one mirrors
// the function of the same name in ../shared/bench/python/wl_anyio.py and follows "The
// anyio-bench contract" in ../shared/bench/README.md: only the workload is timed, and every
// workload self-checks a count or a sum before emitting its one result line.
//
// Only implemented workloads are listed here: the harness runs exactly what `anyio-bench list`
// names and reports the rest as "not implemented". One file per workload family:
//   Checkpoint.swift (W0), Spawn.swift (W1), Start.swift (W2), Cancel.swift (W3), Scope.swift (W4),
//   Channel.swift (W5: channel-c0-1x1, channel-c1-1x1, channel-c1024-1x1, channel-inf-1x1,
//   channel-c0-4x4, channel-c1024-4x4), Lock.swift (W6 lock, and the variant lock:fast).
//
// Not implemented yet (the library lacks the API; see the sketches at the end of this file):
//   W7 to_thread, W8 tcp-echo.

let workloads: [String: Workload] = [
    "checkpoint": benchCheckpoint,
    "spawn": benchSpawn,
    "start": benchStart,
    "cancel": benchCancel,
    "scope": benchScope,
    "lock": benchLock,
    "lock:fast": benchLockFast,
    "channel-c0-1x1": { try await benchChannel($0, buffer: 0, producers: 1, consumers: 1, name: "channel-c0-1x1") },
    "channel-c1-1x1": { try await benchChannel($0, buffer: 1, producers: 1, consumers: 1, name: "channel-c1-1x1") },
    "channel-c1024-1x1": { try await benchChannel($0, buffer: 1024, producers: 1, consumers: 1, name: "channel-c1024-1x1") },
    "channel-inf-1x1": { try await benchChannel($0, buffer: .max, producers: 1, consumers: 1, name: "channel-inf-1x1") },
    "channel-c0-4x4": { try await benchChannel($0, buffer: 0, producers: 4, consumers: 4, name: "channel-c0-4x4") },
    "channel-c1024-4x4": { try await benchChannel($0, buffer: 1024, producers: 4, consumers: 4, name: "channel-c1024-4x4") },
]

/// `anyio-bench echo-server` (and "tcp-echo" in `list`) once non-nil. Not implemented yet: the
/// library has no TCP listener.
let echoServer: (@Sendable () async throws -> Void)? = nil

/* Sketches of the remaining workloads (not compiled), with the API names of SPEC §3. Keep the
   mechanism and the check of python/wl_anyio.py when turning them into code.

func benchToThread(_ n: Int) async throws {
    var total = 0, sameThread = 0
    let sw = Stopwatch()
    for i in 0..<n {
        let caller = currentThreadID()
        let (v, worker) = try await ToThread.runSync { (trivialBlocking(i), currentThreadID()) }
        total &+= v
        if worker == caller { sameThread &+= 1 }
    }
    let s = sw.seconds
    try check(total == n * (n - 1) / 2 + n, "to_thread sum mismatch")
    emit(workload: "to_thread", n: n, seconds: s, variant: "ToThread.runSync",
         extra: [("same_thread_pct", jsonNumber((100 * Double(sameThread) / Double(n)).rounded()))])
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
