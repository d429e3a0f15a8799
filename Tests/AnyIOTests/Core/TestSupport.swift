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

// Helpers shared by the core behaviour tests. They deliberately use no library
// primitive, so that a bug in the library cannot hide behind the test scaffolding.
// Every name carries a `Test` prefix to stay clear of the library's names.

/// An error a test throws on purpose; compared by message.
struct TestError: Error, Equatable, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}

/// A `Sendable` mutable cell for state shared between a test and the tasks it starts.
final class TestBox<Value: Sendable>: Sendable {
    private let storage: StateLock<Value>

    init(_ value: Value) {
        storage = StateLock(value)
    }

    /// The current value. Reading and writing are each atomic; use `update` for
    /// read-modify-write.
    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }

    /// Runs `body` with exclusive access to the value.
    @discardableResult
    func update<R: Sendable>(_ body: (inout Value) -> R) -> R {
        storage.withLock { value in body(&value) }
    }

    /// Appends to an array-valued box.
    func append<Element>(_ element: Element) where Value == [Element] {
        storage.withLock { $0.append(element) }
    }
}

/// A one-shot gate: tasks `wait()` until someone calls `open()`.
///
/// Built from `CheckedContinuation` and `Mutex` only. `wait()` honours Swift task
/// cancellation (it throws `CancellationError`), so it is interrupted by a cancelled
/// library scope exactly like any other cancellation-aware native API.
final class TestGate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        /// Waiter IDs whose cancellation arrived before their continuation was stored.
        var cancelledEarly: Set<Int> = []
        var nextID = 0
    }

    private enum SuspendAction {
        case resume
        case cancel
        case suspend
    }

    private let state = StateLock(State())

    init() {}

    var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Number of tasks currently suspended in `wait()`.
    var waiterCount: Int { state.withLock { $0.waiters.count } }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.isOpen = true
            let waiters = Array(state.waiters.values)
            state.waiters = [:]
            return waiters
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    func wait() async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let action = state.withLock { state -> SuspendAction in
                    if state.isOpen { return .resume }
                    if state.cancelledEarly.remove(id) != nil { return .cancel }
                    state.waiters[id] = continuation
                    return .suspend
                }
                switch action {
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                case .suspend: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                if !state.isOpen { state.cancelledEarly.insert(id) }
                return nil
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

/// Polls `condition` with `Task.yield()` until it holds; records an issue and throws
/// after `timeout` (a safety bound, never an ordering device).
func testWaitUntil(
    _ description: String,
    timeout: Duration = .seconds(10),
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while !condition() {
        if clock.now >= deadline {
            Issue.record("timed out waiting until \(description)", sourceLocation: sourceLocation)
            throw TestError("timed out waiting until \(description)")
        }
        await Task.yield()
    }
}

/// Runs `body` and reports its outcome and how long it took.
func testTimed<R>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws -> R
) async -> (result: Result<R, any Error>, elapsed: Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let result: Result<R, any Error>
    do {
        result = .success(try await body())
    } catch {
        result = .failure(error)
    }
    return (result, start.duration(to: clock.now))
}

/// State confined to the main actor, for tests about isolation and ordering.
@MainActor
final class TestMainActorState {
    var log: [String] = []
    var counter = 0

    init() {}

    /// Logs "started", runs `body`, then logs "finished" — all on the main actor, so a
    /// task running this cannot make progress while the main actor is busy.
    func logAround(_ body: @Sendable () async throws -> Void) async throws {
        log.append("started")
        try await body()
        log.append("finished")
    }
}

/// Whether `result` is a success holding `nil` (a scope that caught its cancellation).
func testIsNilValue<T>(_ result: Result<T?, any Error>) -> Bool {
    if case .success(.none) = result { return true }
    return false
}
