// W10 `process-run`: N sequential `runProcess(["/bin/true"])`, each to completion, with AnyIO's
// defaults (stdout and stderr captured through pipes, stdin inherited, `check: true`). Mirrors
// `process_run` in python/wl_anyio.py.
// Check: the count of runs that returned 0 == N.
import AnyIOProcess

func benchProcessRun(_ n: Int) async throws {
    let sw = Stopwatch()
    var ok = 0
    for _ in 0..<n {
        let result = try await runProcess(["/bin/true"])
        if result.returnCode == 0 { ok += 1 }
    }
    let s = sw.seconds
    try check(ok == n, "process-run: \(ok) of \(n) runs exited 0")
    emit(workload: "process-run", n: n, seconds: s, variant: "runProcess([/bin/true])")
}
