//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// `File.swift:12` for a call site, to name the tasks a utility starts. (Utilities use the public
/// API only, so they do not borrow Core's `TaskName`, which formats call sites the same way.)
func callSiteName(fileID: StaticString, line: UInt) -> String {
    let path = fileID.description
    let file = path.split(separator: "/").last.map(String.init) ?? path
    return "\(file):\(line)"
}
