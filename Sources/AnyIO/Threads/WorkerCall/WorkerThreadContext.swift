//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The thread-local link from a worker thread to the `ToThread.runSync` call whose closure it
/// runs: how `FromThread` finds its way back to the caller.
///
/// Set by the worker thread around the closure only, so it is `nil` on every other thread
/// (the cooperative pool included) and on a worker thread between calls.
enum WorkerThreadContext {
    /// The pthread key of the thread-local slot; created once per process and never deleted.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let result = pthread_key_create(&key, nil)
        checkPrecondition(result == 0, "AnyIO: pthread_key_create failed (\(result))")
        return key
    }()

    /// The call whose closure runs on this thread, if any.
    ///
    /// The slot holds an unretained reference: the worker thread keeps the call alive for as long
    /// as the slot is set (see `WorkerCall.run(on:)`).
    static var current: WorkerCall? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<WorkerCall>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Runs `body` with `call` as this thread's current call.
    static func withCurrent<R>(_ call: WorkerCall, _ body: () throws -> R) rethrows -> R {
        pthread_setspecific(key, Unmanaged.passUnretained(call).toOpaque())
        defer { pthread_setspecific(key, nil) }
        return try body()
    }
}
