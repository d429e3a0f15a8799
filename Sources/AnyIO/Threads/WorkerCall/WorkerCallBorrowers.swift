//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// The limiter borrowers of `ToThread.runSync` calls, reused from call to call.
///
/// Each call borrows its token on behalf of a borrower of its own (not its task, which may leave
/// first with `abandonOnCancel`). Making a `CapacityLimiter.Borrower` boxes a value and builds its
/// description, which showed in the `to_thread` benchmark; reusing them pays that once per
/// concurrently running call instead of once per call.
///
/// Invariant: a borrower in `free` holds no token of any limiter and waits for none: it goes back
/// only after its call gave its token back (or never got one), so two live calls never share one.
enum WorkerCallBorrowers {
    /// Borrowers not in use, the most recently returned last.
    private static let free = StateLock<[CapacityLimiter.Borrower]>([])
    /// Numbers the borrowers made so far, for their descriptions.
    private static let made = Atomic<Int>(0)

    /// A borrower no live call uses.
    static func take() -> CapacityLimiter.Borrower {
        if let borrower = free.withLock({ $0.popLast() }) { return borrower }
        let number = made.wrappingAdd(1, ordering: .relaxed).newValue
        return CapacityLimiter.Borrower(WorkerCallBorrower(number: number))
    }

    /// Returns `borrower`, which holds no token any more.
    static func giveBack(_ borrower: CapacityLimiter.Borrower) {
        free.withLock { $0.append(borrower) }
    }
}

/// What a `ToThread.runSync` call borrows a limiter token for; shows in
/// `CapacityLimiterStatistics.borrowers` as "borrower ToThread.runSync call slot N".
struct WorkerCallBorrower: Hashable, Sendable, CustomDebugStringConvertible {
    /// Unique among the borrowers made (see `WorkerCallBorrowers`).
    let number: Int

    var debugDescription: String { "ToThread.runSync call slot \(number)" }
}
