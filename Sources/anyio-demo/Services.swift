//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

// Each service follows the same shape:
//
// 1. set up, then report readiness and a value with `status.started(value)`, so that
//    `nursery.start` returns only once the service is usable;
// 2. serve until cancelled (Ctrl+C, SIGTERM, or the end of `--duration`);
// 3. on `CancellationError`, clean up in a *shielded*, deadline-bounded scope (`stopStep`),
//    which the cancellation does not reach, then let the cancellation propagate.

/// The configuration the `config` service loads and reports.
struct DemoConfig: Sendable, CustomStringConvertible {
    /// How often the ticker ticks.
    var tickInterval: Duration
    /// How many workers the `workers` service runs in its nested nursery.
    var workerCount: Int

    var description: String {
        "tick interval \(describe(tickInterval)), \(workerCount) workers"
    }
}

/// Starts the services, prints what is running and `ready`, then waits for the end.
///
/// The end is the `--duration` elapsing (this function then cancels the nursery itself) or a
/// signal (the runner cancels `root`, and with it everything below).
func runServices(options: DemoOptions, root: CancelScope) async throws {
    try await withNursery { nursery in
        let config = try await nursery.start(name: "config") { status in
            try await runConfigService(status: status)
        }
        let interval = try await nursery.start(name: "ticker") { status in
            try await runTicker(interval: config.tickInterval, slowShutdown: options.slowShutdown, status: status)
        }
        let workerCount = try await nursery.start(name: "workers") { status in
            try await runWorkers(count: config.workerCount, status: status)
        }
        let echoPort = try await nursery.start(name: "echo") { status in
            try await runEchoService(port: options.port, idleTimeout: options.idleTimeout, status: status)
        }
        try await nursery.start(name: "tree-dump") { status in
            try await runTreeDumper(status: status)
        }

        say("running config: \(config)")
        say("running ticker: every \(describe(interval))")
        say("running workers: \(workerCount) workers in a nested nursery")
        say("running echo: nc 127.0.0.1 \(echoPort)")
        say("running tree-dump: kill -USR1 \(getpid()) prints the task tree")
        say("ready")
        if options.printTree {
            // Let the services reach their first wait, so the tree shows what they wait on.
            try await sleep(for: .milliseconds(20))
            say("task tree:\n\(currentTaskTree())")
        }

        do {
            if let duration = options.duration {
                say("running for \(describe(duration))")
                try await sleep(for: duration)
                say("duration elapsed, shutting down")
                // Cancelling the nursery (not `root`) lets `withNursery` return normally.
                nursery.cancel(reason: "duration elapsed")
            } else {
                say("press Ctrl+C to stop")
                try await sleepForever()
            }
        } catch let cancellation as CancellationError {
            say("\(root.cancelReason ?? "cancelled"), shutting down")
            throw cancellation
        }
    }
}

/// Runs one cleanup step of service `name` in a shielded scope with its own deadline.
///
/// Prints `stopping <name>` before and `<name> stopped (<summary>)` after, or says that the
/// step timed out or failed. The shield keeps the enclosing cancellation out, so the cleanup
/// can await; the deadline keeps a stuck cleanup from holding up the shutdown.
func stopStep(
    _ name: String,
    limit: Duration = .milliseconds(500),
    _ cleanup: () async throws -> String
) async {
    say("stopping \(name)")
    do {
        let summary = try await withCancelScope(deadline: currentTime() + limit, shield: true) { _ in
            try await cleanup()
        }
        if let summary {
            say("\(name) stopped (\(summary))")
        } else {
            say("\(name) cleanup timed out after \(describe(limit))")
        }
    } catch {
        say("\(name) cleanup failed: \(error)")
    }
}

/// The `config` service: "loads" the configuration, reports it, then holds it until shutdown.
func runConfigService(status: consuming TaskStatus<DemoConfig>) async throws {
    // A real service would read a file here; `start` waits for it.
    try await sleep(for: .milliseconds(50))
    status.started(DemoConfig(tickInterval: .milliseconds(200), workerCount: 3))
    do {
        // A real service would watch the file for changes here.
        try await sleepForever()
    } catch let cancellation as CancellationError {
        await stopStep("config") {
            try await sleep(for: .milliseconds(20))
            return "settings released"
        }
        throw cancellation
    }
}

/// The `ticker` service: reports its interval, then prints `tick N` every `interval`.
///
/// With `slowShutdown` its cleanup takes 30 s (under a 60 s deadline), longer than the runner's
/// grace period, so tests can exercise the forced exit.
func runTicker(interval: Duration, slowShutdown: Bool, status: consuming TaskStatus<Duration>) async throws {
    status.started(interval)
    var ticks = 0
    do {
        while true {
            try await sleep(for: interval)
            ticks += 1
            say("tick \(ticks)")
        }
    } catch let cancellation as CancellationError {
        await stopStep("ticker", limit: slowShutdown ? .seconds(60) : .milliseconds(500)) {
            if slowShutdown {
                say("ticker: slow shutdown, flushing for 30 s")
                try await sleep(for: .seconds(30))
            } else {
                try await sleep(for: .milliseconds(20))
            }
            return "\(ticks) ticks"
        }
        throw cancellation
    }
}

/// Counts the jobs the workers have finished.
final class JobCounter: Sendable {
    /// Finished jobs; incremented by each worker after each job.
    let finished = Atomic<Int>(0)
}

/// The `workers` service: runs `count` workers in its own, nested nursery and reports `count`
/// once they are all started.
///
/// On shutdown the nested nursery waits for every worker to finish the job it holds, so
/// `workers stopped` comes only after all of them are done.
func runWorkers(count: Int, status: consuming TaskStatus<Int>) async throws {
    let counter = JobCounter()
    // `started` is called inside the nursery body, a closure, which cannot consume a captured
    // non-copyable value: move the status into an Optional; `take()` hands it out at most once.
    var status = Optional(consume status)
    do {
        try await withNursery { workers in
            for id in 1...count {
                workers.startSoon(name: "worker-\(id)") {
                    try await runWorker(counter: counter)
                }
            }
            status.take()?.started(count)
            do {
                try await sleepForever()
            } catch let cancellation as CancellationError {
                say("stopping workers")
                throw cancellation
            }
        }
    } catch let cancellation as CancellationError {
        say("workers stopped (\(counter.finished.load(ordering: .relaxed)) jobs done)")
        throw cancellation
    }
}

/// One worker: waits for a job, then does it. A job once taken is finished even during
/// shutdown: it runs in a shielded scope with its own deadline.
func runWorker(counter: JobCounter) async throws {
    while true {
        try await sleep(for: .milliseconds(150))  // Waiting for the next job.
        try await withCancelScope(deadline: currentTime() + .milliseconds(500), shield: true) { _ in
            try await sleep(for: .milliseconds(60))  // Doing it.
        }
        counter.finished.add(1, ordering: .relaxed)
    }
}
