//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The demo's command-line options.
struct DemoOptions: Sendable, Equatable {
    /// How long to run before shutting down on its own; `nil` runs until Ctrl+C or `SIGTERM`.
    var duration: Duration?

    /// Hidden (for tests): makes the ticker's cleanup take about 30 s, so that a test can send
    /// a second signal while the graceful shutdown is still in progress.
    var slowShutdown = false

    /// Hidden (for tests): the runner's grace period. Default: `Runner.run`'s five seconds.
    var gracePeriod: Duration = .seconds(5)

    /// Whether to print the task tree once the services are ready (`--tree`).
    var printTree = false

    /// The echo service's TCP port on 127.0.0.1 (`--port`); 0 lets the system pick a free one.
    var port = 0

    /// How long an echo connection may stay silent before it is closed (`--idle SECONDS`).
    var idleTimeout: Duration = .seconds(30)

    /// What the command line asks for.
    enum Command: Equatable {
        /// Run the services with these options.
        case run(DemoOptions)
        /// Print the usage message and exit 0.
        case help
        /// The arguments are wrong: print `message` and the usage message to stderr, exit 2.
        case invalid(String)
    }

    /// The usage message, printed by `--help` (stdout) and after a bad argument (stderr).
    static let usage = """
        usage: anyio-demo [--duration SECONDS] [--port PORT] [--idle SECONDS] [--tree] [--help]

        Starts a small tree of services (config, ticker, workers with their own nursery, and a
        line echo server on TCP 127.0.0.1) under AnyIO's Runner, prints what is running, then
        shuts everything down gracefully on Ctrl+C (SIGINT), on SIGTERM, or when --duration has
        elapsed. SIGUSR1 prints the task tree: every task under its nursery, its cancel scopes
        and what it waits on. Talk to the echo server with `nc 127.0.0.1 PORT`.

        options:
          --duration SECONDS  run for SECONDS (a positive number), then shut down;
                              without it, run until Ctrl+C or SIGTERM
          --port PORT         the echo server's port on 127.0.0.1 (default 0: any free port)
          --idle SECONDS      close an echo connection silent for SECONDS (default 30)
          --tree              print the task tree once the services are ready
          --help              print this message and exit

        exit status:
          0        graceful shutdown (after --duration, Ctrl+C or SIGTERM)
          1        a service failed
          2        bad arguments
          130/143  forced exit: a second Ctrl+C/SIGTERM during the shutdown, or a shutdown
                   that did not finish within the 5 s grace period
        """

    /// Parses the arguments (without the program name).
    ///
    /// Accepts `--duration SECONDS` and `--duration=SECONDS`, `--port PORT`, `--idle SECONDS`,
    /// `--tree`, `--help` / `-h`, and the hidden
    /// `--slow-shutdown` and `--grace SECONDS`.
    static func parse(_ arguments: [String]) -> Command {
        var options = DemoOptions()
        var sawDuration = false
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            // The value of an option that takes one: inline, or the next argument.
            func value() -> String? {
                if let inlineValue { return inlineValue }
                guard index < arguments.endIndex else { return nil }
                defer { index += 1 }
                return arguments[index]
            }
            switch name {
            case "--help", "-h":
                return .help
            case "--duration":
                guard !sawDuration else { return .invalid("--duration given more than once") }
                sawDuration = true
                guard let text = value() else { return .invalid("--duration needs a value (SECONDS)") }
                guard let seconds = positiveSeconds(text) else {
                    return .invalid("--duration must be a positive number of seconds, got '\(text)'")
                }
                options.duration = seconds
            case "--grace":
                guard let text = value() else { return .invalid("--grace needs a value (SECONDS)") }
                guard let seconds = positiveSeconds(text) else {
                    return .invalid("--grace must be a positive number of seconds, got '\(text)'")
                }
                options.gracePeriod = seconds
            case "--port":
                guard let text = value() else { return .invalid("--port needs a value (PORT)") }
                guard let port = Int(text), (0...65535).contains(port) else {
                    return .invalid("--port must be a number in 0...65535, got '\(text)'")
                }
                options.port = port
            case "--idle":
                guard let text = value() else { return .invalid("--idle needs a value (SECONDS)") }
                guard let seconds = positiveSeconds(text) else {
                    return .invalid("--idle must be a positive number of seconds, got '\(text)'")
                }
                options.idleTimeout = seconds
            case "--tree":
                guard inlineValue == nil else { return .invalid("--tree takes no value") }
                options.printTree = true
            case "--slow-shutdown":
                guard inlineValue == nil else { return .invalid("--slow-shutdown takes no value") }
                options.slowShutdown = true
            default:
                return .invalid("unknown argument '\(argument)'")
            }
        }
        return .run(options)
    }

    /// `text` as a positive, finite number of seconds below a billion, or `nil`.
    private static func positiveSeconds(_ text: String) -> Duration? {
        guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds < 1_000_000_000 else {
            return nil
        }
        return .seconds(seconds)
    }
}
