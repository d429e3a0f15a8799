// W0 `checkpoint`: N × `await LowLevel.checkpoint()` in one task (cancellation check + yield).
// Mirrors `checkpoint` in python/wl_anyio.py. Check: loop count == N.
import AnyIO

func benchCheckpoint(_ n: Int) async throws {
    var count = 0
    let t0 = ContinuousClock.now
    for _ in 0..<n {
        try await LowLevel.checkpoint()
        count &+= 1
    }
    let seconds = (ContinuousClock.now - t0).seconds
    try check(count == n, "checkpoint: count \(count) != \(n)")
    emit(workload: "checkpoint", n: n, seconds: seconds, variant: "LowLevel.checkpoint()")
}
