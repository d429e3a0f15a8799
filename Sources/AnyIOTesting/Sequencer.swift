//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Makes code in different tasks run in one explicit order, for tests.
///
/// Each piece of code is wrapped in ``step(_:isolation:_:)`` with its *position* in the order.
/// Position 0 runs at once; the body at position `n` starts only after the body at `n - 1` has
/// finished. Tasks can reach their steps in any order, and a task can take several positions.
/// Each position may be used once.
///
/// A step cancelled while it waits for its turn breaks the sequencer for good: the ordering
/// the test relies on can no longer happen, so that step throws ``SequencerError`` with code
/// ``SequencerError/Code-swift.struct/cancelled``, and every waiting or later step throws
/// ``SequencerError/Code-swift.struct/broken`` instead of hanging.
///
/// An extremely elaborate way to print 0 to 5 in order:
///
/// ```swift
/// let sequencer = Sequencer()
/// try await withNursery { nursery in
///     nursery.startSoon {
///         try await sequencer.step(0) { print(0) }
///         try await sequencer.step(4) { print(4) }
///     }
///     nursery.startSoon {
///         try await sequencer.step(2) { print(2) }
///         try await sequencer.step(5) { print(5) }
///     }
///     nursery.startSoon {
///         try await sequencer.step(1) { print(1) }
///         try await sequencer.step(3) { print(3) }
///     }
/// }
/// ```
///
/// All members may be used from any task or thread.
///
/// - SeeAlso: Trio `trio.testing.Sequencer`.
public final class Sequencer: Sendable {
    /// The state, gates and waiting.
    let storage = SequencerStorage()

    /// Creates a sequencer whose position 0 may run at once.
    ///
    /// - SeeAlso: Trio `trio.testing.Sequencer()`.
    public init() {}

    /// Waits until every position below `position` has run, runs `body`, then lets
    /// `position + 1` go.
    ///
    /// The body runs in the calling task, on the caller's actor. When it ends, by returning or
    /// by throwing, the step at `position + 1` may start (at once if it is already waiting).
    /// The body may await anything, including other sequencers; only the bodies of one sequencer
    /// are ordered.
    ///
    /// This is a checkpoint before the body runs, also for position 0 and for a position whose
    /// turn has already come: it checks for cancellation, then yields at least once. A step that
    /// is cancelled there (its cancel scope, a deadline, or native task cancellation) does not
    /// run `body` and breaks the sequencer; it throws ``SequencerError`` with code
    /// ``SequencerError/Code-swift.struct/cancelled`` rather than `CancellationError`, so a
    /// `moveOnAfter` around it does not silently swallow the broken order. Cancel-safe: if the
    /// turn of a suspended step comes before its cancellation arrives, the turn wins and `body`
    /// runs (its own first checkpoint then throws). Cancellation inside `body` is the body's own
    /// business and does not break the sequencer.
    ///
    /// ```swift
    /// let sequencer = Sequencer()
    /// try await withNursery { nursery in
    ///     nursery.startSoon {
    ///         try await sequencer.step(1) { print("second") }
    ///     }
    ///     try await sequencer.step(0) { print("first") }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - position: This step's place in the order, from 0. Each position may be used once.
    ///   - isolation: The actor the body runs on; defaults to the caller's.
    ///   - body: The code to run in turn.
    /// - Returns: What `body` returns.
    /// - Throws: ``SequencerError`` without running `body`: code
    ///   ``SequencerError/Code-swift.struct/positionReused`` if `position` was used before,
    ///   ``SequencerError/Code-swift.struct/cancelled`` if this step was cancelled before its
    ///   body ran (the cancellation is reported this way, not as `CancellationError`), or
    ///   ``SequencerError/Code-swift.struct/broken`` if another step broke the sequencer. Otherwise
    ///   what `body` throws, including `CancellationError` from the body's own checkpoints.
    /// - Important: A negative `position` traps: it could never run.
    /// - SeeAlso: Trio `async with sequencer(position):`.
    @discardableResult
    public func step<T>(
        _ position: Int,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        try await storage.step(position, isolation: isolation, body)
    }

    /// Whether a cancelled step has broken the sequencer (a snapshot).
    ///
    /// Once `true`, it stays `true`, and every step that has not started its body throws
    /// ``SequencerError``.
    public var isBroken: Bool { storage.isBroken }
}

extension Sequencer: CustomStringConvertible {
    /// Whether the sequencer is broken, and how many steps wait for their turn.
    public var description: String {
        "Sequencer(\(isBroken ? "broken" : "intact"), \(storage.tasksWaiting) waiting)"
    }
}
