//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Testing

@testable import AnyIO

/// State × event for `WaitQueue`, the waiting queue every primitive's state machine shares;
/// waiters are plain integers and payloads strings here.
///
/// A waiter is registered (in line, no continuation), parked (in line with one), recorded early
/// (woken, failed or cancelled before it parked), or gone. Events: register, park, cancel /
/// cancelEntry, unparkFirst / unparkAll (with or without an error), enqueueParked.
@Suite("WaitQueue", .timeLimit(.minutes(1)))
struct WaitQueueTests {
    typealias Queue = WaitQueue<Int, String>

    /// A ticket no queue in these tests ever hands out.
    private let unknownTicket = QueueTicket(index: 42, serial: 4242)

    private func check(_ queue: Queue) {
        #if ANYIO_INTERNAL_CHECKS
        queue._checkInvariants()
        #endif
    }

    /// Registers `payload` and parks `waiter` for it, expecting it to stay parked.
    @discardableResult
    private func registerAndPark(
        _ queue: inout Queue, _ payload: String, _ waiter: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> QueueTicket {
        let ticket = queue.register(payload)
        expectParked(queue.park(ticket, waiter), sourceLocation: sourceLocation)
        return ticket
    }

    /// Expects `.parked`.
    private func expectParked(_ outcome: ParkOutcome<Int>, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .parked = outcome else {
            Issue.record("expected .parked, got \(outcome)", sourceLocation: sourceLocation)
            return
        }
    }

    /// Expects `.resume(waiter)`.
    private func expectResume(
        _ outcome: ParkOutcome<Int>, _ waiter: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard case .resume(let resumed) = outcome else {
            Issue.record("expected .resume(\(waiter)), got \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(resumed == waiter, sourceLocation: sourceLocation)
    }

    /// Expects `.fail(waiter, CancellationError())`.
    private func expectCancelled(
        _ outcome: ParkOutcome<Int>, _ waiter: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard case .fail(let failed, let error) = outcome else {
            Issue.record("expected .fail(\(waiter), CancellationError), got \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(failed == waiter, sourceLocation: sourceLocation)
        #expect(error is CancellationError, "got \(error)", sourceLocation: sourceLocation)
    }

    /// Expects `.fail(waiter, expected)`.
    private func expectFailed(
        _ outcome: ParkOutcome<Int>, _ waiter: Int, _ expected: TestError,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard case .fail(let failed, let error) = outcome else {
            Issue.record("expected .fail(\(waiter), \(expected)), got \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(failed == waiter, sourceLocation: sourceLocation)
        #expect(error as? TestError == expected, "got \(error)", sourceLocation: sourceLocation)
    }

    // MARK: register and park

    @Test func empty_hasNoWaiters() {
        var queue = Queue()
        #expect(queue.count == 0)
        #expect(queue.isEmpty)
        #expect(queue.payloads.isEmpty)
        #expect(queue.firstPayload == nil)
        #expect(queue.unparkFirst() == nil)
        #expect(queue.unparkAll().isEmpty)
        #expect(queue.cancel(unknownTicket) == nil)
        check(queue)
    }

    @Test func register_takesAPlaceInLine_beforeParking() {
        var queue = Queue()
        let first = queue.register("a")
        let second = queue.register("b")
        #expect(first != second)
        #expect(queue.count == 2)
        #expect(!queue.isEmpty)
        #expect(queue.contains(first) && queue.contains(second))
        #expect(queue.payloads == ["a", "b"])
        #expect(queue.firstPayload == "a")
        check(queue)
    }

    @Test func register_thenPark_staysParked() {
        var queue = Queue()
        let ticket = queue.register("a")
        expectParked(queue.park(ticket, 10))
        #expect(queue.count == 1)
        #expect(queue.contains(ticket))
        #expect(queue.payloads == ["a"])
        check(queue)
    }

    @Test func voidPayload_registersWithoutArgument() {
        var queue = WaitQueue<Int, Void>()
        let ticket = queue.register()
        guard case .parked = queue.park(ticket, 10) else { Issue.record("not parked"); return }
        #expect(queue.count == 1)
        #expect(queue.unparkAll() == [10])
    }

    // MARK: unparkFirst

    @Test func registerParkUnparkFirst_returnsTheWaiter() {
        var queue = Queue()
        let ticket = registerAndPark(&queue, "a", 10)
        guard let (woken, payload, waiter) = queue.unparkFirst() else { Issue.record("nobody woken"); return }
        #expect(woken == ticket)
        #expect(payload == "a")
        #expect(waiter == 10)
        #expect(queue.isEmpty)
        #expect(!queue.contains(ticket))
        check(queue)
    }

    @Test func unparkFirst_wakesInFIFOOrder() {
        var queue = Queue()
        let tickets = [registerAndPark(&queue, "a", 10), registerAndPark(&queue, "b", 20), registerAndPark(&queue, "c", 30)]
        var woken: [(QueueTicket, String, Int?)] = []
        while let entry = queue.unparkFirst() { woken.append(entry) }
        #expect(woken.map(\.0) == tickets)
        #expect(woken.map(\.1) == ["a", "b", "c"])
        #expect(woken.map(\.2) == [10, 20, 30])
        #expect(queue.count == 0)
        check(queue)
    }

    @Test func unparkFirst_ordersByRegistration_notByParking() {
        var queue = Queue()
        let first = queue.register("a")
        let second = queue.register("b")
        expectParked(queue.park(second, 20))
        expectParked(queue.park(first, 10))
        #expect(queue.unparkFirst()?.waiter == 10)
        #expect(queue.unparkFirst()?.waiter == 20)
    }

    @Test func unparkFirst_failing_returnsParkedWaiter_forTheCallerToFail() {
        // A parked waiter is handed back; failing it is the caller's job (nothing is recorded).
        var queue = Queue()
        let ticket = registerAndPark(&queue, "a", 10)
        guard let (woken, payload, waiter) = queue.unparkFirst(failing: TestError("broken")) else {
            Issue.record("nobody woken"); return
        }
        #expect(woken == ticket && payload == "a" && waiter == 10)
        #expect(queue.cancel(ticket) == nil)
        check(queue)
    }

    @Test func unparkFirst_beforePark_parkResumes() {
        var queue = Queue()
        let ticket = queue.register("a")
        guard let (woken, payload, waiter) = queue.unparkFirst() else { Issue.record("nobody woken"); return }
        #expect(woken == ticket)
        #expect(payload == "a")
        #expect(waiter == nil)  // not parked yet: it resumes when it parks
        #expect(queue.isEmpty)
        check(queue)
        expectResume(queue.park(ticket, 10), 10)
        #expect(queue.isEmpty)
        check(queue)
    }

    @Test func unparkFirstFailing_beforePark_parkFailsWithThatError() {
        var queue = Queue()
        let ticket = queue.register("a")
        #expect(queue.unparkFirst(failing: TestError("broken"))?.waiter == nil)
        expectFailed(queue.park(ticket, 10), 10, TestError("broken"))
        #expect(queue.isEmpty)
        check(queue)
    }

    // MARK: cancel

    @Test func cancel_beforePark_parkFailsWithCancellationError() {
        var queue = Queue()
        let ticket = queue.register("a")
        #expect(queue.cancel(ticket) == nil)  // nothing to resume yet
        #expect(queue.count == 0)
        #expect(!queue.contains(ticket))
        check(queue)
        expectCancelled(queue.park(ticket, 10), 10)
        #expect(queue.count == 0)
        check(queue)
    }

    @Test func cancel_beforePark_isNotWokenLater() {
        var queue = Queue()
        let cancelled = queue.register("a")
        let other = registerAndPark(&queue, "b", 20)
        _ = queue.cancel(cancelled)
        // The wake-up goes to the next in line, and the cancelled waiter still fails on park.
        guard let (woken, _, waiter) = queue.unparkFirst() else { Issue.record("nobody woken"); return }
        #expect(woken == other && waiter == 20)
        expectCancelled(queue.park(cancelled, 10), 10)
    }

    @Test func cancel_ofParkedWaiter_returnsIt_andRemovesIt() {
        var queue = Queue()
        registerAndPark(&queue, "a", 10)
        let middle = registerAndPark(&queue, "b", 20)
        registerAndPark(&queue, "c", 30)
        #expect(queue.cancel(middle) == 20)
        #expect(queue.count == 2)
        #expect(!queue.contains(middle))
        #expect(queue.payloads == ["a", "c"])
        check(queue)
        #expect(queue.unparkAll() == [10, 30])
    }

    @Test func cancel_afterUnparkBeforePark_isStale_parkStillResumes() {
        var queue = Queue()
        let ticket = queue.register("a")
        _ = queue.unparkFirst()
        #expect(queue.cancel(ticket) == nil)  // the wake-up won
        check(queue)
        expectResume(queue.park(ticket, 10), 10)
        check(queue)
    }

    @Test func cancel_afterUnparkFailingBeforePark_isStale_parkStillFailsWithTheError() {
        var queue = Queue()
        let ticket = queue.register("a")
        _ = queue.unparkFirst(failing: TestError("broken"))
        #expect(queue.cancel(ticket) == nil)
        expectFailed(queue.park(ticket, 10), 10, TestError("broken"))
    }

    @Test func cancel_afterParkedWaiterWasWoken_isStale() {
        var queue = Queue()
        let ticket = registerAndPark(&queue, "a", 10)
        #expect(queue.unparkFirst()?.waiter == 10)
        #expect(queue.cancel(ticket) == nil)
        #expect(queue.cancelEntry(ticket) == nil)
        check(queue)
    }

    @Test func cancel_twice_secondIsStale() {
        var queue = Queue()
        let parked = registerAndPark(&queue, "a", 10)
        let registered = queue.register("b")
        #expect(queue.cancel(parked) == 10)
        #expect(queue.cancel(parked) == nil)
        #expect(queue.cancel(registered) == nil)
        #expect(queue.cancel(registered) == nil)
        // The early cancellation is recorded once and still reaches the park.
        expectCancelled(queue.park(registered, 20), 20)
        check(queue)
    }

    @Test func cancel_unknownTicket_doesNothing() {
        var queue = Queue()
        registerAndPark(&queue, "a", 10)
        #expect(queue.cancel(unknownTicket) == nil)
        #expect(queue.cancelEntry(unknownTicket) == nil)
        #expect(queue.count == 1)
        check(queue)
    }

    @Test func cancelEntry_returnsThePayload_andTheWaiterIfParked() {
        var queue = Queue()
        let parked = registerAndPark(&queue, "a", 10)
        let registered = queue.register("b")
        guard let (payload, waiter) = queue.cancelEntry(parked) else { Issue.record("not in line"); return }
        #expect(payload == "a" && waiter == 10)
        guard let (payload2, waiter2) = queue.cancelEntry(registered) else { Issue.record("not in line"); return }
        #expect(payload2 == "b" && waiter2 == nil)
        #expect(queue.isEmpty)
        check(queue)
        expectCancelled(queue.park(registered, 20), 20)
    }

    // MARK: unparkAll

    @Test func unparkAll_returnsOnlyParkedWaiters_inOrder_andRecordsTheOthers() {
        var queue = Queue()
        registerAndPark(&queue, "a", 10)
        let registered = queue.register("b")
        registerAndPark(&queue, "c", 30)
        let registered2 = queue.register("d")
        #expect(queue.unparkAll() == [10, 30])
        #expect(queue.isEmpty)
        check(queue)
        expectResume(queue.park(registered2, 40), 40)
        expectResume(queue.park(registered, 20), 20)
        check(queue)
    }

    @Test func unparkAllFailing_recordsTheErrorForWaitersNotParked() {
        var queue = Queue()
        registerAndPark(&queue, "a", 10)
        let registered = queue.register("b")
        #expect(queue.unparkAll(failing: TestError("broken")) == [10])
        #expect(queue.cancel(registered) == nil)  // stale: the failure won
        expectFailed(queue.park(registered, 20), 20, TestError("broken"))
        check(queue)
    }

    @Test func unparkAll_skipsWaitersCancelledBeforeParking() {
        var queue = Queue()
        let cancelled = queue.register("a")
        registerAndPark(&queue, "b", 20)
        _ = queue.cancel(cancelled)
        #expect(queue.unparkAll() == [20])
        expectCancelled(queue.park(cancelled, 10), 10)
    }

    // MARK: early records

    @Test func earlyRecords_areKeptPerTicket() {
        var queue = Queue()
        let woken = queue.register("a")
        let failed = queue.register("b")
        let cancelled = queue.register("c")
        let parked = queue.register("d")
        _ = queue.unparkFirst()
        _ = queue.unparkFirst(failing: TestError("broken"))
        _ = queue.cancel(cancelled)
        expectParked(queue.park(parked, 40))
        // Parked in the reverse order: each gets its own outcome.
        expectCancelled(queue.park(cancelled, 30), 30)
        expectFailed(queue.park(failed, 20), 20, TestError("broken"))
        expectResume(queue.park(woken, 10), 10)
        #expect(queue.count == 1)
        #expect(queue.firstPayload == "d")
        check(queue)
    }

    @Test func tickets_areNeverReused_evenWhenSlotsAre() {
        var queue = Queue()
        let old = queue.register("a")
        _ = queue.unparkFirst()  // recorded as woken; its slot is free
        let new = queue.register("b")  // may reuse the slot, never the ticket
        #expect(old != new)
        #expect(!queue.contains(old))
        #expect(queue.cancel(old) == nil)
        expectParked(queue.park(new, 20))
        expectResume(queue.park(old, 10), 10)
        #expect(queue.count == 1)
        #expect(queue.unparkFirst()?.waiter == 20)
        check(queue)
    }

    // MARK: enqueueParked

    @Test func enqueueParked_entriesAreWokenInOrder_withRegisteredOnes() {
        var queue = Queue()
        registerAndPark(&queue, "a", 10)
        queue.enqueueParked("b", 20)
        let registered = queue.register("c")
        queue.enqueueParked("d", 40)
        #expect(queue.count == 4)
        #expect(queue.payloads == ["a", "b", "c", "d"])
        var woken: [(String, Int?)] = []
        while let (_, payload, waiter) = queue.unparkFirst() { woken.append((payload, waiter)) }
        #expect(woken.map(\.0) == ["a", "b", "c", "d"])
        #expect(woken.map(\.1) == [10, 20, nil, 40])
        expectResume(queue.park(registered, 30), 30)
        check(queue)
    }

    @Test func enqueueParked_isReturnedByUnparkAll() {
        var queue = Queue()
        queue.enqueueParked("a", 10)
        registerAndPark(&queue, "b", 20)
        queue.enqueueParked("c", 30)
        #expect(queue.unparkAll(failing: TestError("broken")) == [10, 20, 30])
        #expect(queue.isEmpty)
    }

    @Test func enqueueParked_returnsATicketInLine() {
        var queue = Queue()
        let ticket = queue.enqueueParked("a", 10)
        #expect(queue.contains(ticket))
        #expect(queue.firstPayload == "a")
        #expect(queue.unparkFirst()?.ticket == ticket)
    }

    // MARK: payloads and count

    @Test func payloads_followTheLine() {
        var queue = Queue()
        let a = queue.register("a")
        registerAndPark(&queue, "b", 20)
        let c = queue.register("c")
        queue.enqueueParked("d", 40)
        #expect(queue.payloads == ["a", "b", "c", "d"])
        #expect(queue.firstPayload == "a")
        #expect(queue.count == 4)
        _ = queue.cancel(a)
        #expect(queue.payloads == ["b", "c", "d"])
        #expect(queue.firstPayload == "b")
        _ = queue.cancel(c)
        #expect(queue.payloads == ["b", "d"])
        _ = queue.unparkFirst()
        #expect(queue.payloads == ["d"])
        #expect(queue.firstPayload == "d")
        #expect(queue.count == 1)
        _ = queue.unparkFirst()
        #expect(queue.payloads.isEmpty)
        #expect(queue.firstPayload == nil)
        #expect(queue.count == 0)
        check(queue)
    }

    @Test func queue_survivesManyOutOfOrderRemovals() {
        var queue = Queue()
        let count = 200
        var tickets: [QueueTicket] = []
        for index in 1...count { tickets.append(registerAndPark(&queue, "w\(index)", index)) }
        for index in stride(from: 2, through: count, by: 2) {
            #expect(queue.cancel(tickets[index - 1]) == index)
        }
        #expect(queue.count == count / 2)
        // Slots are reused by later entries, which go to the back of the line.
        for index in (count + 1)...(count + 10) { registerAndPark(&queue, "w\(index)", index) }
        check(queue)
        let woken = queue.unparkAll()
        #expect(woken == Array(stride(from: 1, through: count, by: 2)) + Array((count + 1)...(count + 10)))
        #expect(queue.isEmpty)
        check(queue)
    }
}
