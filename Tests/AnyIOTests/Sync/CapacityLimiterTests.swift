//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization
import Testing

@testable import AnyIO

@Suite("CapacityLimiter", .timeLimit(.minutes(1)))
struct CapacityLimiterTests {
    /// The borrowers in the statistics, as strings (for limiters borrowed on behalf of strings).
    private func stringBorrowers(_ limiter: CapacityLimiter) -> Set<String> {
        Set(limiter.statistics().borrowers.compactMap { $0.base as? String })
    }

    /// The borrowers in the statistics, as integers.
    private func intBorrowers(_ limiter: CapacityLimiter) -> Set<Int> {
        Set(limiter.statistics().borrowers.compactMap { $0.base as? Int })
    }

    @Test("a negative totalTokens traps")
    func negativeTotalTokensTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = CapacityLimiter(totalTokens: -1)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("totalTokens must be >= 0"), "stderr: \(stderr)")
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_bad_init_value

    @Test("setting a negative totalTokens traps")
    func negativeTotalTokensSetterTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let limiter = CapacityLimiter(totalTokens: 2)
            limiter.totalTokens = -10
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("totalTokens must be >= 0"), "stderr: \(stderr)")
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter_change_total_tokens

    @Test("zero tokens: allowed, and nobody gets one")
    func zeroTokens() {
        let limiter = CapacityLimiter(totalTokens: 0)
        #expect(limiter.totalTokens == 0)
        #expect(limiter.availableTokens == 0)
        #expect(!limiter.tryAcquire(onBehalfOf: "a"))
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_zero_tokens

    @Test("withToken borrows one token for its body")
    func borrow() async throws {
        let limiter = CapacityLimiter(totalTokens: 2)
        #expect(limiter.totalTokens == 2)
        #expect(limiter.availableTokens == 2)
        #expect(limiter.borrowedTokens == 0)
        try await limiter.withToken {
            #expect(limiter.totalTokens == 2)
            #expect(limiter.availableTokens == 1)
            #expect(limiter.borrowedTokens == 1)
        }
        #expect(limiter.borrowedTokens == 0)
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_borrow

    @Test("one token: tasks take turns")
    func limit() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        let inside = RaceCounter(), overlaps = RaceCounter()
        try await withNursery { nursery in
            for _ in 0..<3 {
                nursery.startSoon {
                    for _ in 0..<5 {
                        try await limiter.withToken {
                            if inside.atomic.wrappingAdd(1, ordering: .relaxed).newValue != 1 { overlaps.add() }
                            for _ in 0..<3 { await Task.yield() }
                            inside.add(-1)
                        }
                    }
                }
            }
        }
        #expect(overlaps.value == 0)
        #expect(limiter.borrowedTokens == 0)
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_limit

    @Test("borrowing twice with the same task throws AlreadyBorrowingError")
    func borrowTwice() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        try await limiter.acquire()
        do {
            try await limiter.acquire()
            Issue.record("second acquire succeeded")
        } catch let error as AlreadyBorrowingError {
            #expect(error.description.contains("already holding (or waiting for) one of this CapacityLimiter's tokens"))
        }
        #expect(limiter.borrowedTokens == 1)
        // Also with plenty of tokens, and for an explicit borrower.
        limiter.totalTokens = 5
        await #expect(throws: AlreadyBorrowingError.self) { try await limiter.acquire() }
        try await limiter.acquire(onBehalfOf: "someone")
        await #expect(throws: AlreadyBorrowingError.self) { try await limiter.acquire(onBehalfOf: "someone") }
        #expect(limiter.borrowedTokens == 2)
        limiter.release()
        limiter.release(onBehalfOf: "someone")
        #expect(limiter.borrowedTokens == 0)
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_borrow_twice
    // spec: S5

    @Test("a second waiter with the same borrower throws; the first keeps its place")
    func sameBorrowerWaitingTwice() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        #expect(limiter.tryAcquire(onBehalfOf: "holder"))
        try await withNursery { nursery in
            nursery.startSoon { try await limiter.acquire(onBehalfOf: "job") }
            try await testWaitUntil("job waits") { limiter.statistics().tasksWaiting == 1 }
            await #expect(throws: AlreadyBorrowingError.self) { try await limiter.acquire(onBehalfOf: "job") }
            #expect(limiter.statistics().tasksWaiting == 1)
            limiter.release(onBehalfOf: "holder")
        }
        #expect(stringBorrowers(limiter) == ["job"])
        limiter.release(onBehalfOf: "job")
    }

    @Test("tryAcquire by a task that already borrows traps")
    func tryAcquireTwiceTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let limiter = CapacityLimiter(totalTokens: 2)
            try await limiter.acquire()
            _ = limiter.tryAcquire()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("already holding"), "stderr: \(stderr)")
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter

    @Test("releasing a token the task does not hold traps")
    func badRelease() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let limiter = CapacityLimiter(totalTokens: 1)
            limiter.release()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("isn't holding any of this CapacityLimiter's tokens"), "stderr: \(stderr)")
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_bad_release

    @Test("releasing from another task than the borrower traps")
    func releaseFromOtherTaskTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let limiter = CapacityLimiter(totalTokens: 1)
            try await limiter.acquire()
            try await withNursery { nursery in
                nursery.startSoon { limiter.release() }
            }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("isn't holding"), "stderr: \(stderr)")
    }
    // spec: S5

    @Test("the borrower is the logical task: acquire inside failAfter, release after it")
    func borrowerIsLogicalTask() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        try await withNursery { nursery in
            nursery.startSoon {
                try await failAfter(.seconds(5)) { _ in try await limiter.acquire() }
                #expect(limiter.borrowedTokens == 1)
                try await withCancelScope { _ in limiter.release() }
            }
        }
        #expect(limiter.borrowedTokens == 0)
        try await moveOnAfter(.seconds(5)) { _ in try await limiter.acquire() }
        limiter.release()
        #expect(limiter.borrowedTokens == 0)
    }
    // spec: S5 (and S2's rule that scope bodies belong to the task that runs them)

    @Test("different tasks are different borrowers")
    func tasksAreDistinctBorrowers() async throws {
        let limiter = CapacityLimiter(totalTokens: 3)
        let gate = TestGate()
        try await withNursery { nursery in
            for _ in 0..<3 {
                nursery.startSoon { try await limiter.withToken { try await gate.wait() } }
            }
            try await testWaitUntil("three borrowers") { limiter.borrowedTokens == 3 }
            #expect(Set(limiter.statistics().borrowers).count == 3)
            gate.open()
        }
        #expect(limiter.borrowedTokens == 0)
    }

    @Test("raising totalTokens lets a waiting task in at once")
    func increaseTokens() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        let event1 = Event(), event2 = Event()
        try await withNursery { nursery in
            nursery.startSoon {
                try await event1.wait()
                try await limiter.withToken { event2.set() }
            }
            nursery.startSoon {
                try await limiter.withToken {
                    event1.set()
                    try await event2.wait()
                }
            }
            try await testWaitUntil("the setter waits for a token") {
                event1.isSet && limiter.statistics().tasksWaiting == 1
            }
            #expect(!event2.isSet)
            limiter.totalTokens = 2
        }
        #expect(event2.isSet)
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_increase_tokens
    // spec: S5

    @Test("statistics follow borrowers and waiters")
    func statistics() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        #expect(limiter.statistics() == CapacityLimiterStatistics(borrowedTokens: 0, totalTokens: 1, tasksWaiting: 0))
        try await withNursery { nursery in
            try await limiter.withToken {
                #expect(limiter.statistics().borrowedTokens == 1)
                #expect(limiter.statistics().tasksWaiting == 0)
                for waiting in 1...2 {
                    nursery.startSoon { try await limiter.withToken {} }
                    try await testWaitUntil("\(waiting) waiting") { limiter.statistics().tasksWaiting == waiting }
                }
            }
        }
        #expect(limiter.statistics().tasksWaiting == 0)
        #expect(limiter.statistics().borrowedTokens == 0)
        #expect(limiter.statistics().borrowers.isEmpty)
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_statistics

    @Test("a holder cancelled while holding does not block the next task")
    func cancelledHolderDoesNotDeadlock() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        try await withNursery { nursery in
            let first = nursery.startSoon {
                try await limiter.withToken { try await sleep(for: .seconds(100)) }
            }
            let second = nursery.startSoon {
                try await limiter.withToken { try await LowLevel.checkpoint() }
            }
            try await testWaitUntil("the second waits") { limiter.statistics().tasksWaiting == 1 }
            first.cancel()
            try await failAfter(.seconds(5)) { _ in try await second.value }
        }
        #expect(limiter.borrowedTokens == 0)
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_asyncio_deadlock

    @Test("waiters get tokens in the order they asked")
    func orderedQueue() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        let results = TestBox<[Int]>([])
        let event = Event()
        try await withNursery { nursery in
            for index in 0..<3 {
                try await nursery.start { (status: consuming TaskStatus<Void>) in
                    status.started()
                    try await limiter.withToken {
                        try await event.wait()
                        results.append(index)
                    }
                }
                // AnyIO's single-threaded loop runs the child up to its first wait before `start`
                // returns; here the child may run in parallel, so wait until it is in line.
                try await testWaitUntil("child \(index) in line") {
                    limiter.borrowedTokens + limiter.statistics().tasksWaiting == index + 1
                }
            }
            event.set()
        }
        #expect(results.value == [0, 1, 2])
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_ordered_queue

    @Test("raising totalTokens lets every waiter and a newcomer in")
    func increaseTokensLetsOthersAcquire() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        let entered = [Event(), Event(), Event()]
        let proceed = Event()
        try await withNursery { nursery in
            for event in entered[..<2] {
                nursery.startSoon {
                    try await limiter.withToken {
                        event.set()
                        try await proceed.wait()
                    }
                }
            }
            try await testWaitUntil("one in, one waiting") {
                limiter.statistics().tasksWaiting == 1 && entered.contains(where: \.isSet)
            }
            #expect(entered.filter(\.isSet).count == 1)
            limiter.totalTokens = 3
            nursery.startSoon {
                try await limiter.withToken {
                    entered[2].set()
                    try await proceed.wait()
                }
            }
            try await failAfter(.seconds(5)) { _ in
                for event in entered[1...] { try await event.wait() }
            }
            proceed.set()
        }
        #expect(limiter.borrowedTokens == 0)
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_increase_tokens_lets_others_acquire

    @Test("Int.max tokens means no limit")
    func unlimited() async throws {
        let limiter = CapacityLimiter(totalTokens: .max)
        #expect(limiter.availableTokens == .max)
        #expect(limiter.tryAcquire())
        #expect(limiter.borrowedTokens == 1)
        #expect(limiter.availableTokens == .max - 1)
        for index in 0..<100 { #expect(limiter.tryAcquire(onBehalfOf: index)) }
        #expect(limiter.borrowedTokens == 101)
        #expect(limiter.description == "CapacityLimiter(101/unlimited borrowed, 0 waiting)")
        limiter.release()
        for index in 0..<100 { limiter.release(onBehalfOf: index) }
        #expect(limiter.borrowedTokens == 0)
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter_inf

    @Test("a cancelled waiter passes its turn on: the next waiter gets the token")
    func acquireCancelled() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        let gotIn = TestBox<[Int]>([])
        try await withNursery { nursery in
            var scopes: [CancelScope] = []
            try await limiter.withToken {
                for index in 1...2 {
                    let scope: CancelScope = try await nursery.start { status in
                        let scope = CancelScope()
                        status.started(scope)
                        try await withCancelScope(scope) { _ in
                            try await limiter.withToken {
                                gotIn.append(index)
                                try await LowLevel.checkpoint()
                            }
                        }
                    }
                    scopes.append(scope)
                    try await testWaitUntil("borrower \(index) waits") { limiter.statistics().tasksWaiting == index }
                }
                scopes[0].cancel()
            }
            try await failAfter(.seconds(5)) { _ in
                try await testWaitUntil("the second borrower got in") { gotIn.value == [2] }
            }
        }
        #expect(gotIn.value == [2])
        #expect(limiter.borrowedTokens == 0)
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_acquire_cancelled

    @Test("tryAcquire fails while the only token is borrowed")
    func tryAcquireFailsWhenFull() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        #expect(limiter.tryAcquire())
        let childGotOne = TestBox<Bool?>(nil)
        try await withNursery { nursery in
            nursery.startSoon { childGotOne.value = limiter.tryAcquire() }
        }
        #expect(childGotOne.value == false)
        limiter.release()
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_acquire_nowait

    @Test("tryAcquire on behalf of two borrowers: the second would block")
    func tryAcquireOnBehalfOf() {
        let limiter = CapacityLimiter(totalTokens: 1)
        #expect(limiter.tryAcquire(onBehalfOf: "borrower1"))
        #expect(!limiter.tryAcquire(onBehalfOf: "borrower2"))
        limiter.release(onBehalfOf: "borrower1")
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_acquire_on_behalf_of_nowait

    @Test("a token released to a waiter is reserved for it: tryAcquire cannot oversubscribe")
    func releaseToWaiterDoesNotOversubscribe() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        #expect(limiter.tryAcquire(onBehalfOf: "A"))
        try await withNursery { nursery in
            nursery.startSoon { try await limiter.acquire(onBehalfOf: "B") }
            try await testWaitUntil("B waits") { limiter.statistics().tasksWaiting == 1 }
            limiter.release(onBehalfOf: "A")
            #expect(!limiter.tryAcquire(onBehalfOf: "X"))
        }
        #expect(limiter.borrowedTokens <= limiter.totalTokens)
        #expect(limiter.availableTokens >= 0)
        #expect(limiter.statistics().borrowers == [CapacityLimiter.Borrower("B")])
        limiter.release(onBehalfOf: "B")
    }
    // anyio: tests/test_synchronization.py::TestCapacityLimiter::test_nowait_acquire_after_release_does_not_oversubscribe

    @Test("borrowing for the task and for other values; fairness on release")
    func trioCapacityLimiter() async throws {
        let limiter = CapacityLimiter(totalTokens: 2)
        #expect(limiter.tryAcquire())
        #expect(limiter.borrowedTokens == 1)
        #expect(limiter.availableTokens == 1)
        let me = limiter.statistics().borrowers
        #expect(me.count == 1)
        try await limiter.acquire(onBehalfOf: "someone")
        #expect(!limiter.tryAcquire(onBehalfOf: "third party"))
        #expect(Set(limiter.statistics().borrowers) == Set(me + [CapacityLimiter.Borrower("someone")]))
        limiter.release()
        #expect(stringBorrowers(limiter) == ["someone"])
        limiter.release(onBehalfOf: "someone")

        try await withNursery { nursery in
            try await limiter.acquire(onBehalfOf: "value 1")
            try await limiter.acquire(onBehalfOf: "value 2")
            nursery.startSoon { try await limiter.acquire(onBehalfOf: "value 3") }
            try await testWaitUntil("value 3 waits") { limiter.statistics().tasksWaiting == 1 }
            #expect(limiter.borrowedTokens == 2)
            limiter.release(onBehalfOf: "value 2")
            // Fairness: the token went to the waiter.
            #expect(limiter.borrowedTokens == 2)
            #expect(!limiter.tryAcquire())
        }
        limiter.release(onBehalfOf: "value 3")
        limiter.release(onBehalfOf: "value 1")
        #expect(limiter.borrowedTokens == 0)
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter

    @Test("changing totalTokens: raising wakes as many as fit, lowering takes nothing back")
    func changeTotalTokens() async throws {
        let limiter = CapacityLimiter(totalTokens: 2)
        try await withNursery { nursery in
            for index in 0..<5 {
                nursery.startSoon { try await limiter.acquire(onBehalfOf: index) }
                try await testWaitUntil("\(index) in line") {
                    limiter.borrowedTokens + limiter.statistics().tasksWaiting == index + 1
                }
            }
            #expect(intBorrowers(limiter) == [0, 1])
            #expect(limiter.statistics().tasksWaiting == 3)
            limiter.totalTokens += 2
            #expect(intBorrowers(limiter) == [0, 1, 2, 3])
            #expect(limiter.statistics().tasksWaiting == 1)
            limiter.totalTokens -= 3
            #expect(limiter.borrowedTokens == 4)
            #expect(limiter.totalTokens == 1)
            #expect(limiter.availableTokens == 0)
            for index in 0..<3 { limiter.release(onBehalfOf: index) }
            #expect(intBorrowers(limiter) == [3])
            #expect(limiter.statistics().tasksWaiting == 1)
            limiter.release(onBehalfOf: 3)
            #expect(intBorrowers(limiter) == [4])
            #expect(limiter.statistics().tasksWaiting == 0)
        }
        limiter.release(onBehalfOf: 4)
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter_change_total_tokens

    @Test("zero tokens hold everyone until raised")
    func zeroLimitTokens() async throws {
        let limiter = CapacityLimiter(totalTokens: 5)
        try await withNursery { nursery in
            limiter.totalTokens = 0
            for index in 0..<5 {
                nursery.startSoon { try await limiter.acquire(onBehalfOf: index) }
            }
            try await testWaitUntil("five waiting") { limiter.statistics().tasksWaiting == 5 }
            #expect(limiter.statistics().borrowers.isEmpty)
            limiter.totalTokens = 5
            #expect(intBorrowers(limiter) == [0, 1, 2, 3, 4])
            #expect(limiter.statistics().tasksWaiting == 0)
            for index in 0..<5 { limiter.release(onBehalfOf: index) }
            limiter.totalTokens = 0
            #expect(!limiter.tryAcquire())
            nursery.startSoon { try await limiter.acquire(onBehalfOf: 6) }
            try await testWaitUntil("6 waits") { limiter.statistics().tasksWaiting == 1 }
            limiter.totalTokens = 1
            #expect(intBorrowers(limiter) == [6])
            limiter.release(onBehalfOf: 6)
            limiter.totalTokens = 0
            nursery.cancel()
        }
        #expect(limiter.totalTokens == 0)
        #expect(limiter.statistics().borrowers.isEmpty)
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter_zero_limit_tokens

    @Test("a waiter cancelled by its nursery leaves nothing behind")
    func cancelledWaiterLeavesNothing() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        try await limiter.acquire()
        try await withNursery { nursery in
            nursery.startSoon { try await limiter.acquire() }
            try await testWaitUntil("the child waits") { limiter.statistics().tasksWaiting == 1 }
            nursery.cancel()
        }
        #expect(limiter.statistics().tasksWaiting == 0)
        #expect(limiter.borrowedTokens == 1)
        limiter.release()
        #expect(limiter.tryAcquire())
        limiter.release()
    }
    // trio: src/trio/_tests/test_sync.py::test_CapacityLimiter_memleak_548
    // spec: C9

    @Test("acquire with a free token is still a checkpoint: a cancelled caller borrows nothing")
    func acquireIsCheckpoint() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        let result: Void? = try await withCancelScope { scope in
            scope.cancel()
            try await limiter.acquire(onBehalfOf: "x")
        }
        #expect(result == nil)
        #expect(limiter.borrowedTokens == 0)
    }
    // spec: C8, C9

    @Test("withToken releases when the body throws")
    func withTokenReleasesOnThrow() async throws {
        let limiter = CapacityLimiter(totalTokens: 1)
        await #expect(throws: TestError("boom")) {
            try await limiter.withToken { throw TestError("boom") }
        }
        #expect(limiter.borrowedTokens == 0)
        #expect(try await limiter.withToken { 42 } == 42)
    }

    @Test("borrowers compare by value; wrapping a Borrower again changes nothing")
    func borrowerIdentity() {
        let borrower = CapacityLimiter.Borrower("job")
        #expect(borrower == CapacityLimiter.Borrower("job"))
        #expect(CapacityLimiter.Borrower(borrower) == borrower)
        #expect(borrower != CapacityLimiter.Borrower("other"))
        let limiter = CapacityLimiter(totalTokens: 1)
        #expect(limiter.tryAcquire(onBehalfOf: borrower))
        limiter.release(onBehalfOf: "job")
        #expect(limiter.borrowedTokens == 0)
    }

    @Test("stress: borrowers come and go under random cancellation and totalTokens changes", arguments: [0, 1])
    func stress(seed: Int) async throws {
        var generator = SystemRandomNumberGenerator()
        for iteration in 0..<max(1, raceIterations / 10) {
            let limiter = CapacityLimiter(totalTokens: 1 + (iteration + seed) % 3)
            let highestTotal = RaceCounter()
            highestTotal.atomic.max(limiter.totalTokens, ordering: .relaxed)
            let holders = RaceCounter(), maxHolders = RaceCounter()
            let completed = RaceCounter(), cancelled = RaceCounter()
            let tasks = 12
            let spins = (0..<tasks).map { _ in Int.random(in: 0..<4, using: &generator) }
            let cancels = (0..<tasks).map { _ in Int.random(in: 0..<3, using: &generator) == 0 }
            let explicit = (0..<tasks).map { _ in Bool.random(using: &generator) }
            let totals = (0..<6).map { _ in Int.random(in: 1...4, using: &generator) }
            try await withNursery { nursery in
                // Resizes the limiter while the borrowers run; its last size is raised to the
                // highest so everyone finishes.
                nursery.startSoon {
                    for total in totals {
                        for _ in 0..<2 { await Task.yield() }
                        highestTotal.atomic.max(total, ordering: .relaxed)
                        limiter.totalTokens = total
                    }
                }
                for index in 0..<tasks {
                    nursery.startSoon {
                        let scope = CancelScope()
                        if cancels[index] {
                            nursery.startSoon {
                                for _ in 0..<spins[index] { await Task.yield() }
                                scope.cancel()
                            }
                        }
                        let done: Void? = try await withCancelScope(scope) { _ in
                            for round in 0..<3 {
                                let body = {
                                    let now = holders.atomic.wrappingAdd(1, ordering: .relaxed).newValue
                                    maxHolders.atomic.max(now, ordering: .relaxed)
                                    await Task.yield()
                                    holders.add(-1)
                                }
                                if explicit[index] {
                                    let borrower = "task \(index) round \(round)"
                                    try await limiter.acquire(onBehalfOf: borrower)
                                    await body()
                                    limiter.release(onBehalfOf: borrower)
                                } else {
                                    try await limiter.withToken { await body() }
                                }
                            }
                        }
                        if done == nil { cancelled.add() } else { completed.add() }
                    }
                }
            }
            #expect(completed.value + cancelled.value == tasks)
            #expect(maxHolders.value <= highestTotal.value)
            #expect(maxHolders.value >= 1)
            #expect(limiter.borrowedTokens == 0, "tokens lost")
            #expect(limiter.statistics().borrowers.isEmpty)
            #expect(limiter.statistics().tasksWaiting == 0)
        }
    }
}
