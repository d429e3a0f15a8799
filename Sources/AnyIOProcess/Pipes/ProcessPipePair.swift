//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

package import AnyIO
import _AnyIOProcessCShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pipe whose both ends are this module's process streams, for the stream conformance checks:
/// the same code a child's stdin and stdout use, without a child in between.
///
/// - Throws: ``ProcessSpawnError`` if `pipe2` fails.
package func makeProcessPipePair() throws -> (send: any ByteSendStream, receive: any ByteReceiveStream) {
    var ends: [Int32] = [-1, -1]
    guard anyio_pipe_cloexec(&ends) == 0 else {
        throw ProcessSpawnError(code: .other, program: "pipe", errorNumber: errno)
    }
    for fd in ends {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }
    let ledger = FileDescriptorLedger.current
    ledger?.recordOpen(ends[0], path: "test pipe (read end)")
    ledger?.recordOpen(ends[1], path: "test pipe (write end)")
    let receive = PipeEnd(descriptor: ends[0], direction: .read, description: "test pipe", ledger: ledger)
    let send = PipeEnd(descriptor: ends[1], direction: .write, description: "test pipe", ledger: ledger)
    return (ProcessSendStream(end: send), ProcessReceiveStream(end: receive))
}
