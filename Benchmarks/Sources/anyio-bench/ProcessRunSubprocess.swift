// Variant `process-run:subprocess`: W10 with swift-subprocess's `run` in the same binary (the
// plain-Swift baseline issue 14 names): N sequential runs of /bin/true, stdout and stderr
// collected as bytes, as `runProcess` collects them. Not in the harness's ratios (a variant).
// Check: every run terminated successfully.
import Subprocess

func benchProcessRunSubprocess(_ n: Int) async throws {
    let sw = Stopwatch()
    var ok = 0
    for _ in 0..<n {
        let result = try await Subprocess.run(
            .path("/bin/true"), output: .bytes(limit: 1 << 20), error: .bytes(limit: 1 << 20))
        if result.terminationStatus.isSuccess { ok += 1 }
    }
    let s = sw.seconds
    try check(ok == n, "process-run:subprocess: \(ok) of \(n) runs succeeded")
    emit(workload: "process-run:subprocess", n: n, seconds: s, variant: "swift-subprocess run(.path(/bin/true)), output and error as bytes")
}
