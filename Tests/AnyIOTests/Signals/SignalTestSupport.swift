//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

/// Raises `signalNumber` in this process and returns once its handler has run (the signal tests
/// and the Runner tests).
///
/// The signal is raised by a new thread that unblocks it first: a signal a thread raises at itself
/// is delivered to that thread before `raise` returns, and the threads of Swift's cooperative pool
/// may block it (on Linux they do: a signal raised there would stay pending).
func deliverSignal(_ signalNumber: Int32) {
    #if canImport(Darwin)
    var thread: pthread_t?
    #else
    var thread = pthread_t()
    #endif
    let result = pthread_create(
        &thread,
        nil,
        { argument in
            let signalNumber = Int32(truncatingIfNeeded: Int(bitPattern: argument))
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            sigaddset(&unblocked, signalNumber)
            pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
            raise(signalNumber)
            return nil
        },
        UnsafeMutableRawPointer(bitPattern: Int(signalNumber))
    )
    precondition(result == 0, "pthread_create failed: \(result)")
    #if canImport(Darwin)
    pthread_join(thread!, nil)
    #else
    pthread_join(thread, nil)
    #endif
}

/// Sets `signalNumber`'s disposition (a handler, `SIG_IGN` or `SIG_DFL`), runs `body`, then
/// restores the one before.
func withDisposition(
    _ disposition: (@convention(c) (Int32) -> Void)?,
    for signalNumber: Int32,
    _ body: () async throws -> Void
) async throws {
    var action = sigaction()
    #if canImport(Darwin)
    action.__sigaction_u.__sa_handler = disposition
    #else
    action.__sigaction_handler.sa_handler = disposition
    #endif
    sigemptyset(&action.sa_mask)
    var original = sigaction()
    try #require(sigaction(signalNumber, &action, &original) == 0)
    defer { _ = sigaction(signalNumber, &original, nil) }
    try await body()
}

/// The address of the handler installed for `signalNumber` now (0 for `SIG_DFL`, 1 for `SIG_IGN`
/// on Linux).
func currentHandlerAddress(for signalNumber: Int32) -> UInt {
    var current = sigaction()
    _ = sigaction(signalNumber, nil, &current)
    #if canImport(Darwin)
    let handler = current.__sigaction_u.__sa_handler
    #else
    let handler = current.__sigaction_handler.sa_handler
    #endif
    return unsafeBitCast(handler, to: UInt.self)
}
