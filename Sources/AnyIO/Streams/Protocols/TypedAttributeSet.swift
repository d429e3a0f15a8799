//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A table from typed attributes to the code that computes them: the easy way to implement
/// ``TypedAttributeProvider/extra(_:)``, like AnyIO's `extra_attributes` mapping.
///
/// A wrapper puts its own attributes in front of the attributes of what it wraps, so that its
/// own answers win:
///
/// ```swift
/// final class CountingStream: ByteReceiveStream {
///     static let bytesReceived = TypedAttribute<Int>("bytesReceived")
///     let inner: any ByteReceiveStream
///     let counter = Mutex(0)
///     …
///     func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
///         var attributes = TypedAttributeSet()
///         attributes[Self.bytesReceived] = { [counter] in counter.withLock { $0 } }
///         return try attributes.value(of: attribute, else: inner)
///     }
/// }
/// ```
public struct TypedAttributeSet: Sendable {
    private var getters: [UInt64: @Sendable () throws -> any Sendable] = [:]

    /// Makes an empty table.
    public init() {}

    /// The code that computes the value of `attribute`, or `nil` if the table does not have it.
    ///
    /// The getter is called on every lookup, so it may answer a value that changes.
    public subscript<Value>(attribute: TypedAttribute<Value>) -> (@Sendable () throws -> Value)? {
        get {
            guard let getter = getters[attribute.id] else { return nil }
            return {
                // Invariant: the setter stores only getters that return `Value` under this key.
                try getter() as! Value
            }
        }
        set {
            if let newValue {
                getters[attribute.id] = { try newValue() }
            } else {
                getters[attribute.id] = nil
            }
        }
    }

    /// Sets a fixed value for `attribute`.
    ///
    /// - Parameters:
    ///   - attribute: The key.
    ///   - value: What the lookup returns.
    public mutating func set<Value>(_ attribute: TypedAttribute<Value>, to value: Value) {
        self[attribute] = { value }
    }

    /// Whether the table has `attribute`.
    public func contains<Value>(_ attribute: TypedAttribute<Value>) -> Bool {
        getters[attribute.id] != nil
    }

    /// Looks `attribute` up in the table; if it is not there, in `fallback` (the wrapped stream),
    /// if any.
    ///
    /// - Parameters:
    ///   - attribute: The key to look up.
    ///   - fallback: Where to look next, usually the stream a wrapper wraps.
    /// - Returns: The value.
    /// - Throws: ``TypedAttributeLookupError`` if neither has it; what a getter throws.
    public func value<Value>(
        of attribute: TypedAttribute<Value>,
        else fallback: (any TypedAttributeProvider)? = nil
    ) throws -> Value {
        if let getter = self[attribute] { return try getter() }
        if let fallback { return try fallback.extra(attribute) }
        throw TypedAttributeLookupError(attribute: attribute)
    }
}
