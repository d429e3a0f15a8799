// W3 `cancel`: one `withNursery` with N children that each count themselves as started, sleep
// forever, and count themselves as exited on the way out; the N-th child signals "all started".
// The parent waits for that signal, sleeps 20 ms so the last child reaches `sleepForever()`, takes
// t1 and the RSS, then cancels the nursery's scope; t2 is when `withNursery` returns.
// seconds = t2 − t1; spawn_seconds = t1 − t0; rss_sleeping_kb = RSS with all N asleep;
// bytes_per_sleeping_task = (rss1 − rss0) × 1024 / N. Mirrors `cancel` in python/wl_anyio.py.
// Check: exited == N.
import AnyIO
import Synchronization

func benchCancel(_ n: Int) async throws {
    let started = Counter(), exited = Counter()
    let allStarted = Event()
    var t1 = ContinuousClock.now, rss1 = 0
    let rss0 = currentRSSKB()
    let t0 = ContinuousClock.now
    try await withNursery { nursery in
        for _ in 0..<n {
            nursery.startSoon {
                defer { exited.add(1) }
                if started.increment() == n { allStarted.set() }
                try await sleepForever()
            }
        }
        try await allStarted.wait()
        try await sleep(for: .milliseconds(20))  // let the last child reach sleepForever()
        t1 = ContinuousClock.now
        rss1 = currentRSSKB()
        nursery.cancelScope.cancel()
    }
    let t2 = ContinuousClock.now
    try check(exited.load() == n, "cancel: exited \(exited.load()) != \(n)")
    emit(workload: "cancel", n: n, seconds: (t2 - t1).seconds,
         variant: "sleepForever children; nursery.cancelScope.cancel()",
         extra: [("spawn_seconds", jsonNumber((t1 - t0).seconds)),
                 ("rss_sleeping_kb", String(rss1)),
                 ("bytes_per_sleeping_task", String(Int((Double(rss1 - rss0) * 1024 / Double(n)).rounded())))])
}
