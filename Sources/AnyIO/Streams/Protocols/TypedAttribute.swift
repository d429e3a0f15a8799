//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import Synchronization

/// A key for a piece of information a stream (or a listener, or any ``TypedAttributeProvider``)
/// can answer: its local port, its TLS version, the file it reads.
///
/// Every `init()` makes a new key, distinct from every other, so a module declares its keys once
/// as constants:
///
/// ```swift
/// enum ConnectionAttribute {
///     static let peerName = TypedAttribute<String>("peerName")
/// }
///
/// let name = try stream.extra(ConnectionAttribute.peerName)
/// ```
///
/// - SeeAlso: AnyIO `typed_attribute()`.
public struct TypedAttribute<Value: Sendable>: Sendable, Hashable, CustomStringConvertible {
    /// The key's identity: a number no other key has.
    let id: UInt64
    /// A name for messages, such as `"localPort"`; not part of the identity.
    public let name: String

    /// Makes a new key, distinct from every other key.
    public init() {
        self.init("attribute")
    }

    /// Makes a new key with a name for messages, distinct from every other key (also from a key
    /// with the same name).
    ///
    /// - Parameter name: What the key stands for, shown in ``TypedAttributeLookupError``.
    public init(_ name: String) {
        id = TypedAttributeKeys.next.wrappingAdd(1, ordering: .relaxed).oldValue
        self.name = name
    }

    /// Whether two keys are the same key (the name does not take part).
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.id == rhs.id }

    /// Hashes the key's identity.
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// The key's name and its value type, such as `localPort: Int`.
    public var description: String { "\(name): \(Value.self)" }
}

/// The source of `TypedAttribute` identities.
enum TypedAttributeKeys {
    static let next = Atomic<UInt64>(1)
}

/// Thrown by ``TypedAttributeProvider/extra(_:)`` when the provider does not have the asked-for
/// attribute.
///
/// Providers written outside the library throw it too.
///
/// - SeeAlso: AnyIO `TypedAttributeLookupError`.
public struct TypedAttributeLookupError: Error, Hashable, CustomStringConvertible {
    /// The attribute that was asked for, if known (such as `"localPort: Int"`).
    public var attribute: String?

    /// Creates the error.
    public init() {
        attribute = nil
    }

    /// Creates the error for an attribute.
    ///
    /// - Parameter attribute: The attribute that was asked for.
    public init<Value>(attribute: TypedAttribute<Value>) {
        self.attribute = attribute.description
    }

    /// Explains the error.
    public var description: String {
        let which = attribute.map { "the attribute \($0)" } ?? "the attribute"
        return "TypedAttributeLookupError: this object does not provide \(which); use extra(_:default:) where it is optional"
    }
}

/// Something that answers typed attributes: ``extra(_:)`` looks one up.
///
/// A wrapper (a buffered stream, a text stream, a TLS stream) answers the attributes of the
/// stream it wraps as well as its own. ``TypedAttributeSet`` is the easy way to implement the
/// requirement.
///
/// - SeeAlso: AnyIO `TypedAttributeProvider`.
public protocol TypedAttributeProvider {
    /// Returns the value of `attribute`.
    ///
    /// - Parameter attribute: The key to look up.
    /// - Returns: The value.
    /// - Throws: ``TypedAttributeLookupError`` if this provider (and whatever it wraps) does not
    ///   have the attribute; or the error of computing the value (such as a system call that
    ///   failed).
    func extra<T>(_ attribute: TypedAttribute<T>) throws -> T
}

extension TypedAttributeProvider {
    /// Returns the value of `attribute`, or `default` if the provider does not have it (or could
    /// not compute it).
    ///
    /// - Parameters:
    ///   - attribute: The key to look up.
    ///   - default: The value to return when the lookup throws.
    /// - Returns: The value, or `default`.
    public func extra<T>(_ attribute: TypedAttribute<T>, default: T) -> T {
        (try? extra(attribute)) ?? `default`
    }
}
