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

/// Resolves a host name to its addresses, on a worker thread (IO12).
///
/// ```swift
/// for address in try await getAddrInfo("localhost", port: 8080) {
///     print(address.family, address.host, address.port)   // ipv4 127.0.0.1 8080
/// }
/// ```
///
/// The system resolver (`getaddrinfo`) blocks, so it runs on a worker thread through `ToThread`,
/// off Swift's cooperative pool. International names are encoded with IDNA first
/// (`bücher.example` is looked up as `xn--bcher-kva.example`). The addresses come in the
/// resolver's order, each once.
///
/// A checkpoint, and cancellable at once: a cancelled caller returns immediately with
/// `CancellationError`, while the lookup finishes in the background and its result is dropped.
///
/// - Parameters:
///   - host: A host name or an IP address literal.
///   - port: The port to put in the results, 0...65535.
///   - family: `.ipv4` or `.ipv6` for that family only; `nil` for both.
/// - Returns: The addresses.
/// - Throws: ``NameResolutionError`` if the name cannot be resolved; `InvalidArgumentError` for
///   an empty host, a port out of range, `family: .unix` or a malformed international name;
///   `CancellationError`.
/// - SeeAlso: AnyIO `getaddrinfo()`.
public func getAddrInfo(_ host: String, port: Int, family: SocketFamily? = nil) async throws -> [AddressInfo] {
    guard !host.isEmpty else { throw InvalidArgumentError("getAddrInfo(_:port:family:): host must not be empty") }
    guard (0...65535).contains(port) else {
        throw InvalidArgumentError("getAddrInfo(_:port:family:): port must be in 0...65535, not \(port)")
    }
    if family == .unix { throw InvalidArgumentError("getAddrInfo(_:port:family:): family must be .ipv4 or .ipv6, not .unix") }
    let name: String
    do {
        name = try IDNA.encode(host)
    } catch let error as InvalidArgumentError {
        throw InvalidArgumentError("getAddrInfo(_:port:family:): \(error.message)")
    }
    return try await resolveOnWorkerThread { try systemGetAddrInfo(name, port: port, family: family, displayName: host) }
}

/// Finds the host name and service name of an IP address and port, on a worker thread (IO12).
///
/// ```swift
/// let (host, service) = try await getNameInfo(host: "127.0.0.1", port: 80)   // ("localhost", "http")
/// ```
///
/// Runs `getnameinfo` on a worker thread; a checkpoint, and cancellable at once (the lookup
/// finishes in the background). Where no name is known, the numeric form is returned.
///
/// - Parameters:
///   - host: An IPv4 or IPv6 address literal.
///   - port: The port, 0...65535.
/// - Returns: The host name and the service name (or the port's digits).
/// - Throws: ``NameResolutionError`` if the lookup fails; `InvalidArgumentError` if `host` is
///   not an IP address or the port is out of range; `CancellationError`.
/// - SeeAlso: AnyIO `getnameinfo()`.
public func getNameInfo(host: String, port: Int) async throws -> (host: String, service: String) {
    guard (0...65535).contains(port) else {
        throw InvalidArgumentError("getNameInfo(host:port:): port must be in 0...65535, not \(port)")
    }
    guard let address = SocketCalls.ipAddress(host, port: port) else {
        throw InvalidArgumentError("getNameInfo(host:port:): host must be an IP address, not '\(host)'")
    }
    let result = try await resolveOnWorkerThread { () throws -> NameAndService in
        var hostBuffer = [CChar](repeating: 0, count: 1025)
        var serviceBuffer = [CChar](repeating: 0, count: 64)
        let code = address.withSockAddr { pointer, length in
            getnameinfo(pointer, length, &hostBuffer, socklen_t(hostBuffer.count), &serviceBuffer, socklen_t(serviceBuffer.count), 0)
        }
        if code != 0 { throw resolverError(code, name: host) }
        return NameAndService(host: decodeCString(hostBuffer), service: decodeCString(serviceBuffer))
    }
    return (result.host, result.service)
}

/// A `getnameinfo` result (a tuple is not `Sendable`-checked across the thread hop).
private struct NameAndService: Sendable {
    var host: String
    var service: String
}

/// Runs a blocking lookup on a worker thread. A cancelled caller returns at once with
/// `CancellationError`; the thread finishes the lookup on its own and its result is dropped.
package func resolveOnWorkerThread<T: Sendable>(_ lookup: @escaping @Sendable () throws -> T) async throws -> T {
    try await ToThread.runSync(abandonOnCancel: true, lookup)
}

/// `getaddrinfo`, results deduplicated (one per address, whatever the socket type).
private func systemGetAddrInfo(_ name: String, port: Int, family: SocketFamily?, displayName: String) throws -> [AddressInfo] {
    var hints = addrinfo()
    switch family {
    case .ipv4?: hints.ai_family = AF_INET
    case .ipv6?: hints.ai_family = AF_INET6
    default: hints.ai_family = AF_UNSPEC
    }
    hints.ai_flags = AI_NUMERICSERV
    var list: UnsafeMutablePointer<addrinfo>?
    let code = getaddrinfo(name, String(port), &hints, &list)
    if code != 0 { throw resolverError(code, name: displayName) }
    defer { freeaddrinfo(list) }
    var results: [AddressInfo] = []
    var entry = list
    while let current = entry {
        defer { entry = current.pointee.ai_next }
        let resultFamily: SocketFamily
        switch current.pointee.ai_family {
        case AF_INET: resultFamily = .ipv4
        case AF_INET6: resultFamily = .ipv6
        default: continue
        }
        guard let socketAddress = current.pointee.ai_addr else { continue }
        var address = SocketCalls.Address()
        let length = min(Int(current.pointee.ai_addrlen), MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutableBytes(of: &address.storage) { raw in
            raw.copyMemory(from: UnsafeRawBufferPointer(start: socketAddress, count: length))
        }
        address.length = socklen_t(length)
        guard let (host, resultPort) = SocketCalls.hostAndPort(of: address) else { continue }
        let info = AddressInfo(family: resultFamily, host: host, port: resultPort)
        if !results.contains(info) { results.append(info) }
    }
    return results
}

/// The error for a resolver's code (`EAI_SYSTEM`: the `errno`'s message).
private func resolverError(_ code: Int32, name: String) -> NameResolutionError {
    if code == EAI_SYSTEM {
        return NameResolutionError(code: code, name: name, message: SocketError(code: errno, operation: "resolve").message)
    }
    let message = gai_strerror(code).map { decodeCString($0) } ?? "resolver error \(code)"
    return NameResolutionError(code: code, name: name, message: message)
}

/// A NUL-terminated C string's text.
func decodeCString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A NUL-terminated C string's text.
func decodeCString(_ pointer: UnsafePointer<CChar>) -> String {
    var bytes: [UInt8] = []
    var index = 0
    while pointer[index] != 0 {
        bytes.append(UInt8(bitPattern: pointer[index]))
        index += 1
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Resolves `host` for a socket of `family` (an IP literal at once, a name on a worker thread):
/// the first address, or the error naming the host.
func resolveOne(_ host: String, port: Int, family: SocketFamily?, function: String) async throws -> SocketCalls.Address {
    if let address = SocketCalls.ipAddress(host, port: port) {
        let literalFamily: SocketFamily = address.family == AF_INET ? .ipv4 : .ipv6
        if let family, family != literalFamily {
            throw InvalidArgumentError("\(function): '\(host)' is an \(literalFamily == .ipv4 ? "IPv4" : "IPv6") address; the socket is \(family == .ipv4 ? "IPv4" : "IPv6")")
        }
        return address
    }
    let infos = try await getAddrInfo(host, port: port, family: family)
    guard let first = infos.first, let address = SocketCalls.ipAddress(first.host, port: first.port) else {
        throw NameResolutionError(code: EAI_NONAME, name: host, message: "no address of the requested family")
    }
    return address
}
