//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Work handed to a thread of a `WorkerThreadPool`.
protocol WorkerJob: AnyObject, Sendable {
    /// Runs the job on `worker`, the thread calling it.
    ///
    /// The job must call `worker.returnToPool()` exactly once, once it no longer needs the thread
    /// but before it wakes whoever waits for it, so that a caller that submits again at once finds
    /// this thread idle instead of starting a new one.
    func run(on worker: WorkerThread)
}
