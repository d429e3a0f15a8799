//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

public import AnyIO

// Stream conformance checks: what every `ByteStream` of the library (memory, TCP, Unix, TLS,
// process pipes) and every user-written one must do. Ported from Trio's
// `trio/testing/_check_streams.py` (`check_one_way_stream`, `check_two_way_stream`,
// `check_half_closeable_stream`), adapted to AnyIO's errors (`EndOfStreamError` where Trio
// returns `b""`).

/// Makes a fresh one-way stream pair for each check: what `send` sends, `receive` receives.
public typealias OneWayStreamMaker = @Sendable () async throws -> (send: any ByteSendStream, receive: any ByteReceiveStream)

/// Makes a fresh connected pair of byte streams for each check.
public typealias TwoWayStreamMaker = @Sendable () async throws -> (any ByteStream, any ByteStream)

/// Checks that a one-way byte stream pair keeps the promises of ``ByteSendStream`` and
/// ``ByteReceiveStream``.
///
/// Runs each check on a new pair from `makePair` and closes it afterwards: bytes arrive in order;
/// `receive(maxBytes:)` returns between 1 and `maxBytes` bytes and rejects `maxBytes < 1`; a
/// second concurrent receive throws `BusyResourceError`; closing the sender ends the stream after
/// the data; closing the receiver makes sending throw `BrokenResourceError`; closing wakes a
/// blocked receive with `ClosedResourceError`; every call is a checkpoint; a cancelled receive
/// loses nothing; `close()` works in a cancelled task and twice.
///
/// ```swift
/// @Test func myStreamConforms() async throws {
///     try await checkOneWayStream {
///         let (a, b) = try await makeMyConnectedPair()
///         return (send: a, receive: b)
///     }
/// }
/// ```
///
/// - Parameter makePair: Makes a fresh pair for each check.
/// - Throws: ``StreamConformanceFailure`` naming the first check that failed.
/// - SeeAlso: Trio `trio.testing.check_one_way_stream`.
public func checkOneWayStream(makePair: @escaping OneWayStreamMaker) async throws {
    try await StreamChecks(makePair: makePair).run()
}

/// Checks a connected pair of ``ByteStream``s: the one-way checks in each direction, and both
/// directions at once with more bytes than any buffer holds (no deadlock, nothing lost or
/// reordered).
///
/// - Parameters:
///   - bulkBytes: How many bytes each side sends in the both-directions check: more than the
///     pair buffers (the default, 1 MiB, is more than a loopback socket buffers).
///   - makePair: Makes a fresh connected pair for each check.
/// - Throws: ``StreamConformanceFailure`` naming the first check that failed.
/// - SeeAlso: Trio `trio.testing.check_two_way_stream`.
public func checkTwoWayStream(bulkBytes: Int = 1 << 20, makePair: @escaping TwoWayStreamMaker) async throws {
    try await checkOneWayStream {
        let (a, b) = try await makePair()
        return (send: StreamEnd(a, role: .sending), receive: StreamEnd(b, role: .receiving))
    }
    try await checkOneWayStream {
        let (a, b) = try await makePair()
        return (send: StreamEnd(b, role: .sending), receive: StreamEnd(a, role: .receiving))
    }
    try await StreamChecks.bothDirectionsAtOnce(bulkBytes: bulkBytes, makePair: makePair)
}

/// Checks a connected pair of ``ByteStream``s that can half-close: everything
/// ``checkTwoWayStream(bulkBytes:makePair:)`` checks, and that `sendEOF()` ends the peer's stream after
/// the data while the other direction goes on, that sending after it throws
/// `ClosedResourceError`, and that calling it twice is harmless.
///
/// - Parameters:
///   - bulkBytes: How many bytes each side sends in the both-directions check (see
///     ``checkTwoWayStream(bulkBytes:makePair:)``).
///   - makePair: Makes a fresh connected pair for each check.
/// - Throws: ``StreamConformanceFailure`` naming the first check that failed.
/// - SeeAlso: Trio `trio.testing.check_half_closeable_stream`.
public func checkHalfCloseableStream(bulkBytes: Int = 1 << 20, makePair: @escaping TwoWayStreamMaker) async throws {
    try await checkTwoWayStream(bulkBytes: bulkBytes, makePair: makePair)
    try await StreamChecks.halfClose(makePair: makePair)
}

/// One end of a two-way pair seen as only its sending or receiving half, and closing the whole
/// stream when closed (so that the one-way checks can run on two-way pairs).
private final class StreamEnd: ByteSendStream, ByteReceiveStream {
    enum Role { case sending, receiving }
    let stream: any ByteStream
    let role: Role

    init(_ stream: any ByteStream, role: Role) {
        self.stream = stream
        self.role = role
    }

    func receive(maxBytes: Int) async throws -> [UInt8] { try await stream.receive(maxBytes: maxBytes) }
    func send(_ bytes: [UInt8]) async throws { try await stream.send(bytes) }
    func close() async { await stream.close() }
    func extra<T>(_ attribute: TypedAttribute<T>) throws -> T { try stream.extra(attribute) }
}
