// The workloads, written against the library's API (module `AnyIO`, SPEC §3). Each one mirrors
// the function of the same name in ../shared/bench/python/wl_anyio.py and follows "The
// anyio-bench contract" in ../shared/bench/README.md: only the workload is timed, and every
// workload self-checks a count or a sum before emitting its one result line.
//
// Only implemented workloads are listed here: the harness runs exactly what `anyio-bench list`
// names and reports the rest as "not implemented". One file per workload family:
//   Checkpoint.swift (W0), Spawn.swift (W1), Start.swift (W2), Cancel.swift (W3), Scope.swift (W4),
//   Channel.swift (W5: channel-c0-1x1, channel-c1-1x1, channel-c1024-1x1, channel-inf-1x1,
//   channel-c0-4x4, channel-c1024-4x4), Lock.swift (W6 lock, and the variant lock:fast),
//   ToThread.swift (W7), FileRead.swift (W9 file-read, and the variant file-read:blocking-thread),
//   BufferedLines.swift (W11), ProcessRun.swift (W10 process-run), Fairness.swift (`fairness`,
//   issue 15: the tick gaps of a sibling of 8 spinning tasks).
//
// Not implemented yet (the library lacks the API; see the sketch at the end of this file):
//   W8 tcp-echo.

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
    "to_thread": benchToThread,
    "file-read": benchFileRead,
    "file-read:blocking-thread": benchFileReadBlockingThread,
    "buffered-lines": benchBufferedLines,
    "fairness": benchFairness,
    "process-run": benchProcessRun,
    "process-run:subprocess": benchProcessRunSubprocess,
]

/// `anyio-bench echo-server` (and "tcp-echo" in `list`) once non-nil. Not implemented yet: the
/// library has no TCP listener.
let echoServer: (@Sendable () async throws -> Void)? = nil

/* Sketch of the remaining workload (not compiled), with the API names of SPEC §3. Keep the
   mechanism and the check of python/wl_anyio.py when turning them into code.

// let echoServer: (@Sendable () async throws -> Void)? = {
//     let listener = try await createTCPListener(localHost: "127.0.0.1", localPort: 0, backlog: 256)
//     announcePort(listener.localPort)
//     try await listener.serve { stream in
//         defer { stream.close() }
//         for try await chunk in stream { try await stream.send(chunk) }
//     }
// }
*/
