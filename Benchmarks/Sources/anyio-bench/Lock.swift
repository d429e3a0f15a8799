// W6 `lock`: one `Lock`; one `withNursery` with 100 children, each N/100 × (`acquire`;
// `counter += 1`; `release`), `counter` a plain `Int` protected only by the lock. Mirrors `lock`
// in python/wl_anyio.py (`anyio.Lock()`, whose acquire is a full checkpoint).
// Variant `lock:fast`: the same with `Lock(fastAcquire: true)` (AnyIO's `fast_acquire=True`,
// the like-for-like comparison with asyncio.Lock, which does not yield when uncontended).
// Check: counter == n (also proves mutual exclusion).
import AnyIO

func benchLock(_ n: Int) async throws {
    try await runLock(n, fastAcquire: false, workload: "lock", variant: "Lock(), 100 tasks")
}

func benchLockFast(_ n: Int) async throws {
    try await runLock(n, fastAcquire: true, workload: "lock:fast", variant: "Lock(fastAcquire: true), 100 tasks")
}

private func runLock(_ n: Int, fastAcquire: Bool, workload: String, variant: String) async throws {
    let tasks = 100, per = n / tasks, total = per * tasks
    let lock = Lock(fastAcquire: fastAcquire)
    let count = UnprotectedBox()  // protected by `lock` only
    let sw = Stopwatch()
    try await withNursery { nursery in
        for _ in 0..<tasks {
            nursery.startSoon {
                for _ in 0..<per {
                    try await lock.acquire()
                    count.value &+= 1
                    lock.release()
                }
            }
        }
    }
    let s = sw.seconds
    try check(count.value == total, "\(workload) count \(count.value) != \(total)")
    emit(workload: workload, n: total, seconds: s, variant: variant)
}
