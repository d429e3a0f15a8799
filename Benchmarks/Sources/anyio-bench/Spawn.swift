// W1 `spawn`: one `withNursery`, N × `startSoon` of a no-op child that bumps an atomic counter;
// timed until `withNursery` returns (all children done). Mirrors `spawn` in python/wl_anyio.py.
// Check: counter == N.
import AnyIO

func benchSpawn(_ n: Int) async throws {
    let counter = Counter()
    let t0 = ContinuousClock.now
    try await withNursery { nursery in
        for _ in 0..<n {
            nursery.startSoon { counter.add(1) }  // a Void child, like Python's `child() -> None`
        }
    }
    let seconds = (ContinuousClock.now - t0).seconds
    try check(counter.load() == n, "spawn: counter \(counter.load()) != \(n)")
    emit(workload: "spawn", n: n, seconds: seconds, variant: "withNursery + startSoon")
}
