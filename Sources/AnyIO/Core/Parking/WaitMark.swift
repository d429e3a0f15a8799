//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// What a library task waits on while it is parked in a library primitive.
///
/// The task tree shows it, and `waitAllTasksBlocked()` counts a task as blocked exactly while it
/// has one (a `sleep` only until its deadline).
@usableFromInline
package enum WaitKind: UInt8, Sendable {
    case event, lock, semaphore, condition, capacityLimiter, future
    case streamSend, streamReceive
    case thread, portalHost
    case taskValue, nurseryChildren, start
    case sleep, sleepForever
    /// A sleep on a virtual clock: the clock wakes it (ending the mark first), so it has no
    /// real-time deadline after which it would count as running.
    case virtualSleep
    case byteStreamReceive, byteStreamSend
    case signal
    case socketReceive, socketSend, socketAccept, socketConnect
    case processExit, processReceive, processSend
    case descriptorReadable, descriptorWritable

    /// The operation, as the task tree names it.
    var operation: String {
        switch self {
        case .event: return "Event.wait()"
        case .lock: return "Lock.acquire()"
        case .semaphore: return "Semaphore.acquire()"
        case .condition: return "Condition.wait()"
        case .capacityLimiter: return "CapacityLimiter.acquire()"
        case .future: return "Future.value"
        case .streamSend: return "MemoryObjectSendStream.send(_:)"
        case .streamReceive: return "MemoryObjectReceiveStream.receive()"
        case .thread: return "ToThread.runSync (a worker thread runs the closure)"
        case .portalHost: return "BlockingPortal (waiting for calls from other threads)"
        case .taskValue: return "TaskHandle.value"
        case .nurseryChildren: return "withNursery (waiting for its children)"
        case .start: return "Nursery.start (waiting for started())"
        case .sleep: return "sleep(until:)"
        case .sleepForever: return "sleepForever()"
        case .virtualSleep: return "sleep(until:) on a MockClock"
        case .byteStreamReceive: return "ByteReceiveStream.receive(maxBytes:)"
        case .byteStreamSend: return "ByteSendStream.send(_:)"
        case .signal: return "withSignalReceiver (waiting for a signal)"
        case .socketReceive: return "SocketStream.receive(maxBytes:) (waiting for data from the peer)"
        case .socketSend: return "SocketStream.send(_:) (waiting for the socket to become writable)"
        case .socketAccept: return "SocketListener.accept() (waiting for a connection)"
        case .socketConnect: return "connectTCP(host:port:) (waiting for the connection)"
        case .processExit: return "ChildProcess.wait()"
        case .processReceive: return "receive(maxBytes:) (waiting for output of a child process)"
        case .processSend: return "send(_:) (waiting for a child process to read its input)"
        case .descriptorReadable: return "waitReadable(_:) (waiting for the descriptor to become readable)"
        case .descriptorWritable: return "waitWritable(_:) (waiting for the descriptor to become writable)"
        }
    }
}

/// Deadlines of sleeps as 64-bit numbers, for `ChildTask.waitDeadline`.
enum WaitClock {
    /// The instant numbers count from.
    static let origin = ContinuousClock.now

    static func encode(_ instant: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (instant - origin).components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }

    static func decode(_ value: Int64) -> ContinuousClock.Instant {
        origin + .nanoseconds(value)
    }
}

/// The record of one wait of the running library task, to be ended when the task is resumed.
///
/// `begin` is called by the task just before it parks (and only on the path that parks); `end` by
/// whoever resumes it, *before* resuming (`ParkedContinuation` does that), so that a task that
/// was resumed never still looks blocked to `waitAllTasksBlocked()`. The task also ends its own
/// mark once it runs again, for waits that the runtime resumes (`Task.sleep`). Ending twice is
/// harmless, and a late `end` of an earlier wait leaves a later one alone (`sequence`).
///
/// Code that is not in a library task (no cancel boundary, or a boundary of a foreign task) gets
/// `none`, which costs nothing to end.
///
/// Invariant: `child` is alive until `end()` has run. `end()` runs before the waiting task is
/// resumed, or by that task itself, and while the task waits its task-local boundary holds its
/// `ChildTask` strongly (the `ChildTask` itself, or a scope whose logical task it is). So the
/// reference is not retained: copying a waiter through a state machine's queue then costs no
/// reference counting (it showed in the `lock` profile).
@usableFromInline
struct WaitMark: Sendable {
    @usableFromInline unowned(unsafe) let child: ChildTask?
    @usableFromInline let sequence: UInt64

    @usableFromInline static let none = WaitMark(child: nil, sequence: 0)

    init(child: ChildTask?, sequence: UInt64) {
        self.child = child
        self.sequence = sequence
    }

    /// Records that the running task is about to wait on `kind`.
    @usableFromInline
    static func begin(_ kind: WaitKind, until deadline: ContinuousClock.Instant? = nil) -> WaitMark {
        begin(kind, in: currentBoundary()?.logicalTask.child, until: deadline)
    }

    /// `begin(_:until:)` for a caller whose logical task is known already (saves finding the
    /// running task's boundary again).
    static func begin(_ kind: WaitKind, caller: LogicalTask) -> WaitMark {
        begin(kind, in: caller.child, until: nil)
    }

    /// Records the wait on `child` (`nil`: not a library task, nothing to record).
    private static func begin(_ kind: WaitKind, in child: ChildTask?, until deadline: ContinuousClock.Instant?) -> WaitMark {
        CheckpointProbe.countSchedulePoint()
        guard let child else { return .none }
        return WaitMark(child: child, sequence: child.beginWait(kind, until: deadline))
    }

    /// The wait is over.
    @usableFromInline
    func end() {
        if let child { child.endWait(sequence) }
    }
}
