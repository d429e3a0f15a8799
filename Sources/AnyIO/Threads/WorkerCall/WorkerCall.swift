//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// One `ToThread.runSync` call: the closure, the limiter token it holds, and the state shared by
/// the caller task and the worker thread.
///
/// Read with `WorkerCallStateMachine.swift`: each lock section below runs exactly one of its
/// events, and every continuation is resumed after the lock is released.
///
/// Life of a call: the caller has borrowed a token for `borrower`, submits the call to the pool
/// and waits in `submitAndWait(to:)`. The worker runs the closure (`run(on:)`), returns itself to
/// the pool, gives the token back, and only then records the outcome and wakes the caller, so a
/// caller that goes again at once finds both a token and an idle thread. With `abandonOnCancel`
/// the caller may leave first; the token is still given back by the worker, when the closure has
/// ended.
///
/// Type-erased (the outcome travels as `any Sendable`; `runSync<T>` casts it back), so no generic
/// metadata is looked up per call.
final class WorkerCall: WorkerJob {
    typealias Outcome = Result<any Sendable, any Error>
    typealias Wake = WorkerCallWake<FromThreadRequest, Outcome>
    typealias Waiter = ParkedContinuation<Wake, Never>

    /// The closure to run on the worker thread.
    private let body: @Sendable () throws -> any Sendable
    /// The limiter whose token this call holds from submission until the closure ended.
    private let limiter: CapacityLimiter
    /// Who holds the token: this call, not the caller's task (the caller may leave first).
    let borrower: CapacityLimiter.Borrower
    /// Shared by the caller and the worker; every access is one state-machine event.
    let state: StateLock<WorkerCallStateMachine<Waiter, FromThreadRequest, Outcome>>
    /// Every resumption of the caller goes through it (it matters only to Thread Sanitizer).
    private let handoff = ResumeHandoff()
    /// The caller's virtual clock, if any: the call holds it (no autojump) from before it took its
    /// token (`ToThread.runSync` began the hold) until the closure has ended and the caller was
    /// woken, except while the closure waits for the caller's task (`post`). Invariant:
    /// `threadCallBegan` and `threadCallEnded` alternate, and `run(on:)` ends the hold once.
    private let clock: VirtualClock?

    /// Creates the call; the caller already holds a token of `limiter` for `borrower` (taken
    /// from `WorkerCallBorrowers`, and given back there by the worker with the token).
    init(
        limiter: CapacityLimiter,
        borrower: CapacityLimiter.Borrower,
        abandonOnCancel: Bool,
        clock: VirtualClock? = nil,
        body: @escaping @Sendable () throws -> any Sendable
    ) {
        self.body = body
        self.clock = clock
        self.limiter = limiter
        self.borrower = borrower
        state = StateLock(WorkerCallStateMachine(abandonOnCancel: abandonOnCancel))
    }

    // MARK: - Caller side

    /// Submits the call to `pool` and waits for its outcome, serving `FromThread.run` requests
    /// meanwhile. The caller holds a token for `borrower`.
    nonisolated(nonsending) func submitAndWait(to pool: WorkerThreadPool) async throws -> any Sendable {
        try await withTaskCancellationHandler {
            // The clock is held until `run(on:)` has woken the caller (see `clock`).
            pool.submit(self)
            while true {
                let mark = WaitMark.begin(.thread)
                let wake = await withUnsafeContinuation { (continuation: UnsafeContinuation<Wake, Never>) in
                    let waiter = Waiter(continuation, mark)
                    // Single resumption: the state machine hands each continuation out exactly
                    // once: to the worker's finish or post, to the cancellation handler, or back
                    // here.
                    if case .resume(let waiter, let wake) = state.withLock({ $0.callerSuspending(waiter) }) {
                        handoff.resume(waiter, returning: wake)
                    }
                }
                handoff.resumed()
                switch wake {
                case .finished(let outcome, let cancelledFirst):
                    if cancelledFirst {
                        // Cancelled while the closure ran: its value is dropped; an error it threw
                        // is still reported.
                        if case .failure(let error) = outcome, !(error is CancellationError) { throw error }
                        throw CancellationError()
                    }
                    return try outcome.get()
                case .request(let request):
                    // Runs in this task: the caller's cancel scopes and task-locals apply.
                    await request.run()
                case .abandoned:
                    throw CancellationError()
                }
            }
        } onCancel: {
            if case .abandon(let waiter, let rejected) = state.withLock({ $0.callerCancelled() }) {
                rejected?.reject()
                if let waiter { handoff.resume(waiter, returning: .abandoned) }
            }
        }
    }

    // MARK: - Worker side

    func run(on worker: WorkerThread) {
        let outcome: Outcome
        switch state.withLock({ $0.workerStarting() }) {
        case .skip:
            outcome = .failure(CancellationError())
        case .run:
            // `self` stays alive until this method returns, so the unretained thread-local is safe.
            outcome = WorkerThreadContext.withCurrent(self) {
                do {
                    return .success(try body())
                } catch {
                    return .failure(error)
                }
            }
        }
        // Order matters (see the type's comment): thread, then token, and only then the outcome,
        // which the caller may see as soon as it is recorded (even before it is resumed).
        worker.returnToPool()
        ResumeHandoff.limiterRelease.around {
            // It may resume a caller waiting for a token (see `ToThread.runSync`).
            limiter.release(onBehalfOf: borrower)
        }
        WorkerCallBorrowers.giveBack(borrower)
        let action = state.withLock { $0.workerFinished(outcome) }
        if case .resume(let waiter, let wake) = action {
            handoff.resume(waiter, returning: wake)
        }
        // After the wake-up, which ended the caller's wait mark: the caller now counts as
        // running, so an autojump cannot slip in between the closure's end and its return.
        clock?.threadCallEnded()
    }

    /// Whether the caller's task was cancelled (for `FromThread.checkCancelled()`).
    var isCancelled: Bool { state.withLock { $0.isCancelled } }

    /// Runs `request` in the caller's task and blocks the worker thread until it replied.
    func post(_ request: FromThreadRequest) -> FromThreadRequest.Reply {
        switch state.withLock({ $0.workerPosting(request) }) {
        case .rejected:
            return .failure(CancellationError())
        case .posted:
            break
        case .resume(let waiter, let wake):
            handoff.resume(waiter, returning: wake)
        }
        // The thread does no work while the caller's task runs the request: the task tree sees
        // that task, so the call stops holding the virtual clock meanwhile.
        clock?.threadCallEnded()
        defer { clock?.threadCallBegan() }
        return request.waitForReply()
    }
}
