//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

// Public import: `StateLock` is `@usableFromInline` so that the memory object stream's hot path
// can be `@inlinable` (specialised for the element type in the client); that needs `Mutex` to be
// usable from inlinable code. Nothing public is declared with it. (The Thread Sanitizer variant
// below does not use `Mutex`.)
#if ANYIO_TSAN
import Synchronization
#else
public import Synchronization
#endif

#if ANYIO_TSAN
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#endif

#if !ANYIO_TSAN

/// The lock that guards every primitive's state: `Synchronization.Mutex`. `package`, so that
/// `AnyIOTesting` uses the same lock (and the same Thread Sanitizer switch).
///
/// Thread Sanitizer does not see the ordering that `Mutex` gives when it is contended (its slow
/// path lives in the uninstrumented `libswiftSynchronization` on Linux), so it reports false
/// races between two critical sections of the same lock. Building with `-DANYIO_TSAN` swaps in a
/// pthread mutex that Thread Sanitizer intercepts; the sanitizer run in `.ci` and the README does
/// that. Both have the same `init` and `withLock`.
@usableFromInline
package typealias StateLock<Value> = Mutex<Value>

#else

/// A pthread-mutex stand-in for `Mutex`, for Thread Sanitizer runs (see the non-TSan declaration).
// @unchecked Sendable: `value` is only touched inside `withLock`, under `mutex`.
// `@usableFromInline` (not inlinable) so that inlinable code compiles under `ANYIO_TSAN` too.
@usableFromInline
package struct StateLock<Value>: ~Copyable, @unchecked Sendable {
    private final class Storage {
        let mutex: UnsafeMutablePointer<pthread_mutex_t>
        var value: Value

        init(_ value: Value) {
            mutex = .allocate(capacity: 1)
            pthread_mutex_init(mutex, nil)
            self.value = value
        }

        deinit {
            pthread_mutex_destroy(mutex)
            mutex.deallocate()
        }
    }

    private let storage: Storage

    @usableFromInline
    package init(_ value: sending Value) {
        storage = Storage(value)
    }

    @usableFromInline
    package borrowing func withLock<Result, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        pthread_mutex_lock(storage.mutex)
        defer { pthread_mutex_unlock(storage.mutex) }
        return try body(&storage.value)
    }
}

#endif
