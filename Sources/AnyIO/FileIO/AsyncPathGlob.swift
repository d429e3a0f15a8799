//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The paths that match a pattern, as returned by ``AsyncPath/glob(_:)``.
///
/// The walk keeps a stack of pending (directory, component index) items; each `next()` that
/// needs more matches expands one item on a worker thread, reading at most one directory.
struct AsyncPathGlob: AsyncSequence {
    typealias Element = AsyncPath
    typealias Failure = any Error

    let directory: AsyncPath
    let pattern: String
    let ledger: FileDescriptorLedger?

    /// One pending step of the walk: match `components[index...]` below `directory`.
    struct Item: Sendable {
        var directory: AsyncPath
        var index: Int
    }

    /// What expanding one item produced.
    struct Expansion: Sendable {
        var matches: [AsyncPath] = []
        var items: [Item] = []
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        typealias Element = AsyncPath
        typealias Failure = any Error

        let pattern: String
        let ledger: FileDescriptorLedger?
        /// The pattern's components, split at the first `next()`.
        var components: [String]?
        var stack: [Item]
        var matches: [AsyncPath] = []
        var matchIndex = 0
        var finished = false

        mutating func next() async throws -> AsyncPath? {
            guard !finished else { return nil }
            do {
                let components = try self.components ?? AsyncPathGlob.split(pattern)
                self.components = components
                var checkpointed = false
                while matchIndex == matches.count {
                    guard let item = stack.popLast() else {
                        finished = true
                        if !checkpointed { try await LowLevel.checkpoint() }
                        return nil
                    }
                    let ledger = ledger
                    let expansion = try await ToThread.runSync {
                        AsyncPathGlob.expand(item, components: components, ledger: ledger)
                    }
                    checkpointed = true
                    matches = expansion.matches
                    matchIndex = 0
                    stack.append(contentsOf: expansion.items.reversed())
                }
                if !checkpointed { try await LowLevel.checkpoint() }
                matchIndex += 1
                return matches[matchIndex - 1]
            } catch {
                finished = true
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(pattern: pattern, ledger: ledger, stack: [Item(directory: directory, index: 0)])
    }

    /// The pattern's components, with `.` and empty ones dropped.
    static func split(_ pattern: String) throws -> [String] {
        guard !pattern.isEmpty else {
            throw InvalidArgumentError("AsyncPath.glob: the pattern is empty; pass a pattern such as \"*\" or \"**/*.txt\"")
        }
        guard !pattern.hasPrefix("/") else {
            throw InvalidArgumentError(
                "AsyncPath.glob: \"\(pattern)\" is absolute; pass a pattern relative to the path, and glob from \"/\" instead")
        }
        return pattern.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    /// Whether a component has wildcard characters.
    static func isWildcard(_ component: String) -> Bool {
        component.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// Expands one item (blocking; on a worker thread). Unreadable directories expand to nothing.
    static func expand(_ item: Item, components: [String], ledger: FileDescriptorLedger?) -> Expansion {
        var expansion = Expansion()
        let index = item.index
        guard index < components.count else {
            // Every component matched: the directory itself is the match.
            if (try? FileSystemCalls.exists(item.directory.description, followingLinks: false)) != nil {
                expansion.matches.append(item.directory)
            }
            return expansion
        }
        let component = components[index]
        let isLast = index == components.count - 1
        if component == "**" {
            let entries = (try? FileSystemCalls.listDirectory(item.directory.description, ledger: ledger)) ?? []
            if isLast {
                // A trailing `**`: every file and directory below.
                for entry in entries {
                    let child = item.directory / entry.name
                    expansion.matches.append(child)
                    if entry.isDirectory { expansion.items.append(Item(directory: child, index: index)) }
                }
            } else {
                // Zero directories, then each subdirectory (not following links) recursively.
                expansion.items.append(Item(directory: item.directory, index: index + 1))
                for entry in entries where entry.isDirectory {
                    expansion.items.append(Item(directory: item.directory / entry.name, index: index))
                }
            }
        } else if isWildcard(component) {
            let entries = (try? FileSystemCalls.listDirectory(item.directory.description, ledger: ledger)) ?? []
            for entry in entries where fnmatch(component, entry.name, 0) == 0 {
                let child = item.directory / entry.name
                if isLast {
                    expansion.matches.append(child)
                } else if entry.isDirectory || (entry.isSymbolicLink && isDirectory(child)) {
                    expansion.items.append(Item(directory: child, index: index + 1))
                }
            }
        } else {
            // A literal component: no listing needed.
            let child = item.directory / component
            if isLast {
                if (try? FileSystemCalls.exists(child.description, followingLinks: false)) != nil {
                    expansion.matches.append(child)
                }
            } else if isDirectory(child) {
                expansion.items.append(Item(directory: child, index: index + 1))
            }
        }
        return expansion
    }

    /// Whether `path` is a directory, following links.
    private static func isDirectory(_ path: AsyncPath) -> Bool {
        guard let info = try? FileSystemCalls.exists(path.description) else { return false }
        return FileSystemCalls.kind(of: info) == .directory
    }
}
