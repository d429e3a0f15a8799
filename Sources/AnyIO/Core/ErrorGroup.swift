//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The errors of a nursery whose body or children failed.
///
/// `withNursery` throws an `ErrorGroup` whenever at least one task failed with an error other
/// than `CancellationError`, even for a single error (AnyIO 4 and Trio's strict groups), so a
/// caller handles one shape. Cancellation errors never appear in a group.
///
/// ```swift
/// do {
///     try await withNursery { nursery in … }
/// } catch let group as ErrorGroup {
///     for failure in group.failures { print(failure.taskName, failure.error) }
/// }
/// ```
///
/// - SeeAlso: AnyIO/Python `ExceptionGroup`.
public struct ErrorGroup: Error, CustomStringConvertible {
    /// One error, with the task that threw it.
    public struct Failure: Sendable {
        /// The name of the task: its `name:` when started, else its call site (`File.swift:42`);
        /// for the nursery's body, the name of the task running `withNursery`.
        public var taskName: String
        /// The error the task threw.
        public var error: any Error

        /// Creates a failure record.
        public init(taskName: String, error: any Error) {
            self.taskName = taskName
            self.error = error
        }
    }

    /// The failures, in the order they happened.
    public var failures: [Failure]

    /// Creates a group from failures, in the order they happened.
    public init(failures: [Failure]) {
        self.failures = failures
    }

    /// The raw errors, in the order they happened.
    public var errors: [any Error] { failures.map(\.error) }

    /// Whether the group holds an error of type `E`, also inside nested groups.
    public func contains<E: Error>(_ type: E.Type) -> Bool {
        errors.contains { error in
            if error is E { return true }
            if let nested = error as? ErrorGroup { return nested.contains(type) }
            return false
        }
    }

    /// Lists every failure with its task.
    public var description: String {
        let count = failures.count
        var text = "ErrorGroup: \(count) error\(count == 1 ? "" : "s")"
        for failure in failures {
            let nested = String(describing: failure.error).split(separator: "\n", omittingEmptySubsequences: false)
                .joined(separator: "\n    ")
            text += "\n  - task \"\(failure.taskName)\": \(nested)"
        }
        return text
    }
}
