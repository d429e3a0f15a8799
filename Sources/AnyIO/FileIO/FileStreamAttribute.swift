//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The typed attributes that ``FileReadStream`` and ``FileWriteStream`` answer.
///
/// ```swift
/// let stream = try await FileReadStream.fromPath("/etc/hosts")
/// print(try stream.extra(FileStreamAttribute.path))   // "/etc/hosts"
/// ```
///
/// - SeeAlso: AnyIO `FileStreamAttribute`.
public enum FileStreamAttribute {
    /// The path the file was opened with.
    public static let path = TypedAttribute<String>("FileStreamAttribute.path")

    /// The file's descriptor; looking it up after the stream was closed throws
    /// ``ClosedResourceError``. Do not close it yourself.
    ///
    /// - SeeAlso: AnyIO `FileStreamAttribute.fileno`.
    public static let fileDescriptor = TypedAttribute<Int32>("FileStreamAttribute.fileDescriptor")

    /// The attributes of a file stream over `core`.
    static func attributes(of core: FileCore) -> TypedAttributeSet {
        var attributes = TypedAttributeSet()
        attributes.set(path, to: core.path)
        attributes[fileDescriptor] = { [core] in
            guard !core.isClosed else { throw ClosedResourceError() }
            return core.descriptor
        }
        return attributes
    }
}
