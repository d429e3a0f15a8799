//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Dispatch

/// The queue of the exit-polling timers, used only on kernels without pidfd (before Linux 5.3).
/// Its handlers only reap, update state under a lock and resume continuations after it, so one
/// serial queue keeps up with many processes.
let processEventQueue = DispatchQueue(label: "AnyIOProcess.events")
