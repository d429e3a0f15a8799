//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A child process's standard output or standard error, as a `ByteReceiveStream`.
///
/// Each receive is one non-blocking `read(2)`; when the pipe is empty the task parks until the
/// pipe becomes readable (the task tree shows `stdout of process 12345 (…)`). A receive is a
/// checkpoint and cancel-safe: bytes are taken only by the `read` whose result is returned, so a
/// cancelled receive loses nothing. When the child (and every process sharing the pipe) has
/// closed its end, receiving throws `EndOfStreamError`. ``close()`` wakes a waiting receive with
/// `ClosedResourceError`. A second concurrent receive throws `BusyResourceError`.
///
/// - SeeAlso: AnyIO's `anyio.abc.ByteReceiveStream` of `Process.stdout`.
final class ProcessReceiveStream: ByteReceiveStream {
    let end: PipeEnd
    private let receiveGuard = ResourceGuard(action: "reading from")

    init(end: PipeEnd) {
        self.end = end
    }

    func receive(maxBytes: Int) async throws -> [UInt8] {
        try checkMaxBytes(maxBytes, of: "receive(maxBytes:)")
        return try await receiveGuard.withGuard {
            try throwIfCancelled()
            var waited = false
            while true {
                var failure: Int32 = 0
                let bytes = try end.withDescriptor { descriptor -> [UInt8]? in
                    let result = [UInt8](unsafeUninitializedCapacity: maxBytes) { buffer, count in
                        let n = read(descriptor, buffer.baseAddress, maxBytes)
                        if n < 0 { failure = errno }
                        count = max(n, 0)
                    }
                    return failure == 0 ? result : nil
                }
                if let bytes {
                    // Zero bytes from a successful read: every writer has closed the pipe.
                    if bytes.isEmpty { throw EndOfStreamError() }
                    if !waited { await yieldSchedulePoint() }
                    return bytes
                }
                switch failure {
                case EINTR:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    try await end.waitUntilReady()
                    waited = true
                default:
                    throw BrokenResourceError(reason: "reading \(end.site.blockingDescription) failed: \(errorString(failure))")
                }
            }
        }
    }

    func close() async {
        end.close()
    }

    func extra<T>(_ attribute: TypedAttribute<T>) throws -> T {
        try TypedAttributeSet().value(of: attribute)
    }
}
