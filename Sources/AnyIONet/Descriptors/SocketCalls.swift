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

/// The system calls and address conversions of the descriptor-based sockets (Unix sockets, UDP).
enum SocketCalls {
    #if os(Linux)
    /// `send` flags: no `SIGPIPE` on a closed peer (an `EPIPE` error instead).
    static let sendFlags = Int32(MSG_NOSIGNAL)
    static let streamType = Int32(SOCK_STREAM.rawValue)
    static let datagramType = Int32(SOCK_DGRAM.rawValue)
    #else
    static let sendFlags: Int32 = 0
    static let streamType = SOCK_STREAM
    static let datagramType = SOCK_DGRAM
    #endif

    /// Makes a non-blocking, close-on-exec socket.
    static func makeSocket(family: Int32, type: Int32, address: String?) throws -> Int32 {
        #if os(Linux)
        let fd = socket(family, type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw SocketError.current("socket", address: address) }
        #else
        let fd = socket(family, type, 0)
        if fd < 0 { throw SocketError.current("socket", address: address) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        return fd
    }

    /// Whether `errno` says "try again later".
    static func wouldBlock(_ code: Int32) -> Bool {
        code == EAGAIN || code == EWOULDBLOCK
    }

    // MARK: - Socket addresses

    /// A socket address of any family, with its length.
    struct Address: Sendable {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)

        var family: Int32 { Int32(storage.ss_family) }

        func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
            try withUnsafeBytes(of: storage) { raw in
                try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
            }
        }

        /// For `accept`, `recvfrom`, `getsockname`: the buffer and its length, to be filled.
        mutating func withMutableSockAddr<R>(_ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) throws -> R) rethrows -> R {
            length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            return try withUnsafeMutableBytes(of: &storage) { raw in
                try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            }
        }
    }

    /// The most bytes of a Unix socket path (the size of `sun_path`).
    static var unixPathCapacity: Int {
        MemoryLayout.size(ofValue: sockaddr_un().sun_path)
    }

    /// The address of a Unix socket path; a path starting with NUL is a Linux abstract name.
    ///
    /// - Throws: `InvalidArgumentError` naming the path if it is empty, holds a NUL (other than an
    ///   abstract name's first byte), or is longer than `sun_path` holds.
    static func unixAddress(_ path: String, function: String) throws -> Address {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty else { throw InvalidArgumentError("\(function): the Unix socket path must not be empty") }
        let abstract = bytes[0] == 0
        if bytes.dropFirst(abstract ? 1 : 0).contains(0) {
            throw InvalidArgumentError("\(function): the Unix socket path '\(displayPath(path))' holds a NUL byte")
        }
        #if !os(Linux)
        if abstract {
            throw InvalidArgumentError("\(function): abstract Unix socket names (a path starting with NUL) exist on Linux only")
        }
        #endif
        let capacity = unixPathCapacity
        // A file path needs its terminating NUL; an abstract name is counted by the length.
        let limit = abstract ? capacity : capacity - 1
        guard bytes.count <= limit else {
            throw InvalidArgumentError(
                "\(function): the Unix socket path '\(displayPath(path))' is \(bytes.count) bytes long; at most \(limit) fit in sun_path"
            )
        }
        var address = Address()
        address.storage.ss_family = sa_family_t(AF_UNIX)
        let offset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        withUnsafeMutableBytes(of: &address.storage) { raw in
            for (index, byte) in bytes.enumerated() { raw[offset + index] = byte }
            if !abstract { raw[offset + bytes.count] = 0 }
        }
        address.length = socklen_t(offset + bytes.count + (abstract ? 0 : 1))
        return address
    }

    /// A path for messages: an abstract name's leading NUL shown as `@`.
    static func displayPath(_ path: String) -> String {
        path.hasPrefix("\0") ? "@" + path.dropFirst() : path
    }

    /// The path of a Unix socket address: `""` for an unnamed socket, a string starting with NUL
    /// for an abstract name.
    static func unixPath(of address: Address) -> String {
        let offset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        let length = Int(address.length)
        guard length > offset else { return "" }
        return withUnsafeBytes(of: address.storage) { raw -> String in
            var bytes = Array(raw[offset..<min(length, MemoryLayout<sockaddr_un>.size)])
            if bytes.first == 0 { return String(decoding: bytes, as: UTF8.self) }
            if let end = bytes.firstIndex(of: 0) { bytes.removeSubrange(end...) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    // The IP socket addresses are read and written by byte offset: on Linux their C structs
    // (`sockaddr_in`, `sockaddr_in6`) belong to a module of SwiftNIO that this target cannot
    // import, so their members are not visible here. The layouts are fixed by the ABI.
    /// Offsets in `sockaddr_in` / `sockaddr_in6` (Linux and Darwin alike): port, IPv4 address,
    /// IPv6 address; and the structs' sizes.
    private static let (portOffset, v4AddressOffset, v6AddressOffset) = (2, 4, 8)
    private static let (v4Length, v6Length) = (16, 28)

    /// The host and port of an IP address (the host without brackets: `"::1"`).
    static func hostAndPort(of address: Address) -> (host: String, port: Int)? {
        withUnsafeBytes(of: address.storage) { raw -> (String, Int)? in
            var text = [CChar](repeating: 0, count: 64)
            let port = Int(UInt16(raw[portOffset]) << 8 | UInt16(raw[portOffset + 1]))
            let family = address.family
            let offset: Int
            switch family {
            case AF_INET: offset = v4AddressOffset
            case AF_INET6: offset = v6AddressOffset
            default: return nil
            }
            guard inet_ntop(family, raw.baseAddress! + offset, &text, socklen_t(text.count)) != nil else { return nil }
            let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return (String(decoding: bytes, as: UTF8.self), port)
        }
    }

    /// The address of an IP literal (`"127.0.0.1"`, `"::1"`) and port; `nil` if `host` is not one.
    static func ipAddress(_ host: String, port: Int) -> Address? {
        var address = Address()
        for (family, offset, length) in [(AF_INET, v4AddressOffset, v4Length), (AF_INET6, v6AddressOffset, v6Length)] {
            let parsed = withUnsafeMutableBytes(of: &address.storage) { raw -> Bool in
                for index in raw.indices { raw[index] = 0 }
                guard inet_pton(family, host, raw.baseAddress! + offset) == 1 else { return false }
                #if os(Linux)
                raw.storeBytes(of: UInt16(family), as: UInt16.self)
                #else
                raw[0] = UInt8(length)
                raw[1] = UInt8(family)
                #endif
                raw[portOffset] = UInt8(port >> 8 & 0xff)
                raw[portOffset + 1] = UInt8(port & 0xff)
                return true
            }
            if parsed {
                address.length = socklen_t(length)
                return address
            }
        }
        return nil
    }

    /// The local address of a socket.
    static func localAddress(_ fd: Int32) -> Address? {
        var address = Address()
        let result = address.withMutableSockAddr { getsockname(fd, $0, $1) }
        return result == 0 ? address : nil
    }

    /// The peer's address of a connected socket.
    static func remoteAddress(_ fd: Int32) -> Address? {
        var address = Address()
        let result = address.withMutableSockAddr { getpeername(fd, $0, $1) }
        return result == 0 ? address : nil
    }

    // MARK: - Ancillary data (SCM_RIGHTS)

    /// `CMSG_ALIGN`: control messages are aligned to `size_t` on Linux, to 4 bytes on Darwin.
    static func cmsgAlign(_ length: Int) -> Int {
        #if os(Linux)
        let alignment = MemoryLayout<Int>.size
        #else
        let alignment = 4
        #endif
        return (length + alignment - 1) & ~(alignment - 1)
    }

    /// `CMSG_LEN`: a control message's length with `dataLength` bytes of data.
    static func cmsgLength(_ dataLength: Int) -> Int {
        cmsgAlign(MemoryLayout<cmsghdr>.size) + dataLength
    }

    /// `CMSG_SPACE`: the buffer space a control message with `dataLength` bytes takes.
    static func cmsgSpace(_ dataLength: Int) -> Int {
        cmsgAlign(MemoryLayout<cmsghdr>.size) + cmsgAlign(dataLength)
    }

    /// The descriptors in the `SCM_RIGHTS` messages of a received control buffer.
    static func receivedDescriptors(control: UnsafeRawBufferPointer, length: Int) -> [Int32] {
        var fds: [Int32] = []
        let header = MemoryLayout<cmsghdr>.size
        let dataOffset = cmsgAlign(header)
        var offset = 0
        while offset + header <= length {
            let message = control.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self)
            let messageLength = Int(message.cmsg_len)
            guard messageLength >= dataOffset, offset + messageLength <= length else { break }
            if message.cmsg_level == SOL_SOCKET && message.cmsg_type == Int32(SCM_RIGHTS) {
                let count = (messageLength - dataOffset) / MemoryLayout<Int32>.size
                for index in 0..<count {
                    fds.append(control.loadUnaligned(fromByteOffset: offset + dataOffset + index * 4, as: Int32.self))
                }
            }
            offset += cmsgAlign(messageLength)
        }
        return fds
    }
}
