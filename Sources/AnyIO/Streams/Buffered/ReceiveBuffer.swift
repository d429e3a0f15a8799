//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes received but not yet handed out: an array read from the front.
///
/// Taking a prefix moves a read index instead of shifting the rest, so splitting a 64 KiB chunk
/// into lines costs O(line) per line, not O(chunk); the consumed front is dropped when it is
/// more than half of the storage.
struct ReceiveBuffer: Sendable {
    private var storage: [UInt8] = []
    /// Invariant: `0 <= start <= storage.count`; the unread bytes are `storage[start...]`.
    private var start = 0

    var count: Int { storage.count - start }
    var isEmpty: Bool { start == storage.count }

    /// The unread bytes.
    var bytes: [UInt8] { Array(storage[start...]) }

    mutating func append(_ bytes: some Collection<UInt8>) {
        compactIfWorthIt()
        storage.append(contentsOf: bytes)
    }

    /// Removes and returns the first `n` unread bytes (at most `count`).
    mutating func take(_ n: Int) -> [UInt8] {
        let end = start + Swift.min(n, count)
        let taken = Array(storage[start..<end])
        start = end
        if start == storage.count {
            storage.removeAll(keepingCapacity: true)
            start = 0
        }
        return taken
    }

    /// Removes `n` unread bytes without returning them.
    mutating func drop(_ n: Int) {
        start += Swift.min(n, count)
        if start == storage.count {
            storage.removeAll(keepingCapacity: true)
            start = 0
        }
    }

    /// The offset (from the first unread byte) of the first occurrence of `delimiter` that
    /// starts at `from` or later, or `nil`.
    func firstIndex(of delimiter: [UInt8], from: Int) -> Int? {
        precondition(!delimiter.isEmpty)
        let unread = count
        guard unread - from >= delimiter.count else { return nil }
        return storage.withUnsafeBufferPointer { all -> Int? in
            let base = all.baseAddress! + start
            let first = Int32(delimiter[0])
            var position = from
            while position + delimiter.count <= unread {
                let remaining = unread - position
                guard let hit = memchr(base + position, first, remaining) else { return nil }
                let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                guard index + delimiter.count <= unread else { return nil }
                var matches = true
                for k in 1..<delimiter.count where base[index + k] != delimiter[k] {
                    matches = false
                    break
                }
                if matches { return index }
                position = index + 1
            }
            return nil
        }
    }

    private mutating func compactIfWorthIt() {
        if start > 0, start * 2 >= storage.count {
            storage.removeSubrange(0..<start)
            start = 0
        }
    }
}
