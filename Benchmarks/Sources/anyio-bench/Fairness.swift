// `fairness` (issue 15; not a workload of ../shared/bench, which has no peer for it): N ticks of
// a sibling that sleeps 1 ms at a time, while 8 tasks (more than the executor's threads on this
// machine) spin through the library's fast paths without ever suspending for real:
//   - 4 tasks each loop over an uncontended `Lock` (acquire; release), each on its own lock;
//   - 2 producer/consumer pairs, each over its own `makeMemoryObjectStream(bufferSize: 1024)`:
//     most sends find room and most receives find an item (fast paths); the rest wait for real.
// Without the schedule-point budget (SPEC C8) the spinners yield on every call, so the sibling
// is fair by construction; with the budget they yield once per 128 operations or 1 ms, and this
// measures that the sibling still gets its turn. Reports the sibling's tick gaps (the time from
// one wake-up to the next; ideal: 1 ms plus timer latency) as p50/p99/max in milliseconds.
// Check: N ticks were seen and every spinner did work.
import AnyIO

func benchFairness(_ n: Int) async throws {
    let spinOps = Counter()
    var gaps: [Double] = []
    gaps.reserveCapacity(n)
    let sw = Stopwatch()
    try await withNursery { nursery in
        for _ in 0..<4 {
            nursery.startSoon {
                let lock = Lock()
                while true {
                    try await lock.acquire()
                    lock.release()
                    spinOps.increment()
                }
            }
        }
        for _ in 0..<2 {
            let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 1024)
            nursery.startSoon {
                var i = 0
                while true {
                    try await send.send(i)
                    i &+= 1
                    spinOps.increment()
                }
            }
            nursery.startSoon {
                while true {
                    _ = try await receive.receive()
                    spinOps.increment()
                }
            }
        }
        // Let the spinners get going, then tick.
        try await sleep(for: .milliseconds(20))
        var last = ContinuousClock.now
        for _ in 0..<n {
            try await sleep(for: .milliseconds(1))
            let now = ContinuousClock.now
            gaps.append((now - last).seconds * 1000)
            last = now
        }
        nursery.cancelScope.cancel()
    }
    let s = sw.seconds
    try check(gaps.count == n, "fairness ticks \(gaps.count) != \(n)")
    try check(spinOps.load() > 0, "fairness: the spinners did nothing")
    gaps.sort()
    func percentile(_ p: Double) -> Double { gaps[min(gaps.count - 1, Int(Double(gaps.count) * p))] }
    emit(
        workload: "fairness", n: n, seconds: s,
        variant: "8 spinning tasks (4 lock loops, 2 buffered channel pairs), sibling sleeps 1 ms",
        extra: [
            ("gap_p50_ms", jsonNumber(percentile(0.5))),
            ("gap_p99_ms", jsonNumber(percentile(0.99))),
            ("gap_max_ms", jsonNumber(gaps.last ?? 0)),
            ("spinner_ops", String(spinOps.load())),
        ])
}
