//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import _AnyIOProcessCShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A child process's standard input, as a `ByteSendStream`.
///
/// A send writes with non-blocking `write(2)` calls until every byte is in the pipe, parking
/// while the pipe is full (the task tree shows `stdin of process 12345 (…)`). A send is a
/// checkpoint; a cancelled send may have written a prefix (AnyIO's rule for byte streams). When
/// the child has closed its end (or exited), sending throws `BrokenResourceError`; the process
/// is never killed by `SIGPIPE`. ``close()`` sends end-of-file to the child.
///
/// - SeeAlso: AnyIO's `anyio.abc.ByteSendStream` of `Process.stdin`.
final class ProcessSendStream: ByteSendStream {
    let end: PipeEnd
    private let sendGuard = ResourceGuard(action: "writing to")

    init(end: PipeEnd) {
        self.end = end
    }

    func send(_ bytes: [UInt8]) async throws {
        try await sendGuard.withGuard {
            try throwIfCancelled()
            // An empty send still reports a closed stream.
            if bytes.isEmpty, end.isClosed { throw ClosedResourceError() }
            var offset = 0
            var waited = false
            while offset < bytes.count {
                var failure: Int32 = 0
                let written = try end.withDescriptor { descriptor -> Int in
                    bytes.withUnsafeBytes { buffer in
                        let n = anyio_write_no_sigpipe(
                            descriptor, buffer.baseAddress! + offset, UInt(bytes.count - offset))
                        if n < 0 { failure = errno }
                        return Int(n)
                    }
                }
                if written >= 0 {
                    offset += written
                    continue
                }
                switch failure {
                case EINTR:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    try await end.waitUntilReady()
                    waited = true
                case EPIPE:
                    throw BrokenResourceError(reason: "\(end.site.blockingDescription) was closed by the child")
                default:
                    throw BrokenResourceError(reason: "writing \(end.site.blockingDescription) failed: \(errorString(failure))")
                }
            }
            if !waited { await yieldSchedulePoint() }
        }
    }

    func close() async {
        end.close()
    }

    func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        try TypedAttributeSet().value(of: attribute)
    }
}
