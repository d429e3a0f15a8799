//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

extension CapacityLimiter {
    /// Something that holds a token of a ``CapacityLimiter``: a task, or any value given to
    /// ``CapacityLimiter/acquire(onBehalfOf:)``.
    ///
    /// Two borrowers are equal when their ``base`` values are equal (as `AnyHashable` compares
    /// them). Wrapping a `Borrower` again gives the same borrower.
    ///
    /// ```swift
    /// try await limiter.acquire(onBehalfOf: "job-42")
    /// assert(limiter.statistics().borrowers.contains(CapacityLimiter.Borrower("job-42")))
    /// ```
    ///
    /// - SeeAlso: AnyIO `CapacityLimiterStatistics.borrowers`.
    // @unchecked Sendable: `key` is an `AnyHashable` (not `Sendable` in the standard library) that
    // wraps `base`, and every initializer builds both from a value that is `Sendable`; `key` is
    // immutable and only hashed and compared.
    public struct Borrower: Hashable, @unchecked Sendable, CustomStringConvertible {
        /// The borrower value: what was given to `acquire(onBehalfOf:)`, or an opaque value that
        /// stands for a task.
        public let base: any Hashable & Sendable
        /// `base`, type-erased for hashing and comparing.
        private let key: AnyHashable
        /// How the borrower shows in messages; fixed at creation.
        public let description: String

        /// Wraps a borrower value.
        ///
        /// - Parameter base: Any hashable, sendable value; a `Borrower` is taken as is.
        public init(_ base: some Hashable & Sendable) {
            if let borrower = base as? Borrower {
                self = borrower
            } else {
                self.base = base
                key = AnyHashable(base)
                description = "borrower \(String(reflecting: base))"
            }
        }

        /// The borrower that stands for a task (the default borrower).
        init(task: LogicalTask) {
            base = task
            key = AnyHashable(task)
            description = task.description
        }

        /// Whether two borrowers wrap equal values.
        public static func == (lhs: Borrower, rhs: Borrower) -> Bool {
            lhs.key == rhs.key
        }

        /// Hashes the wrapped value.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(key)
        }
    }
}
