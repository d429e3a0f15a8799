//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A memory object stream endpoint is an object stream: code written against
/// ``ObjectReceiveStream`` (a ``StapledObjectStream``, a generic consumer) takes it as it is.
/// It has no typed attributes.
extension MemoryObjectReceiveStream: ObjectReceiveStream {
    /// A memory stream has no typed attributes: always throws ``TypedAttributeLookupError``.
    public func extra<Value>(_ attribute: TypedAttribute<Value>) throws -> Value {
        throw TypedAttributeLookupError(attribute: attribute)
    }
}

/// See ``MemoryObjectReceiveStream``'s conformance.
extension MemoryObjectSendStream: ObjectSendStream {
    /// A memory stream has no typed attributes: always throws ``TypedAttributeLookupError``.
    public func extra<Value>(_ attribute: TypedAttribute<Value>) throws -> Value {
        throw TypedAttributeLookupError(attribute: attribute)
    }
}
