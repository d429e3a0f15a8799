//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// How a task was named: explicitly, or after its call site (formatted lazily).
enum TaskName: Sendable {
    case given(String)
    case callSite(fileID: StaticString, line: UInt)

    var text: String {
        switch self {
        case .given(let name):
            return name
        case .callSite(let fileID, let line):
            let path = fileID.description
            let file = path.split(separator: "/").last.map(String.init) ?? path
            return "\(file):\(line)"
        }
    }
}
