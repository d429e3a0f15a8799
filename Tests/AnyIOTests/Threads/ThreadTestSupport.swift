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
import Synchronization
import Testing

@testable import AnyIO

// Helpers for the worker-thread tests. Like TestSupport.swift they use no library primitive
// (plain pthreads, Mutex, polling), so a library bug cannot hide behind them.

/// A gate that OS threads block on (by polling) until some thread or task opens it.
final class TestThreadGate: Sendable {
    private let isOpenFlag = Atomic<Bool>(false)

    init() {}

    var isOpen: Bool { isOpenFlag.load(ordering: .acquiring) }

    func open() {
        isOpenFlag.store(true, ordering: .releasing)
    }

    /// Blocks the calling OS thread until the gate opens; `false` if `timeout` passed first.
    /// Never call it from a task.
    @discardableResult
    func waitBlocking(timeout: Duration = .seconds(10)) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while !isOpen {
            if clock.now >= deadline { return false }
            usleep(200)
        }
        return true
    }
}

/// Sleeps the calling OS thread (never call it from a task).
func testSleepThread(_ microseconds: UInt32) {
    usleep(microseconds)
}

/// The calling OS thread, as a number.
func testThreadID() -> UInt {
    #if canImport(Darwin)
    return UInt(bitPattern: pthread_self())
    #else
    return UInt(pthread_self())
    #endif
}

/// Whether the calling code runs in a Swift task.
func testIsInTask() -> Bool {
    withUnsafeCurrentTask { $0 != nil }
}

/// The calling OS thread's name ("" if unknown).
func testThreadName() -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    #if canImport(Darwin)
    pthread_getname_np(pthread_self(), &buffer, buffer.count)
    #else
    typealias GetName = @convention(c) (pthread_t, UnsafeMutablePointer<CChar>, Int) -> Int32
    guard let symbol = dlsym(nil, "pthread_getname_np") else { return "" }
    let getName = unsafeBitCast(symbol, to: GetName.self)
    _ = getName(pthread_self(), &buffer, buffer.count)
    #endif
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

/// The closure a `testOnForeignThread` thread runs.
// @unchecked Sendable: handed to exactly one new thread, which alone calls `run`.
private final class TestThreadContext: @unchecked Sendable {
    let run: () -> Void
    init(run: @escaping () -> Void) { self.run = run }
}

/// Starts a new OS thread that the library did not start, running `body`; does not wait for it.
func testStartForeignThread(_ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(TestThreadContext(run: body)).toOpaque()
    #if canImport(Darwin)
    var handle: pthread_t?
    #else
    var handle = pthread_t()
    #endif
    let result = pthread_create(&handle, nil, { raw in
        #if canImport(Darwin)
        Unmanaged<TestThreadContext>.fromOpaque(raw).takeRetainedValue().run()
        #else
        Unmanaged<TestThreadContext>.fromOpaque(raw!).takeRetainedValue().run()
        #endif
        return nil
    }, context)
    precondition(result == 0, "pthread_create failed")
    #if canImport(Darwin)
    pthread_detach(handle!)
    #else
    pthread_detach(handle)
    #endif
}

/// Runs `body` on a new OS thread that the library did not start, and returns its result.
func testOnForeignThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        testStartForeignThread { continuation.resume(returning: body()) }
    }
}
