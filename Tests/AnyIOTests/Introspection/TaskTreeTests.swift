//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Testing

@testable import AnyIO

@Suite("Task tree", .timeLimit(.minutes(1)), .anyIO(timeLimit: .seconds(20)))
struct TaskTreeTests {
    /// The root node of the calling task, from a tree limited to this test's tasks.
    private func myRoot() throws -> TaskTree.Node {
        let tree = try #require(TaskTreeTag.current).taskTree
        let host = currentTaskInfo()
        return try #require(tree.roots.first { $0.task.id == host.id })
    }

    @Test("a known tree: nurseries, children, scopes, waits and a starting child")
    func knownTree() async throws {
        let event = Event()
        let lock = Lock()
        try await lock.acquire()
        let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: 0)
        defer { send.close() }
        let deadline = ContinuousClock.now + .seconds(30)
        let sleeperScope = CancelScope(deadline: deadline, shield: true)
        try await withNursery { nursery in
            nursery.startSoon(name: "event waiter") { try await event.wait() }
            nursery.startSoon(name: "locker") { try await lock.withLock {} }
            nursery.startSoon(name: "shielded sleeper") {
                try await withCancelScope(sleeperScope) { _ in try await sleepForever() }
            }
            nursery.startSoon(name: "supervisor") {
                try await withNursery { inner in
                    inner.startSoon(name: "receiver") { _ = try await receive.receive() }
                }
            }
            nursery.startSoon(name: "parent of a starting child") {
                try await nursery.start(name: "slow starter") { (status: consuming TaskStatus<Void>) in
                    try await sleep(for: .seconds(30))
                    status.started()
                }
            }
            try await waitAllTasksBlocked()

            let root = try myRoot()
            #expect(root.state == .untracked)
            #expect(root.nurseries.count == 1)
            let top = try #require(root.nurseries.first)
            #expect(top.location.hasPrefix("TaskTreeTests.swift:"))
            #expect(top.scopes.last?.isNursery == true)
            #expect(!top.isWaitingForChildren)
            let byName = Dictionary(uniqueKeysWithValues: top.children.map { ($0.task.name, $0) })
            #expect(Set(byName.keys) == [
                "event waiter", "locker", "shielded sleeper", "supervisor", "parent of a starting child", "slow starter",
            ])
            #expect(byName["event waiter"]?.state == .waiting(operation: "Event.wait()", until: nil))
            #expect(byName["locker"]?.state == .waiting(operation: "Lock.acquire()", until: nil))
            let sleeper = try #require(byName["shielded sleeper"])
            #expect(sleeper.state == .waiting(operation: "sleepForever()", until: nil))
            #expect(sleeper.waitScopes == [
                TaskTree.Scope(deadline: deadline, shield: true, cancelCalled: false, isCancelled: false, cancelReason: nil, isNursery: false),
            ])
            // The starting child is listed under the nursery, marked as starting, and has its
            // caller as parent.
            let starter = try #require(byName["slow starter"])
            #expect(starter.isStarting)
            #expect(starter.task.parentID == byName["parent of a starting child"]?.task.id)
            if case .waiting(let operation, let until) = starter.state {
                #expect(operation == "sleep(until:)")
                #expect(until != nil)
            } else {
                Issue.record("the starting child should wait in sleep(until:), not \(starter.state)")
            }
            #expect(byName["parent of a starting child"]?.state == .waiting(operation: "Nursery.start (waiting for started())", until: nil))
            // The nested nursery sits under its owner, which waits for its children.
            let supervisor = try #require(byName["supervisor"])
            #expect(supervisor.state == .waiting(operation: "withNursery (waiting for its children)", until: nil))
            let inner = try #require(supervisor.nurseries.first)
            #expect(inner.isWaitingForChildren)
            #expect(inner.scopes.count == 1)
            #expect(inner.children.map(\.task.name) == ["receiver"])
            #expect(inner.children.first?.state == .waiting(operation: "MemoryObjectReceiveStream.receive()", until: nil))
            #expect(inner.children.first?.task.parentID == supervisor.task.id)

            // The text rendering names every task, its wait and its scopes.
            let text = String(describing: try #require(TaskTreeTag.current).taskTree)
            for expected in [
                "\"event waiter\" #", ": waiting in Event.wait()", ": waiting in Lock.acquire()",
                "nursery at TaskTreeTests.swift:", "cancel scope [deadline in ", "shielded]",
                "started() not called yet]", "waiting for its children",
                ": waiting in MemoryObjectReceiveStream.receive()", "└─ ", "├─ ",
            ] {
                #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
            }

            event.set()
            lock.release()
            try await send.send(1)
            sleeperScope.cancel()
            nursery.cancel(reason: "done")
        }
    }

    @Test("a cancel reason and outer scopes of a nursery appear in the tree")
    func cancelReasonAndOuterScopes() async throws {
        let innerShield = CancelScope(shield: true)
        try await withCancelScope(shield: true) { _ in
            try await withNursery { nursery in
                nursery.startSoon(name: "holder") {
                    try await withCancelScope { scope in
                        scope.cancel(reason: "stop now")
                        // Cancelled, so a wait here would throw at once: wait shielded to stay.
                        try await withCancelScope(innerShield) { _ in try await sleepForever() }
                    }
                }
                try await waitAllTasksBlocked()
                let root = try myRoot()
                let nurseryNode = try #require(root.nurseries.first)
                // The shielded scope around the nursery, then the nursery's own scope (outside
                // them: the test's own root scope).
                #expect(nurseryNode.scopes.count == 3)
                #expect(nurseryNode.scopes.dropLast().last?.shield == true)
                #expect(nurseryNode.scopes.last?.isNursery == true)
                let holder = try #require(nurseryNode.children.first)
                #expect(holder.waitScopes.count == 2)
                #expect(holder.waitScopes.first?.cancelCalled == true)
                #expect(holder.waitScopes.first?.cancelReason == "stop now")
                #expect(holder.waitScopes.last?.shield == true)
                let text = String(describing: holder.waitScopes.first!)
                #expect(text == "cancel scope [cancelled (\"stop now\")]")
                innerShield.cancel()
            }
        }
    }

    @Test("finished tasks leave the tree, and an empty tree renders a placeholder")
    func finishedTasksLeave() async throws {
        try await withNursery { nursery in
            nursery.startSoon(name: "quick") {}
        }
        let tree = try #require(TaskTreeTag.current).taskTree
        #expect(tree.roots.isEmpty)
        #expect(tree.description == "(no tasks in nurseries)")
    }

    @Test("currentTaskTree sees a tree process-wide, and a Task { } inside is a root of its own")
    func processWideAndForeignRoots() async throws {
        let event = Event()
        let outside = Task {
            try await withNursery { nursery in
                _ = nursery.startSoon(name: "in a Task") { try await event.wait() }
            }
        }
        // The Task { } is not watched until it has entered its nursery: wait for that first.
        try await testWaitUntil("the Task entered its nursery") {
            TaskTreeTag.current?.taskTree.allTasks.contains { $0.task.name == "in a Task" } == true
        }
        try await waitAllTasksBlocked()
        let everything = currentTaskTree().allTasks.map(\.task.name)
        #expect(everything.contains("in a Task"))
        let mine = try #require(TaskTreeTag.current).taskTree
        // A Task { } inherits the test's tag: it is one of this test's roots.
        #expect(mine.allTasks.contains { $0.task.name == "in a Task" })
        event.set()
        try await outside.value
    }

    @Test("a task waiting for a Lock names the holder and the other waiters; a holder AnyIO did not start is flagged")
    func lockHolderIsNamed() async throws {
        let lock = Lock()
        // A plain task takes the lock and ends without releasing it: the library cannot see it
        // end, so the waiters hang until cancelled; the tree must say who holds the lock.
        try await Task { try await lock.acquire() }.value
        try await withNursery { nursery in
            nursery.startSoon(name: "first waiter") { try await lock.withLock {} }
            try await waitAllTasksBlocked()
            nursery.startSoon(name: "second waiter") { try await lock.withLock {} }
            try await waitAllTasksBlocked()

            let root = try myRoot()
            let children = try #require(root.nurseries.first).children
            let first = try #require(children.first { $0.task.name == "first waiter" })
            let second = try #require(children.first { $0.task.name == "second waiter" })
            let blocked = try #require(first.blockedOn)
            #expect(blocked.hasPrefix("held by Swift task swift-task@0x"))
            #expect(blocked.contains("not started by AnyIO"))
            #expect(blocked.contains("waiting: \"first waiter\" \(first.task.id), \"second waiter\" \(second.task.id)"))
            #expect(second.blockedOn == blocked)
            let text = try #require(TaskTreeTag.current).taskTree.description
            #expect(text.contains("waiting in Lock.acquire() [held by Swift task"), "\(text)")
            nursery.cancel()
        }
        // A library holder is named by its name and number.
        let owned = Lock()
        try await withNursery { nursery in
            let holding = Event()
            nursery.startSoon(name: "holder") {
                try await owned.withLock {
                    holding.set()
                    try await sleepForever()
                }
            }
            try await holding.wait()
            nursery.startSoon(name: "waiter") { try await owned.withLock {} }
            try await waitAllTasksBlocked()
            let children = try #require(try myRoot().nurseries.first).children
            let holder = try #require(children.first { $0.task.name == "holder" })
            let waiter = try #require(children.first { $0.task.name == "waiter" })
            #expect(waiter.blockedOn == "held by \"holder\" \(holder.task.id); waiting: \"waiter\" \(waiter.task.id)")
            #expect(holder.blockedOn == nil)
            nursery.cancel()
        }
    }
}
