//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One armed deadline of a cancel scope.
// @unchecked Sendable: `deadline` and `scope` are immutable; `heapIndex` is read and written
// only while holding `DeadlineTimer.shared`'s mutex, or, for an entry armed on a `VirtualClock`
// (never in the timer's heap), that clock's lock, where it holds the entry's id there.
final class TimerEntry: @unchecked Sendable {
    /// When the entry fires.
    let deadline: ContinuousClock.Instant
    /// The scope to cancel. Strong: the scope disarms the entry when it exits, which drops it.
    let scope: CancelScope
    /// Position in the timer's heap, or -1 when not in the heap. Guarded by the timer's mutex.
    /// On a virtual clock: the entry's id there (above 0) once armed.
    var heapIndex: Int = -1

    init(deadline: ContinuousClock.Instant, scope: CancelScope) {
        self.deadline = deadline
        self.scope = scope
    }
}

/// The one timer that fires every cancel-scope deadline of the process.
///
/// Arming and disarming are O(log n) heap operations under a mutex; most deadlines never fire,
/// so no thread is woken for them. A single background thread sleeps until the earliest
/// deadline it knows of (`plannedWake`) and is signalled only when an earlier one is armed.
/// Fired entries are acted on after the mutex is released.
///
/// Lock order: a scope may arm or disarm while holding its own lock (the timer's mutex is a
/// leaf); the timer never calls into a scope while holding its mutex.
// @unchecked Sendable: all mutable state is guarded by `mutex`.
final class DeadlineTimer: @unchecked Sendable {
    static let shared = DeadlineTimer()

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Min-heap on `deadline`. Guarded by `mutex`.
    private var heap: [TimerEntry] = []
    /// The instant the timer thread will wake at on its own, or nil when it waits without limit.
    /// Guarded by `mutex`. Invariant: if the heap is not empty, the thread is awake or
    /// `plannedWake` is not later than the earliest deadline.
    private var plannedWake: ContinuousClock.Instant?
    /// Whether the thread runs. Guarded by `mutex`.
    private var threadStarted = false

    private init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        #if os(Linux)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attr)
        pthread_condattr_destroy(&attr)
        #else
        pthread_cond_init(condition, nil)
        #endif
    }

    /// Adds `entry`; it fires once `ContinuousClock.now >= entry.deadline`.
    func arm(_ entry: TimerEntry) {
        pthread_mutex_lock(mutex)
        if !threadStarted {
            threadStarted = true
            startThread()
        }
        push(entry)
        if entry.heapIndex == 0, plannedWake.map({ entry.deadline < $0 }) ?? true {
            pthread_cond_signal(condition)
        }
        pthread_mutex_unlock(mutex)
    }

    /// Removes `entry` if it has not fired yet. Returns whether it was still armed.
    @discardableResult
    func disarm(_ entry: TimerEntry) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard entry.heapIndex >= 0 else { return false }
        remove(at: entry.heapIndex)
        return true
    }

    // MARK: - The timer thread

    private func startThread() {
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { _ in
            DeadlineTimer.shared.run()
            return nil
        }, nil)
        checkPrecondition(result == 0, "AnyIO: cannot start the deadline timer thread (pthread_create: \(result))")
        pthread_detach(thread)
    }

    private func run() {
        var due: [TimerEntry] = []
        pthread_mutex_lock(mutex)
        while true {
            let now = ContinuousClock.now
            while let first = heap.first, first.deadline <= now {
                remove(at: 0)
                due.append(first)
            }
            if !due.isEmpty {
                // Fire outside the mutex: a scope's cancellation runs task cancellation handlers.
                pthread_mutex_unlock(mutex)
                for entry in due { entry.scope.deadlineReached(entry) }
                due.removeAll(keepingCapacity: true)
                pthread_mutex_lock(mutex)
                continue
            }
            if let first = heap.first {
                plannedWake = first.deadline
                wait(for: first.deadline - now)
            } else {
                plannedWake = nil
                pthread_cond_wait(condition, mutex)
            }
        }
    }

    /// Waits on the condition for at most `duration` (mutex held).
    private func wait(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanos = Int(attoseconds / 1_000_000_000) + 1
        #if os(Linux)
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        var total = Int(now.tv_nsec) + nanos
        var secs = Int(now.tv_sec) + Int(min(seconds, Int64(Int32.max)))
        secs += total / 1_000_000_000
        total %= 1_000_000_000
        var deadline = timespec(tv_sec: secs, tv_nsec: total)
        _ = pthread_cond_timedwait(condition, mutex, &deadline)
        #else
        var relative = timespec(tv_sec: Int(min(seconds, Int64(Int32.max))), tv_nsec: nanos % 1_000_000_000)
        _ = pthread_cond_timedwait_relative_np(condition, mutex, &relative)
        #endif
    }

    // MARK: - Indexed binary heap (mutex held)

    private func push(_ entry: TimerEntry) {
        entry.heapIndex = heap.count
        heap.append(entry)
        siftUp(heap.count - 1)
    }

    private func remove(at index: Int) {
        let last = heap.count - 1
        heap[index].heapIndex = -1
        if index != last {
            heap[index] = heap[last]
            heap[index].heapIndex = index
            heap.removeLast()
            siftDown(index)
            siftUp(index)
        } else {
            heap.removeLast()
        }
    }

    private func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            let right = left + 1
            if right < heap.count, heap[right].deadline < heap[left].deadline { smallest = right }
            guard heap[smallest].deadline < heap[parent].deadline else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    private func swapAt(_ i: Int, _ j: Int) {
        heap.swapAt(i, j)
        heap[i].heapIndex = i
        heap[j].heapIndex = j
    }
}
