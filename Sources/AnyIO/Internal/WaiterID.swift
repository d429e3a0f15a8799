//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// Identifies one suspended call of a primitive, so its cancellation handler can find it (and so
/// a cancellation that arrives before the call suspended can be recognised).
struct WaiterID: Hashable, Sendable {
    private static let counter = Atomic<UInt64>(0)

    let rawValue: UInt64

    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// A process-wide unique id.
    static func next() -> WaiterID {
        WaiterID(rawValue: counter.wrappingAdd(1, ordering: .relaxed).newValue)
    }
}
