//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// The lines of an ``AsyncFile``, as returned by ``AsyncFile/lines``.
struct AsyncFileLines: AsyncSequence {
    typealias Element = String
    typealias Failure = any Error

    let file: AsyncFile

    struct AsyncIterator: AsyncIteratorProtocol {
        typealias Element = String
        typealias Failure = any Error

        let file: AsyncFile
        var finished = false

        mutating func next() async throws -> String? {
            guard !finished else { return nil }
            do {
                guard let line = try await file.readLine() else {
                    finished = true
                    return nil
                }
                return line
            } catch {
                finished = true
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(file: file)
    }
}
