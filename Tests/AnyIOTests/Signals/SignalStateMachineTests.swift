//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//
//
// Synchronous tests of the signal bookkeeping: the receiver's state machine and the hub's state.
// No signal is sent and no disposition is touched, so this suite runs in parallel with the others.

import Testing

@testable import AnyIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Signal state machines", .timeLimit(.minutes(1)))
struct SignalStateMachineTests {
    typealias Machine = SignalReceiverStateMachine<Int>

    // MARK: - SignalReceiverStateMachine

    @Test func receive_whenSignalsPending_returnsThemInOrder() {
        var machine = Machine()
        #expect(machine.deliver(.user1) == nil)
        #expect(machine.deliver(.hangup) == nil)
        guard case .signal(.user1) = machine.receive() else { Issue.record("expected SIGUSR1"); return }
        guard case .signal(.hangup) = machine.receive() else { Issue.record("expected SIGHUP"); return }
        guard case .park = machine.receive() else { Issue.record("expected to park"); return }
    }

    @Test func deliver_whenParked_wakesTheFirstWaiterOnly() {
        var machine = Machine()
        guard case .park(let first) = machine.receive() else { Issue.record("expected to park"); return }
        guard case .park(let second) = machine.receive() else { Issue.record("expected to park"); return }
        guard case .parked = machine.park(first, 1) else { Issue.record("expected parked"); return }
        guard case .parked = machine.park(second, 2) else { Issue.record("expected parked"); return }
        #expect(machine.deliver(.user2) == 1)
        #expect(machine.pendingCount == 1)
        #expect(machine.waitingCount == 1)
        // The woken waiter takes the signal.
        guard case .signal(.user2) = machine.receive() else { Issue.record("expected SIGUSR2"); return }
    }

    @Test func deliver_beforeTheWaiterParked_makesParkResumeAtOnce() {
        var machine = Machine()
        guard case .park(let ticket) = machine.receive() else { Issue.record("expected to park"); return }
        #expect(machine.deliver(.user1) == nil)
        guard case .resume(7) = machine.park(ticket, 7) else { Issue.record("expected resume"); return }
        guard case .signal(.user1) = machine.receive() else { Issue.record("expected SIGUSR1"); return }
    }

    @Test func cancel_whenParked_returnsTheWaiterAndKeepsLaterSignals() {
        var machine = Machine()
        guard case .park(let ticket) = machine.receive() else { Issue.record("expected to park"); return }
        guard case .parked = machine.park(ticket, 3) else { Issue.record("expected parked"); return }
        #expect(machine.cancel(ticket) == 3)
        #expect(machine.deliver(.hangup) == nil)
        #expect(machine.pendingCount == 1)
        guard case .signal(.hangup) = machine.receive() else { Issue.record("expected SIGHUP"); return }
    }

    @Test func cancel_beforeTheWaiterParked_failsItsPark() {
        var machine = Machine()
        guard case .park(let ticket) = machine.receive() else { Issue.record("expected to park"); return }
        #expect(machine.cancel(ticket) == nil)
        guard case .fail(4, _) = machine.park(ticket, 4) else { Issue.record("expected fail"); return }
    }

    @Test func cancel_afterTheWakeUp_isStale() {
        var machine = Machine()
        guard case .park(let ticket) = machine.receive() else { Issue.record("expected to park"); return }
        guard case .parked = machine.park(ticket, 5) else { Issue.record("expected parked"); return }
        #expect(machine.deliver(.user1) == 5)
        #expect(machine.cancel(ticket) == nil)
        guard case .signal(.user1) = machine.receive() else { Issue.record("expected SIGUSR1"); return }
    }

    @Test func close_wakesWaitersDropsPendingAndIgnoresLaterSignals() {
        var machine = Machine()
        guard case .park(let ticket) = machine.receive() else { Issue.record("expected to park"); return }
        guard case .parked = machine.park(ticket, 6) else { Issue.record("expected parked"); return }
        #expect(machine.close() == [6])
        #expect(machine.deliver(.user1) == nil)
        #expect(machine.pendingCount == 0)
        guard case .closed = machine.receive() else { Issue.record("expected closed"); return }
        #expect(machine.close() == [])
    }

    // MARK: - SignalHubState

    private final class Subscriber: SignalSubscriber {
        func receive(_ signalNumber: Int32) -> ContinuousClock.Instant? { nil }
    }

    @Test func unsubscribe_restoresOnlyWhenTheLastSubscriberLeaves() {
        var state = SignalHubState()
        var previous = sigaction()
        previous.sa_flags = 42
        let first = state.makeID(), second = state.makeID()
        #expect(first != second)
        state.startCatching(SIGUSR1, previous: previous)
        state.subscribe(.init(id: first, subscriber: Subscriber()), to: SIGUSR1)
        state.subscribe(.init(id: second, subscriber: Subscriber()), to: SIGUSR1)
        #expect(state.subscribers(of: SIGUSR1).map(\.id) == [first, second])

        // The first to subscribe leaves first: the second still needs the handler.
        #expect(state.unsubscribe(first).isEmpty)
        #expect(state.isCaught(SIGUSR1))
        let restored = state.unsubscribe(second)
        #expect(restored.map(\.signalNumber) == [SIGUSR1])
        #expect(restored.first?.previous.sa_flags == 42)
        #expect(!state.isCaught(SIGUSR1))
        #expect(state.subscribers(of: SIGUSR1).isEmpty)
        // Unsubscribing twice is harmless.
        #expect(state.unsubscribe(second).isEmpty)
    }

    @Test func deadlines_expireOnceAndGoWithTheSubscription() {
        var state = SignalHubState()
        let id = state.makeID(), other = state.makeID()
        state.startCatching(SIGUSR2, previous: sigaction())
        state.subscribe(.init(id: id, subscriber: Subscriber()), to: SIGUSR2)
        state.subscribe(.init(id: other, subscriber: Subscriber()), to: SIGUSR2)
        let now = ContinuousClock.now
        state.setDeadline(now + .seconds(1), for: id, subscriber: Subscriber())
        state.setDeadline(now + .seconds(2), for: other, subscriber: Subscriber())

        var (expired, next) = state.takeExpiredDeadlines(now: now)
        #expect(expired.isEmpty)
        #expect(next == now + .seconds(1))
        (expired, next) = state.takeExpiredDeadlines(now: now + .seconds(1))
        #expect(expired.count == 1)
        #expect(next == now + .seconds(2))
        (expired, _) = state.takeExpiredDeadlines(now: now + .seconds(1))
        #expect(expired.isEmpty)

        // An unsubscribed subscription's deadline is forgotten, and a late one is ignored.
        _ = state.unsubscribe(other)
        state.setDeadline(now, for: other, subscriber: Subscriber())
        (expired, next) = state.takeExpiredDeadlines(now: now + .seconds(3))
        #expect(expired.isEmpty)
        #expect(next == nil)
    }

    @Test func flushWaiters_areWokenFirstRegisteredFirst() {
        var state = SignalHubState()
        let first = ThreadSemaphore(), second = ThreadSemaphore()
        state.addFlushWaiter(first)
        state.addFlushWaiter(second)
        #expect(state.takeFlushWaiter() === first)
        #expect(state.takeFlushWaiter() === second)
        #expect(state.takeFlushWaiter() == nil)
    }

    @Test func milliseconds_roundsUpAndClamps() {
        #expect(SignalHub.milliseconds(roundingUp: .zero) == 0)
        #expect(SignalHub.milliseconds(roundingUp: .nanoseconds(1)) == 1)
        #expect(SignalHub.milliseconds(roundingUp: .milliseconds(1500)) == 1500)
        #expect(SignalHub.milliseconds(roundingUp: .seconds(-3)) == 0)
        #expect(SignalHub.milliseconds(roundingUp: .seconds(Int64.max / 2)) == Int32.max)
    }

    @Test func whyNotCatchable_acceptsOrdinarySignalsAndNamesTheReasonOtherwise() {
        #expect(SignalHub.whyNotCatchable(SIGUSR1) == nil)
        #expect(SignalHub.whyNotCatchable(SIGINT) == nil)
        #expect(SignalHub.whyNotCatchable(SIGCHLD) == nil)
        #expect(SignalHub.whyNotCatchable(SIGKILL)?.contains("catch") == true)
        #expect(SignalHub.whyNotCatchable(SIGBUS)?.contains("fault") == true)
        #expect(SignalHub.whyNotCatchable(0)?.contains("not a signal") == true)
        #expect(SignalHub.whyNotCatchable(255)?.contains("not a signal") == true)
    }
}
