//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The entries of a directory, as returned by ``AsyncPath/iterdir()``.
struct AsyncPathDirectoryListing: AsyncSequence {
    typealias Element = AsyncPath
    typealias Failure = any Error

    let directory: AsyncPath
    /// The ledger bound when the sequence was made (the read may run in another task).
    let ledger: FileDescriptorLedger?

    struct AsyncIterator: AsyncIteratorProtocol {
        typealias Element = AsyncPath
        typealias Failure = any Error

        let directory: AsyncPath
        let ledger: FileDescriptorLedger?
        /// The names, read at the first `next()`; `nil` before.
        var names: [String]?
        var index = 0

        mutating func next() async throws -> AsyncPath? {
            if names == nil {
                let path = directory.description
                let ledger = ledger
                names = try await ToThread.runSync {
                    try FileSystemCalls.listDirectory(path, ledger: ledger).map(\.name)
                }
            } else {
                try await LowLevel.checkpoint()
            }
            guard let names, index < names.count else { return nil }
            index += 1
            return directory / names[index - 1]
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(directory: directory, ledger: ledger)
    }
}
