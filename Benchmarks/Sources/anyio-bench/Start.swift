// W2 `start`: inside one `withNursery`, N sequential `nursery.start` handshakes; each child
// reports readiness with the value `i` and returns, and the parent adds the value before starting
// the next. Mirrors `start` in python/wl_anyio.py. Check: Σv == N(N−1)/2.
import AnyIO

func benchStart(_ n: Int) async throws {
    var total = 0
    let t0 = ContinuousClock.now
    try await withNursery { nursery in
        for i in 0..<n {
            let v: Int = try await nursery.start { status in
                status.started(i)
            }
            total &+= v
        }
    }
    let seconds = (ContinuousClock.now - t0).seconds
    try check(total == n * (n - 1) / 2, "start: sum \(total) != \(n * (n - 1) / 2)")
    emit(workload: "start", n: n, seconds: seconds, variant: "nursery.start + status.started(value)")
}
