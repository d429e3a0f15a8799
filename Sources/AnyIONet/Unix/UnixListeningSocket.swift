//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The accepting side of a Unix listener, on a non-blocking descriptor.
final class UnixListeningSocket: ListeningSocket {
    /// How long to wait before accepting again when the process is out of descriptors or memory
    /// (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`), which a busy loop would not fix.
    static let acceptErrorBackoff = Duration.milliseconds(100)

    let socket: SocketDescriptor
    private let siteName: String

    init(fd: Int32) {
        socket = SocketDescriptor(fd: fd)
        siteName = "accept on unix \(SocketCalls.displayPath(SocketCalls.localAddress(fd).map(SocketCalls.unixPath) ?? "?"))"
    }

    /// A transient accept error: back off, then accept again.
    private struct Backoff: Error {}

    func accept() async throws -> UNIXSocketStream {
        while true {
            do {
                let fd = try await socket.perform(.read, kind: .socketAccept, site: siteName) { fd -> Int32? in
                    while true {
                        let accepted = systemAccept(fd)
                        if accepted >= 0 { return accepted }
                        let code = errno
                        switch code {
                        case EINTR, ECONNABORTED, EPROTO: continue
                        case EMFILE, ENFILE, ENOBUFS, ENOMEM: throw Backoff()
                        default:
                            if SocketCalls.wouldBlock(code) { return nil }
                            throw SocketError(code: code, operation: "accept")
                        }
                    }
                }
                return UNIXSocketStream(fd: fd)
            } catch is Backoff {
                try await sleep(for: Self.acceptErrorBackoff)
            }
        }
    }

    func close() async {
        await socket.close()
    }

    func closeNow() {
        // `SocketDescriptor.deinit` closes the descriptor once the last reference is gone.
    }
}

/// The C library's `accept`, the connection made non-blocking and close-on-exec.
func systemAccept(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    let accepted = Glibc.accept(fd, nil, nil)
    #elseif canImport(Musl)
    let accepted = Musl.accept(fd, nil, nil)
    #else
    let accepted = Darwin.accept(fd, nil, nil)
    #endif
    if accepted >= 0 {
        _ = fcntl(accepted, F_SETFD, FD_CLOEXEC)
        _ = fcntl(accepted, F_SETFL, fcntl(accepted, F_GETFL) | O_NONBLOCK)
    }
    return accepted
}
