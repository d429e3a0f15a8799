//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Why the caller of `ToThread.runSync` woke up.
enum WorkerCallWake<Request, Outcome> {
    /// The closure ended (or was skipped). `cancelledFirst` says whether the caller's cancellation
    /// arrived before that: then the caller throws instead of returning the value.
    case finished(Outcome, cancelledFirst: Bool)
    /// The worker thread asks the caller to run `FromThread.run` code; the caller waits again
    /// afterwards.
    case request(Request)
    /// The caller was cancelled with `abandonOnCancel`: it leaves now; the thread runs on alone.
    case abandoned
}

/// The state of one `ToThread.runSync` call, shared by the caller task and the worker thread: no
/// locks, no `async`, no side effects. Each event returns what must be done once the lock is
/// released.
///
/// The caller suspends in a loop (`callerSuspending`): each wake-up is the closure's outcome, a
/// `FromThread.run` request to serve, or its own abandonment. The worker reports the start of the
/// closure, its requests, and its end. The caller's cancellation may arrive at any point.
///
/// Generic over the continuation, the request and the outcome so the tests can use plain values.
///
/// Invariant: `waiter != nil` only while the phase is `queued` or `running` and the call is not
/// abandoned (every event that ends those conditions hands the waiter out).
/// Invariant: `request != nil` only while the phase is `running` (the worker thread blocks until
/// its request is answered, so it cannot finish meanwhile) and the call is not abandoned.
/// Invariant: `waiter` and `request` are never both set: a request finding a waiter is handed
/// over at once.
struct WorkerCallStateMachine<Waiter, Request, Outcome> {
    typealias Wake = WorkerCallWake<Request, Outcome>

    private enum Phase {
        /// Submitted to a worker thread; the closure has not started.
        case queued
        /// The closure runs on the worker thread.
        case running
        /// The closure ended (or was skipped) while the caller was not suspended; the outcome
        /// waits for it. `cancelledFirst`: the caller's cancellation arrived before the end.
        case finished(Outcome, cancelledFirst: Bool)
        /// Terminal: the caller took the outcome, or the worker finished after the caller left.
        case done
    }

    private var phase = Phase.queued
    /// Whether the caller leaves at once when cancelled (`abandonOnCancel`). Fixed.
    let abandonOnCancel: Bool
    /// The suspended caller. Set by `callerSuspending`, taken by the event that wakes it.
    private var waiter: Waiter?
    /// A `FromThread.run` request posted while the caller was not suspended. Taken by the caller's
    /// next `callerSuspending`, or rejected if the caller is abandoned first.
    private var request: Request?
    /// Set once the caller's task is cancelled; never cleared. `FromThread.checkCancelled()`
    /// reads it.
    private(set) var isCancelled = false
    /// Set when the caller, cancelled with `abandonOnCancel` before the closure ended, leaves
    /// without the outcome; never cleared. From then on requests are rejected and the outcome is
    /// dropped.
    private(set) var isAbandoned = false

    init(abandonOnCancel: Bool) {
        self.abandonOnCancel = abandonOnCancel
    }

    /// Whether the caller is suspended (for tests and statistics).
    var isCallerSuspended: Bool { waiter != nil }

    /// What the worker thread must do when it picks the call up.
    enum StartAction: Equatable {
        /// Run the closure.
        case run
        /// Skip it: the caller was cancelled before any thread started it, so not running it
        /// leaves no trace. Then report `workerFinished` with a cancellation.
        case skip
    }

    /// What the worker must do after its closure ended.
    enum FinishAction {
        /// Nothing: the outcome was kept for the caller, or dropped because the caller left.
        case none
        /// Resume the suspended caller with this wake-up.
        case resume(Waiter, Wake)
    }

    /// What a caller about to suspend must do with its continuation.
    enum SuspendAction {
        /// Keep it suspended: it was stored.
        case suspend
        /// Resume it at once with this wake-up.
        case resume(Waiter, Wake)
    }

    /// What the caller's cancellation handler must do.
    enum CancelAction {
        /// Nothing more: the flag for `checkCancelled` is set; without `abandonOnCancel` the caller
        /// keeps waiting for the closure.
        case none
        /// The caller is abandoned: resume it with `.abandoned` if it is suspended, and reject the
        /// request it had not picked up yet, if any.
        case abandon(Waiter?, rejected: Request?)
    }

    /// What a worker posting a `FromThread.run` request must do.
    enum PostAction {
        /// The caller left (abandoned): the request is refused; throw `CancellationError`.
        case rejected
        /// Stored for the caller, which picks it up when it next suspends; block for the reply.
        case posted
        /// Resume the suspended caller with the request; then block for the reply.
        case resume(Waiter, Wake)
    }

    /// The worker thread picks the call up.
    mutating func workerStarting() -> StartAction {
        switch phase {
        case .queued:
            // The closure starts now, unless a cancellation already made the call pointless.
            phase = .running
            return isCancelled ? .skip : .run
        case .running, .finished, .done:
            fatalError("AnyIO: internal error: a ToThread call was started twice (\(phase))")
        }
    }

    /// The closure ended with `outcome` (or was skipped).
    mutating func workerFinished(_ outcome: Outcome) -> FinishAction {
        guard case .running = phase, request == nil else {
            fatalError("AnyIO: internal error: a ToThread call finished while \(phase)")
        }
        if isAbandoned {
            // The caller left already: nobody wants the outcome.
            phase = .done
            return .none
        }
        if let waiter {
            // The caller waits: hand it the outcome now.
            self.waiter = nil
            phase = .done
            return .resume(waiter, .finished(outcome, cancelledFirst: isCancelled))
        }
        // The caller is busy (serving a request, or not suspended yet): keep it.
        phase = .finished(outcome, cancelledFirst: isCancelled)
        return .none
    }

    /// The caller is about to suspend on `waiter`.
    mutating func callerSuspending(_ waiter: Waiter) -> SuspendAction {
        checkPrecondition(self.waiter == nil, "AnyIO: internal error: a ToThread caller suspended twice")
        if isAbandoned {
            // Cancelled (with abandonOnCancel) before it could suspend: it leaves now, also if the
            // worker has finished meanwhile (its outcome was dropped: the cancellation came first).
            return .resume(waiter, .abandoned)
        }
        switch phase {
        case .finished(let outcome, let cancelledFirst):
            // The closure ended while the caller was busy: it takes the outcome now.
            phase = .done
            return .resume(waiter, .finished(outcome, cancelledFirst: cancelledFirst))
        case .queued, .running:
            if let request {
                // A request waits for it: serve it first.
                self.request = nil
                return .resume(waiter, .request(request))
            }
            // Nothing to do yet: wait for the worker or the cancellation.
            self.waiter = waiter
            return .suspend
        case .done:
            fatalError("AnyIO: internal error: a ToThread caller suspended after it had its outcome")
        }
    }

    /// The caller's task was cancelled (its cancellation handler runs this).
    mutating func callerCancelled() -> CancelAction {
        isCancelled = true
        guard abandonOnCancel, !isAbandoned else {
            // Without abandonOnCancel the caller waits for the closure; a repeated cancellation
            // changes nothing.
            return .none
        }
        switch phase {
        case .queued, .running:
            // Leave the thread to finish alone; wake the caller if it waits, and refuse the
            // request it did not pick up.
            isAbandoned = true
            let waiter = self.waiter, request = self.request
            self.waiter = nil
            self.request = nil
            return .abandon(waiter, rejected: request)
        case .finished, .done:
            // The closure ended first: its outcome wins.
            return .none
        }
    }

    /// The closure, on the worker thread, calls `FromThread.run`.
    mutating func workerPosting(_ request: Request) -> PostAction {
        guard case .running = phase, self.request == nil else {
            fatalError("AnyIO: internal error: a FromThread request was posted while \(phase)")
        }
        if isAbandoned {
            // The caller left: there is no task to run the request in.
            return .rejected
        }
        if let waiter {
            // The caller waits: hand the request over now.
            self.waiter = nil
            return .resume(waiter, .request(request))
        }
        // The caller is busy: it picks the request up when it next suspends.
        self.request = request
        return .posted
    }
}
