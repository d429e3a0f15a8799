//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
