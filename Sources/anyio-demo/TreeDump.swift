//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

// The `tree-dump` service: prints the task tree (`currentTaskTree()`) whenever the process gets
// SIGUSR1 (`kill -USR1 <pid>`), the usual "what is my program doing" trigger.
//
// A signal handler may only do async-signal-safe things, so it writes one byte to a pipe; a
// worker thread (`ToThread.runSync`) blocks reading the pipe and the service prints the tree
// for each byte.

/// The write end of the pipe, for the signal handler. Set once before the handler is installed.
// nonisolated(unsafe): written once before `sigaction` installs the handler that reads it, and
// never again; the handler only passes it to `write`, which is async-signal-safe.
nonisolated(unsafe) private var treeDumpPipeWrite: Int32 = -1

/// The SIGUSR1 handler: wakes the service.
private func treeDumpSignalHandler(_: Int32) {
    var byte: UInt8 = 1
    _ = write(treeDumpPipeWrite, &byte, 1)
}

/// Installs the SIGUSR1 handler, reports readiness, then prints the task tree for each SIGUSR1
/// until cancelled.
func runTreeDumper(status: consuming TaskStatus<Void>) async throws {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else {
        throw DemoError("tree-dump: pipe() failed with errno \(errno)")
    }
    let readEnd = fds[0]
    treeDumpPipeWrite = fds[1]
    var action = sigaction()
    #if canImport(Darwin)
    action.__sigaction_u.__sa_handler = treeDumpSignalHandler
    #else
    action.__sigaction_handler.sa_handler = treeDumpSignalHandler
    #endif
    action.sa_flags = SA_RESTART
    sigemptyset(&action.sa_mask)
    guard sigaction(SIGUSR1, &action, nil) == 0 else {
        throw DemoError("tree-dump: sigaction(SIGUSR1) failed with errno \(errno)")
    }
    status.started()
    do {
        while true {
            // Blocking read on a worker thread; abandoned (and then woken below) on shutdown.
            let got = try await ToThread.runSync(abandonOnCancel: true) { () -> Int in
                var byte: UInt8 = 0
                return read(readEnd, &byte, 1)
            }
            guard got == 1 else { continue }
            say("task tree (SIGUSR1):\n\(currentTaskTree())")
        }
    } catch let cancellation as CancellationError {
        // Wake the abandoned reader so its thread finishes.
        var byte: UInt8 = 0
        _ = write(treeDumpPipeWrite, &byte, 1)
        throw cancellation
    }
}

/// An error of the demo itself, with its message.
struct DemoError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
