//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Dispatch

/// The queue every Dispatch source of this module (child exits, pipe readiness) reports on. Its
/// handlers only reap, update state under a lock and resume continuations after it, so one
/// serial queue keeps up with many processes.
let processEventQueue = DispatchQueue(label: "AnyIOProcess.events")
