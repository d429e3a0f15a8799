//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//
//
// anyio-demo: a small tree of services under `Runner.run`, with graceful shutdown.
//
//   anyio-demo [--duration SECONDS] [--tree] [--help]
//
// SIGUSR1 prints the task tree (`currentTaskTree()`); `--tree` prints it once when ready.
//
// Exit status (see `DemoOptions.usage`):
// - 0 after a graceful shutdown, whatever triggered it: the end of `--duration`, or a first
//   Ctrl+C / SIGTERM. Stopping on a signal is this program's normal way to end (it is a
//   long-running service), and it finished all its cleanup, so it reports success.
// - 130 / 143 (128 + signo) when the runner forces the exit: a second signal during the
//   shutdown, or a shutdown longer than the grace period.
// - 1 if a service failed, 2 for bad arguments.

import AnyIO

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// Runs the services until the end and shuts them down; returns the exit status.
func runDemo(_ options: DemoOptions) async -> Int32 {
    do {
        let outcome: Void? = try await Runner.run(gracePeriod: options.gracePeriod) { root in
            try await runServices(options: options, root: root)
        }
        if outcome == nil {
            // The root scope caught the cancellation: a signal arrived and every service stopped.
            say("interrupted, all services stopped")
        }
        say("shutdown complete")
        return 0
    } catch {
        complain("anyio-demo: \(error)")
        return 1
    }
}

let options: DemoOptions
switch DemoOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .run(let parsed):
    options = parsed
case .help:
    say(DemoOptions.usage)
    exit(0)
case .invalid(let message):
    complain("anyio-demo: \(message)\n\n\(DemoOptions.usage)")
    exit(2)
}

exit(await runDemo(options))
