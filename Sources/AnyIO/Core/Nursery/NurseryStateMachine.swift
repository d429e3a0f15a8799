//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A child as the nursery's member list sees it: an intrusive doubly linked list, so that a
/// nursery with thousands of sleeping children needs no hash table. The links are guarded by the
/// nursery's lock.
protocol NurseryMember: AnyObject {
    var previousMember: Self? { get set }
    var nextMember: Self? { get set }
    var isMember: Bool { get set }
}

/// The child bookkeeping of a nursery: no locks, no `async`, no side effects. Read with
/// `NurseryStorage` (the storage), `Nursery.start` and `StartHandshake` (how a `start` child
/// goes from pending to member).
///
/// Generic over the child (a `ChildTask` in the library, a small class in the tests), the owner's
/// waiter and the failure record.
///
/// Invariant: `liveCount >= memberCount + pending.count` — every member and every pending
/// `start` child is live; a child leaves both lists when it exits.
/// Invariant: `memberCount` is the length of the list from `firstMember`, and exactly the children
/// in it have `isMember == true`.
/// Invariant: `isClosed` implies `liveCount == 0`: the owner closes the nursery only after waiting
/// for every child.
struct NurseryStateMachine<Child: NurseryMember, Waiter, Failure> {
    /// Set when `withNursery` is about to return; starting a child afterwards is refused.
    private(set) var isClosed = false
    /// Children started and not finished, including `start` children not started yet.
    private(set) var liveCount = 0
    /// The last member to join; the list runs through `nextMember` from the newest to the oldest.
    private var firstMember: Child?
    /// The number of members.
    private(set) var memberCount = 0
    /// Whether the nursery's scope is effectively cancelled: members were cancelled, and every
    /// child that joins later is cancelled at once. Never cleared.
    private(set) var isCancelled = false
    /// Whether the scope's cancellation reached at least one live member. Never cleared.
    private(set) var cancellationReachedChildren = false
    /// Non-cancellation errors of the body and the children, in the order they happened.
    private(set) var failures: [Failure] = []
    /// The owner, waiting for `liveCount` to reach zero.
    private var waiter: Waiter?
    /// `start` children that have not called `started` yet (for introspection; they are not
    /// members, so the nursery's cancellation does not reach them).
    private(set) var pending: [Child] = []

    init() {}

    /// What admitting a child found.
    enum AdmitAction: Equatable {
        /// The nursery is closed: the caller traps.
        case closed
        /// Admitted; the nursery is not cancelled.
        case admitted
        /// Admitted into a cancelled nursery: cancel the child now.
        case admittedCancelled
    }

    /// Whether the owner waits for the children (for introspection).
    var ownerIsWaiting: Bool { waiter != nil }

    /// The members, in the order they joined.
    var members: [Child] {
        var result: [Child] = []
        result.reserveCapacity(memberCount)
        var next = firstMember
        while let child = next {
            result.append(child)
            next = child.nextMember
        }
        return result.reversed()
    }

    /// A `startSoon` child joins as a member.
    mutating func admitMember(_ child: Child) -> AdmitAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard !isClosed else { return .closed }
        liveCount += 1
        link(child)
        return isCancelled ? .admittedCancelled : .admitted
    }

    /// A `start` child is counted but is not a member yet (it runs under its caller's scopes).
    mutating func admitPending(_ child: Child) -> AdmitAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        guard !isClosed else { return .closed }
        liveCount += 1
        pending.append(child)
        return .admitted
    }

    /// A started `start` child becomes a member: `.admittedCancelled` if the nursery is cancelled.
    mutating func adopt(_ child: Child) -> AdmitAction {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        removePending(child)
        link(child)
        return isCancelled ? .admittedCancelled : .admitted
    }

    /// A child's body finished: the owner's waiter to resume (with `true`) if it was the last.
    mutating func childExited(_ child: Child) -> Waiter? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        removePending(child)
        unlink(child)
        liveCount -= 1
        guard liveCount == 0, let waiter else { return nil }
        self.waiter = nil
        return waiter
    }

    /// Records a failure; returns whether it is the first (whose reason cancels the nursery).
    mutating func recordFailure(_ failure: Failure) -> Bool {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        failures.append(failure)
        return failures.count == 1
    }

    /// The scope became effectively cancelled: the members to cancel (later children are
    /// cancelled as they join).
    mutating func cancelChildren() -> [Child] {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        isCancelled = true
        if memberCount > 0 { cancellationReachedChildren = true }
        return members
    }

    /// The owner is about to wait for the children: `false` if there is nothing to wait for.
    func mustWaitForChildren() -> Bool {
        liveCount > 0
    }

    /// The owner parks: returns the waiter to resume at once (with `false`) if the last child
    /// exited meanwhile, or stores it.
    mutating func parkOwner(_ waiter: Waiter) -> Waiter? {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        if liveCount == 0 { return waiter }
        self.waiter = waiter
        return nil
    }

    /// Closes the nursery; returns the failures.
    mutating func close() -> [Failure] {
        #if ANYIO_INTERNAL_CHECKS
        defer { _checkInvariants() }
        #endif
        isClosed = true
        return failures
    }

    // MARK: - The member list

    private mutating func link(_ child: Child) {
        child.isMember = true
        child.nextMember = firstMember
        firstMember?.previousMember = child
        firstMember = child
        memberCount += 1
    }

    private mutating func unlink(_ child: Child) {
        guard child.isMember else { return }
        child.isMember = false
        let previous = child.previousMember, next = child.nextMember
        next?.previousMember = previous
        if let previous { previous.nextMember = next } else { firstMember = next }
        child.previousMember = nil
        child.nextMember = nil
        memberCount -= 1
    }

    private mutating func removePending(_ child: Child) {
        if !pending.isEmpty, let index = pending.firstIndex(where: { $0 === child }) {
            pending.remove(at: index)
        }
    }

    #if ANYIO_INTERNAL_CHECKS
    /// Checks the invariants written at the top of the type.
    func _checkInvariants() {
        precondition(liveCount >= memberCount + pending.count)
        precondition(members.count == memberCount && members.allSatisfy(\.isMember))
        precondition(!isClosed || liveCount == 0)
    }
    #endif
}
