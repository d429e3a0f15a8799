// W7 `to_thread`: N sequential `ToThread.runSync { trivialBlocking(i) }` round trips with the
// default limiter. Mirrors `to_thread` in python/wl_anyio.py (`anyio.to_thread.run_sync`).
// Check: Σv == N(N−1)/2 + N; `same_thread_pct` reports how often the closure ran on the caller's
// OS thread (never, by design: worker threads are not the cooperative pool's).
import AnyIO

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
