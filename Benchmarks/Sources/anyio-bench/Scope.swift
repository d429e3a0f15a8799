// W4 `scope`: N × `moveOnAfter(.seconds(10)) { LowLevel.checkpoint() }` in one task: a deadline
// scope whose timer never fires (create, enter, exit). Mirrors `scope` in python/wl_anyio.py.
// Check: completed == N.
//
// Python counts a scope as completed when `not cs.cancelled_caught`. Here `moveOnAfter` returns
// the body's value, or nil when its scope caught a cancellation (SPEC C6); the body is `Void`, so
// the result is `Void?` and non-nil means the scope did not catch a cancellation.
import AnyIO

func benchScope(_ n: Int) async throws {
    var completed = 0
    let t0 = ContinuousClock.now
    for _ in 0..<n {
        let result: Void? = try await moveOnAfter(.seconds(10)) { _ in
            try await LowLevel.checkpoint()
        }
        if result != nil { completed &+= 1 }
    }
    let seconds = (ContinuousClock.now - t0).seconds
    try check(completed == n, "scope: completed \(completed) != \(n)")
    emit(workload: "scope", n: n, seconds: seconds, variant: "moveOnAfter(10 s) around LowLevel.checkpoint()")
}
