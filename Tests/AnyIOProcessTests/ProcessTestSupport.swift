//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import AnyIOProcess
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` with its own process and descriptor ledgers, then checks that every child it
/// spawned was reaped (no zombie: `waitid(P_PID, pid, WNOWAIT)` finds no child of that pid, so the
/// check reaps nothing that belongs to another suite) and every descriptor it opened was closed.
/// Closing is asynchronous in places (a Dispatch source's cancel handler closes the pidfd), so
/// the check polls for up to two seconds.
func withChildCheck<T>(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async throws -> T {
    let processes = ProcessLedger()
    let descriptors = FileDescriptorLedger()
    let result = try await ProcessLedger.$current.withValue(processes) {
        try await FileDescriptorLedger.$current.withValue(descriptors) {
            try await body()
        }
    }
    let deadline = ContinuousClock.now + .seconds(2)
    while true {
        let unreaped = processes.spawned.filter { isUnreapedChild($0) }
        let open = descriptors.openPaths
        if unreaped.isEmpty && open.isEmpty { break }
        if ContinuousClock.now > deadline {
            Issue.record("children not reaped: \(unreaped); descriptors still open: \(open)", sourceLocation: sourceLocation)
            break
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    return result
}

/// Whether `pid` is still a child of this process (running, or a zombie not yet reaped).
/// `WNOWAIT`: looks without reaping.
func isUnreapedChild(_ pid: Int32) -> Bool {
    var info = siginfo_t()
    let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
    return result == 0  // -1 with ECHILD: not (or no longer) our child
}

/// Whether the process `pid` is gone or a zombie (a grandchild reparented to an init that does
/// not reap counts as dead).
func isDeadOrZombie(_ pid: Int32) -> Bool {
    if kill(pid, 0) != 0 { return true }
    guard let stat = try? String(contentsOfProcFile: "/proc/\(pid)/stat") else { return true }
    guard let close = stat.lastIndex(of: ")") else { return true }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    return state == "Z" || state == "X"
}

extension String {
    /// Reads a small file with `read(2)` (no Foundation).
    init(contentsOfProcFile path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ProcReadError(path: path) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            bytes += buffer[..<n]
        }
        self = String(decoding: bytes, as: UTF8.self)
    }
}

struct ProcReadError: Error {
    var path: String
}

/// Bytes as text, for comparisons.
func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// Receives from `stream` until end-of-file.
func readAll(_ stream: any ByteReceiveStream) async throws -> [UInt8] {
    var all: [UInt8] = []
    for try await chunk in stream.chunks() { all += chunk }
    return all
}

/// Receives one line (up to and including `\n`) from `stream`, byte by byte.
func readLine(_ stream: any ByteReceiveStream) async throws -> String {
    var line: [UInt8] = []
    while line.last != 0x0a {
        line += try await stream.receive(maxBytes: 1)
    }
    return text(line)
}
