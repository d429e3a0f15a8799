//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// The bookkeeping of the ``SignalHub``: which signals it catches, who subscribed to each, the
/// dispositions to restore, the subscribers' deadlines and the threads waiting for a flush.
///
/// No locks, no system calls: the hub calls `sigaction` under its lock right next to the event
/// that needs it (``startCatching(_:previous:)`` after installing, ``unsubscribe(_:)`` returns what
/// to restore), so the dispositions installed always match this state when the lock is free.
///
/// Invariant: `caught[s]` exists exactly when at least one live subscription lists `s`, and then
/// the hub's handler is the disposition of `s` (between critical sections of the hub's lock).
/// Invariant: every subscription in `caught` is in `signalsOf`, under the signals it is listed for,
/// and every key of `deadlines` is a key of `signalsOf`.
/// Invariant: `flushWaiters.count` equals the number of flush markers written to the pipe (or about
/// to be written by a thread that registered) that the watcher has not read yet.
struct SignalHubState {
    /// Names one subscription; unique for the life of the process.
    typealias SubscriptionID = UInt64

    /// One subscriber of one signal.
    struct Subscription {
        /// The subscription this entry belongs to.
        let id: SubscriptionID
        /// Who gets the signal.
        let subscriber: any SignalSubscriber
    }

    /// A signal the hub catches.
    struct CaughtSignal {
        /// Its subscribers, in the order they subscribed. Never empty (the entry goes with the
        /// last one).
        var subscriptions: [Subscription]
        /// The disposition before the hub installed its handler; restored when the last
        /// subscriber leaves. Never changes while the entry exists.
        let previous: sigaction
    }

    /// The signals the hub catches now. An entry is added by ``startCatching(_:previous:)`` (right
    /// after the hub installed its handler) and removed by ``unsubscribe(_:)`` with the last
    /// subscriber (the hub then restores `previous`).
    private(set) var caught: [Int32: CaughtSignal] = [:]

    /// The signals of each live subscription, in the order it listed them. Added by
    /// ``subscribe(_:to:)``, removed by ``unsubscribe(_:)``.
    private var signalsOf: [SubscriptionID: [Int32]] = [:]

    /// When a subscriber asked to be called back (`SignalSubscriber.deadlinePassed()`). Set by
    /// ``setDeadline(_:for:)``, removed when it passes (``takeExpiredDeadlines(now:)``) or with the
    /// subscription.
    private var deadlines: [SubscriptionID: (instant: ContinuousClock.Instant, subscriber: any SignalSubscriber)] = [:]

    /// Threads blocked in `SignalHub.unsubscribe(_:waitingForDeliveries:)` until the watcher has
    /// read their flush marker, first registered first. Appended before the marker is written;
    /// removed (and signalled) by the watcher when it reads a marker.
    private var flushWaiters = RingBuffer<ThreadSemaphore>()

    /// The next subscription's ID. Only grows.
    private var nextID: SubscriptionID = 1

    init() {}

    /// Whether the hub's handler is installed for `signalNumber`.
    func isCaught(_ signalNumber: Int32) -> Bool { caught[signalNumber] != nil }

    /// The signals the hub catches now, for the watcher thread's signal mask.
    var caughtSignals: [Int32] { Array(caught.keys) }

    /// A new subscription ID.
    mutating func makeID() -> SubscriptionID {
        defer { nextID += 1 }
        return nextID
    }

    /// The hub has just installed its handler for `signalNumber`, which had the disposition
    /// `previous`. Traps if it was caught already (the hub installs only for a first subscriber).
    mutating func startCatching(_ signalNumber: Int32, previous: sigaction) {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard caught[signalNumber] == nil else {
            fatalError("AnyIO: internal error: the signal hub installed its handler for \(signalName(signalNumber)) twice")
        }
        caught[signalNumber] = CaughtSignal(subscriptions: [], previous: previous)
    }

    /// Adds `subscription` to the subscribers of `signalNumber`, which must be caught already.
    mutating func subscribe(_ subscription: Subscription, to signalNumber: Int32) {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard caught[signalNumber] != nil else {
            fatalError("AnyIO: internal error: subscribed to \(signalName(signalNumber)) before catching it")
        }
        // A list of signals is deduplicated before it gets here, so each ID appears once per signal.
        caught[signalNumber]!.subscriptions.append(subscription)
        signalsOf[subscription.id, default: []].append(signalNumber)
    }

    /// Removes subscription `id` from every signal it listed and forgets its deadline.
    ///
    /// - Returns: The signals that lost their last subscriber, with the dispositions the hub must
    ///   restore now (their entries are gone already). Empty if `id` is not live.
    mutating func unsubscribe(_ id: SubscriptionID) -> [(signalNumber: Int32, previous: sigaction)] {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        deadlines[id] = nil
        guard let signals = signalsOf.removeValue(forKey: id) else { return [] }
        var toRestore: [(signalNumber: Int32, previous: sigaction)] = []
        for signalNumber in signals {
            guard var entry = caught[signalNumber] else {
                fatalError("AnyIO: internal error: subscription \(id) lists \(signalName(signalNumber)), which is not caught")
            }
            entry.subscriptions.removeAll { $0.id == id }
            if entry.subscriptions.isEmpty {
                // The last subscriber left: stop catching, give back the previous disposition.
                caught[signalNumber] = nil
                toRestore.append((signalNumber, entry.previous))
            } else {
                // Others still listen: keep the handler.
                caught[signalNumber] = entry
            }
        }
        return toRestore
    }

    /// The subscribers of `signalNumber` now, first subscribed first (empty if it is not caught:
    /// a byte written by a handler just before the disposition was restored).
    func subscribers(of signalNumber: Int32) -> [Subscription] {
        caught[signalNumber]?.subscriptions ?? []
    }

    /// Records that subscription `id` wants `deadlinePassed()` at `instant`; ignored if it has
    /// unsubscribed meanwhile (then nobody may call it back any more).
    mutating func setDeadline(_ instant: ContinuousClock.Instant, for id: SubscriptionID, subscriber: any SignalSubscriber) {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard signalsOf[id] != nil else { return }
        deadlines[id] = (instant, subscriber)
    }

    /// Removes and returns the subscribers whose deadline is at or before `now`, and the earliest
    /// deadline still ahead (`nil`: none).
    mutating func takeExpiredDeadlines(now: ContinuousClock.Instant) -> (
        expired: [any SignalSubscriber], next: ContinuousClock.Instant?
    ) {
        var expired: [any SignalSubscriber] = []
        var next: ContinuousClock.Instant?
        for (id, deadline) in deadlines {
            if deadline.instant <= now {
                expired.append(deadline.subscriber)
                deadlines[id] = nil
            } else if next.map({ deadline.instant < $0 }) ?? true {
                next = deadline.instant
            }
        }
        return (expired, next)
    }

    /// A thread is about to write a flush marker and wait on `semaphore` until it is read.
    mutating func addFlushWaiter(_ semaphore: ThreadSemaphore) {
        flushWaiters.append(semaphore)
    }

    /// The watcher read a flush marker: the thread to wake.
    ///
    /// The k-th marker read wakes the k-th registered waiter. That waiter's marker may be a later
    /// one (two threads can write in the other order), but each waiter registered after its
    /// `unsubscribe`, and the k-th marker was written after the k-th registration, so every byte
    /// written before that `unsubscribe` has been read by then: which is all a waiter needs.
    mutating func takeFlushWaiter() -> ThreadSemaphore? {
        flushWaiters.popFirst()
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type that this state can see (the
    /// dispositions themselves are checked by `SignalHub._checkDispositions()`).
    func _checkInvariants() {
        for (signalNumber, entry) in caught {
            for subscription in entry.subscriptions {
                precondition(signalsOf[subscription.id]?.contains(signalNumber) == true)
            }
        }
        for (id, signals) in signalsOf {
            for signalNumber in signals {
                precondition(caught[signalNumber]?.subscriptions.contains { $0.id == id } == true)
            }
        }
        for id in deadlines.keys {
            precondition(signalsOf[id] != nil)
        }
    }
    #endif
}
