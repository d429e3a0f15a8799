//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

// How a `TaskTree` renders as text: one line a task, nursery or scope list.

extension TaskTree: CustomStringConvertible {
    /// The tree as indented text, one line a task, nursery or scope list.
    public var description: String {
        var lines: [String] = []
        for root in roots { render(root, prefix: "", childPrefix: "", into: &lines) }
        return lines.isEmpty ? "(no tasks in nurseries)" : lines.joined(separator: "\n")
    }

    private func render(_ node: Node, prefix: String, childPrefix: String, into lines: inout [String]) {
        var line = prefix
        if node.task.id.isLibraryTask {
            // The parent is the line above, except for a starting child (its caller).
            line += "\"\(node.task.name)\" \(node.task.id)"
        } else if node.task.name == unnamedTaskName {
            line += "\(node.task.name) \(node.task.id)"
        } else {
            line += "Swift task \"\(node.task.name)\" \(node.task.id)"
        }
        switch node.state {
        case .notStarted: line += ": not started yet"
        case .running: line += ": running"
        case .waiting(let operation, let until):
            line += ": waiting in \(operation)"
            if let until {
                let remaining = until - takenAt
                line += remaining > .zero ? " for \(Scope.seconds(remaining))" : " (due)"
            }
            if let blockedOn = node.blockedOn { line += " [\(blockedOn)]" }
        case .finishing: line += ": finishing"
        case .untracked: break
        }
        if !node.waitScopes.isEmpty {
            line += ", inside " + node.waitScopes.map { $0.description(at: takenAt) }.joined(separator: " > ")
        }
        if node.isStarting {
            line += " [starting, for \(node.task.parentID.map { "\($0)" } ?? "its caller"): started() not called yet]"
        }
        lines.append(line)
        for (index, nursery) in node.nurseries.enumerated() {
            let last = index == node.nurseries.count - 1
            var header = childPrefix + (last ? "└─ " : "├─ ") + "nursery at \(nursery.location)"
            let outer = nursery.scopes.dropLast()
            if !outer.isEmpty { header += ", inside " + outer.map { $0.description(at: takenAt) }.joined(separator: " > ") }
            if let own = nursery.scopes.last, own.deadline != nil || own.shield || own.isCancelled {
                header += " [\(own.description(at: takenAt))]"
            }
            if nursery.isWaitingForChildren { header += "; waiting for its children" }
            lines.append(header)
            let nested = childPrefix + (last ? "   " : "│  ")
            for (childIndex, child) in nursery.children.enumerated() {
                let lastChild = childIndex == nursery.children.count - 1
                render(
                    child,
                    prefix: nested + (lastChild ? "└─ " : "├─ "),
                    childPrefix: nested + (lastChild ? "   " : "│  "),
                    into: &lines
                )
            }
        }
    }
}

extension String {
    /// Two digits, zero-padded.
    init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
