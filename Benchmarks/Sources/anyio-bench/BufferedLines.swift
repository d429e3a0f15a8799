// W11 `buffered-lines`: N lines of 32 bytes ("x" × 31 + "\n") in 64 KiB chunks (2048 lines
// each), sent by a child through a memory object stream of `[UInt8]` chunks (buffer size 1); the
// parent wraps the receive stream in `BufferedByteReceiveStream` and calls
// `receiveUntil([0x0A], maxBytes: 64)` until `IncompleteReadError`. Mirrors `buffered_lines` in
// python/wl_anyio.py. The library's `BufferedByteReceiveStream` takes a `ByteReceiveStream`, so a
// minimal adapter (`ChunkStream`) hands out each chunk whole, as the contract allows.
// Check: count == N and the buffer is empty.
import AnyIO

func benchBufferedLines(_ n: Int) async throws {
    // Setup (untimed): the chunks.
    let line = [UInt8](repeating: UInt8(ascii: "x"), count: 31) + [0x0A]
    let linesPerChunk = 2048
    let fullChunk = [UInt8]((0..<linesPerChunk).map { _ in line }.joined())
    var chunks: [[UInt8]] = Array(repeating: fullChunk, count: n / linesPerChunk)
    if n % linesPerChunk != 0 {
        chunks.append([UInt8]((0..<(n % linesPerChunk)).map { _ in line }.joined()))
    }
    let input = chunks

    let sw = Stopwatch()
    let (send, receive) = makeMemoryObjectStream(of: [UInt8].self, bufferSize: 1)
    let buffered = BufferedByteReceiveStream(ChunkStream(receive))
    var count = 0
    try await withNursery { nursery in
        nursery.startSoon {
            for chunk in input { try await send.send(chunk) }
            send.close()
        }
        while true {
            do {
                _ = try await buffered.receiveUntil([0x0A], maxBytes: 64)
                count += 1
            } catch is IncompleteReadError {
                break
            }
        }
    }
    let leftover = buffered.buffer.count
    await buffered.close()
    let s = sw.seconds
    try check(count == n && leftover == 0, "buffered-lines count \(count) != \(n) or \(leftover) bytes left")
    emit(
        workload: "buffered-lines", n: n, seconds: s,
        variant: "BufferedByteReceiveStream(ChunkStream(memory object stream(1))).receiveUntil"
    )
}

/// The adapter the contract allows: a memory object stream of chunks as a `ByteReceiveStream`
/// whose `receive(maxBytes:)` returns the next chunk whole (every chunk is at most 65,536 bytes,
/// the most `BufferedByteReceiveStream` asks for).
final class ChunkStream: ByteReceiveStream {
    let chunks: MemoryObjectReceiveStream<[UInt8]>
    init(_ chunks: MemoryObjectReceiveStream<[UInt8]>) { self.chunks = chunks }
    func receive(maxBytes: Int) async throws -> [UInt8] { try await chunks.receive() }
    func close() async { chunks.close() }
    func extra<T>(_ attribute: TypedAttribute<T>) throws -> T { throw TypedAttributeLookupError() }
}
