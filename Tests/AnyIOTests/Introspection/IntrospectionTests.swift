//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIOTesting
import Synchronization
import Testing

@testable import AnyIO

@Suite("Introspection", .timeLimit(.minutes(1)), .anyIO(timeLimit: .seconds(20)))
struct IntrospectionTests {
    @Test("a child's info has its name and the nursery owner as parent")
    func childInfo() async throws {
        let host = currentTaskInfo()
        #expect(!host.id.isLibraryTask)
        #expect(host.parentID == nil)
        let infos = TestBox<[TaskInfo]>([])
        try await withNursery { nursery in
            nursery.startSoon(name: "named") { infos.append(currentTaskInfo()) }
            nursery.startSoon { infos.append(currentTaskInfo()) }
        }
        let byName = Dictionary(uniqueKeysWithValues: infos.value.map { ($0.name, $0) })
        let named = try #require(byName["named"])
        #expect(named.id.isLibraryTask)
        #expect(named.parentID == host.id)
        // The unnamed child is named after its call site.
        let unnamed = try #require(infos.value.first { $0.name != "named" })
        #expect(unnamed.name.hasPrefix("IntrospectionTests.swift:"))
        #expect(unnamed.parentID == host.id)
        #expect(named.id != unnamed.id)
    }
    // anyio: tests/test_debugging.py::test_non_main_task_name (names), SPEC I1

    @Test("a plain Task {} created by a library task is a foreign task: its own id, no parent")
    func plainTaskInsideLibraryTask() async throws {
        let infos = TestBox<[TaskInfo]>([])
        try await withNursery { nursery in
            nursery.startSoon(name: "creator") {
                infos.append(currentTaskInfo())
                // Inside a scope too: the task-locals the Task copies must not make it the creator.
                try await withCancelScope { _ in
                    let inner = await Task { currentTaskInfo() }.value
                    infos.append(inner)
                    let grouped = await withTaskGroup(of: TaskInfo.self) { group in
                        group.addTask { currentTaskInfo() }
                        return await group.next()!
                    }
                    infos.append(grouped)
                }
            }
        }
        let creator = infos.value[0]
        #expect(creator.name == "creator")
        for other in infos.value.dropFirst() {
            #expect(other.id != creator.id)
            #expect(other.parentID == nil)
            #expect(!other.id.isLibraryTask)
        }
    }
    // SPEC I1 (issue 10: a Task {} inherited its creator's task-local)

    @Test("a plain Task {} inside a cancelled scope is not cancelled by it and does not see its deadline")
    func plainTaskIsNotPartOfTheScope() async throws {
        let seen = TestBox<(cancelled: Bool, deadline: ContinuousClock.Instant?)?>(nil)
        try await withCancelScope(deadline: .now + .seconds(60)) { scope in
            scope.cancel()
            let task = Task {
                let cancelled: Bool
                do {
                    try await LowLevel.checkpoint()
                    cancelled = false
                } catch {
                    cancelled = true
                }
                seen.value = (cancelled, currentEffectiveDeadline())
            }
            await task.value
        }
        #expect(seen.value?.cancelled == false)
        #expect(seen.value?.deadline == nil)
    }

    @Test("a start child's name: the given one (also empty), or its call site", arguments: [nil, "name", ""] as [String?])
    func startChildName(given: String?) async throws {
        let name = try await withNursery { nursery in
            try await nursery.start(name: given) { (status: consuming TaskStatus<String>) in
                status.started(currentTaskInfo().name)
            }
        }
        if let given {
            #expect(name == given)
        } else {
            #expect(name.hasPrefix("IntrospectionTests.swift:"))
        }
    }
    // anyio: tests/test_debugging.py::test_non_main_task_name

    @Test("descriptions are equal when they describe the same task")
    func equalityIsByID() async throws {
        let infos = TestBox<[TaskInfo]>([])
        try await withNursery { outer in
            outer.startSoon {
                try await outer.start { (status: consuming TaskStatus<Void>) in
                    infos.append(currentTaskInfo())
                    status.started()
                    infos.append(currentTaskInfo())
                }
            }
        }
        let (before, after) = (infos.value[0], infos.value[1])
        #expect(before.parentID != after.parentID)
        #expect(before == after)
        #expect(Set([before, after]).count == 1)
    }
    // anyio: src/anyio/_core/_testing.py (TaskInfo.__eq__ compares ids)

    @Test("the bodies of scopes and nurseries are their task: the same info inside and outside")
    func scopeBodiesAreTheirTask() async throws {
        let outside = currentTaskInfo()
        let inside = try await withCancelScope { _ in
            try await withNursery { _ in currentTaskInfo() }
        }
        #expect(inside == outside)
        let fromChild = TestBox<(TaskInfo, TaskInfo)?>(nil)
        try await withNursery { nursery in
            nursery.startSoon(name: "child") {
                let before = currentTaskInfo()
                let within = try await moveOnAfter(.seconds(5)) { _ in currentTaskInfo() }
                fromChild.value = (before, within!)
            }
        }
        let (before, within) = try #require(fromChild.value)
        #expect(before == within)
        #expect(before.name == "child")
    }
    // anyio: tests/test_debugging.py::test_get_current_task (identity across scopes), SPEC I1

    @Test("a start child's parent is the caller of start until started, then the nursery's owner")
    func startChildParent() async throws {
        let host = currentTaskInfo()
        let seen = TestBox<[String: TaskInfo]>([:])
        try await withNursery { outer in
            outer.startSoon(name: "starter") {
                seen.update { $0["starter"] = currentTaskInfo() }
                try await outer.start(name: "started") { (status: consuming TaskStatus<Void>) in
                    seen.update { $0["before"] = currentTaskInfo() }
                    status.started()
                    seen.update { $0["after"] = currentTaskInfo() }
                }
            }
        }
        let starter = try #require(seen.value["starter"])
        let before = try #require(seen.value["before"])
        let after = try #require(seen.value["after"])
        #expect(before.parentID == starter.id)
        #expect(after.parentID == host.id)
        #expect(before.id == after.id)
        #expect(starter.parentID == host.id)
    }
    // anyio: tests/test_debugging.py::test_get_running_tasks (parent ids), SPEC I1

    @Test("runningTasks lists the children and the task running the nursery body")
    func runningTasksListsChildren() async throws {
        let host = currentTaskInfo()
        let event = Event()
        let snapshot = TestBox<[TaskInfo]>([])
        try await withNursery { nursery in
            let before = Set(runningTasks())
            nursery.startSoon(name: "task1") { try await event.wait() }
            nursery.startSoon(name: "task2") { try await event.wait() }
            nursery.startSoon(name: "inspect") {
                try await waitAllTasksBlocked()
                snapshot.value = Array(Set(runningTasks()).subtracting(before))
                event.set()
            }
        }
        let mine = snapshot.value.filter { $0.parentID == host.id }.sorted { $0.name < $1.name }
        #expect(mine.map(\.name) == ["inspect", "task1", "task2"])
        for task in mine {
            #expect(task.id.isLibraryTask)
            #expect(task.description.hasPrefix("\"\(task.name)\" #"))
        }
    }
    // anyio: tests/test_debugging.py::test_get_running_tasks, SPEC I2

    @Test("a Swift task the library did not start is named by its Task(name:)")
    func foreignTaskName() async throws {
        let named = await Task(name: "named root") { currentTaskInfo() }.value
        #expect(named.name == "named root")
        #expect(named.parentID == nil)
        let unnamed = await Task { currentTaskInfo() }.value
        #expect(unnamed.name == "unnamed Swift task")
    }
    // anyio: tests/test_debugging.py::test_main_task_name (the name of a task AnyIO did not start)

    @Test("hasPendingCancellation: set inside a cancelled scope, for the task and in the tree")
    func pendingCancellation() async throws {
        #expect(!currentTaskInfo().hasPendingCancellation)
        let inside: Bool? = try await withCancelScope { scope in
            scope.cancel()
            return currentTaskInfo().hasPendingCancellation
        }
        #expect(inside == true)
        let shield = CancelScope(shield: true)
        try await withNursery { nursery in
            nursery.startSoon(name: "owner") {
                try await withNursery { inner in
                    inner.startSoon(name: "shielded") {
                        try await withCancelScope(shield) { _ in try await sleepForever() }
                    }
                    // The owner now waits for its child inside a cancelled scope.
                    inner.cancel()
                }
            }
            try await waitAllTasksBlocked()
            let tasks = try #require(TaskTreeTag.current).taskTree.allTasks.map(\.task)
            let owner = tasks.filter { $0.name == "owner" }
            let shielded = tasks.filter { $0.name == "shielded" }
            #expect(owner.count == 1 && shielded.count == 1)
            #expect(owner.first?.hasPendingCancellation == true)
            #expect(shielded.first?.hasPendingCancellation == false)
            shield.cancel()
        }
    }
    // anyio: src/anyio/_core/_testing.py (TaskInfo.has_pending_cancellation)

    @Test("runningTasks lists a task while it runs a nursery body, and not after")
    func runningTasksListsNurseryOwner() async throws {
        let host = currentTaskInfo()
        let inside = try await withNursery { _ in runningTasks() }
        #expect(inside.contains(host))
        #expect(!runningTasks().contains(host))
    }
    // SPEC I2
}
