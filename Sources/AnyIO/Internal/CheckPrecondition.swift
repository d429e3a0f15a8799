//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Traps with `message` unless `condition` holds, in every build configuration.
///
/// The standard `precondition` and `preconditionFailure` print no message in `-O` builds, and a
/// misuse trap without its message tells the user nothing. So every trap of the library that a
/// user can cause goes through here or `fatalError` (SwiftNIO's practice). Checks of internal
/// invariants that only `-DANYIO_INTERNAL_CHECKS` enables may use `precondition`.
@inline(__always)
package func checkPrecondition(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #file,
    line: UInt = #line
) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
