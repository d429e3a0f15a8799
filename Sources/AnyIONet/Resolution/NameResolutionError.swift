//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// A name could not be resolved: the resolver's error (`getaddrinfo`, `getnameinfo`), with the
/// name it was about.
///
/// - SeeAlso: AnyIO (Python) raises `socket.gaierror` for these.
public struct NameResolutionError: Error, Hashable, CustomStringConvertible {
    /// The resolver's error code (`EAI_NONAME`, `EAI_AGAIN`, …).
    public var code: Int32
    /// The name (or address) that was looked up.
    public var name: String
    /// The resolver's message for ``code``.
    public var message: String

    /// Creates the error.
    ///
    /// - Parameters:
    ///   - code: The resolver's error code.
    ///   - name: The name that was looked up.
    ///   - message: The resolver's message.
    public init(code: Int32, name: String, message: String) {
        self.code = code
        self.name = name
        self.message = message
    }

    /// Explains the error: `cannot resolve 'nowhere.invalid': Name or service not known`.
    public var description: String {
        "NameResolutionError: cannot resolve '\(name)': \(message) (code \(code))"
    }
}
