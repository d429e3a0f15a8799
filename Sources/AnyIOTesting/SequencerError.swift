//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

/// Thrown by ``Sequencer/step(_:isolation:_:)`` when the order it enforces cannot be kept.
///
/// Each of these is a bug in the test that uses the sequencer, not an outcome to handle: a
/// position used twice (``Code-swift.struct/positionReused``), a step cancelled before its body
/// ran (``Code-swift.struct/cancelled``), or any step after that (``Code-swift.struct/broken``).
/// Once a step is cancelled the sequencer is broken for good: every step that is waiting, and
/// every later one, fails with `.broken` instead of hanging.
///
/// ```swift
/// do {
///     try await sequencer.step(2) { print(2) }
/// } catch let error as SequencerError where error.code == .broken {
///     print("an earlier step was cancelled:", error)
/// }
/// ```
///
/// - SeeAlso: Trio `trio.testing.Sequencer`, which raises `RuntimeError` in these cases.
public struct SequencerError: Error, Hashable, CustomStringConvertible {
    /// Which way the sequence failed.
    ///
    /// A struct around a private enum, so that cases can be added without breaking `switch`es in
    /// client code; compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum _Code: Hashable, Sendable {
            case positionReused
            case cancelled
            case broken
        }

        private let code: _Code

        private init(_ code: _Code) {
            self.code = code
        }

        /// The position was already used by an earlier step (also one still waiting or running).
        /// Each position runs once. The sequencer is not broken by this.
        ///
        /// - SeeAlso: Trio's `RuntimeError("Attempted to reuse sequence point …")`.
        public static let positionReused = Code(.positionReused)

        /// This step was cancelled before its body ran, so it broke the sequencer. The
        /// cancellation is reported as this error, not as `CancellationError`, so that a cancel
        /// scope around the step does not absorb it.
        ///
        /// - SeeAlso: Trio's `RuntimeError("Sequencer wait cancelled -- sequence broken")`.
        public static let cancelled = Code(.cancelled)

        /// The sequencer was broken by a cancelled step: this step was waiting for its turn, or
        /// arrived later, and does not run its body.
        ///
        /// - SeeAlso: Trio's `RuntimeError("sequence broken!")`.
        public static let broken = Code(.broken)

        /// The code's name.
        public var description: String {
            switch code {
            case .positionReused: "positionReused"
            case .cancelled: "cancelled"
            case .broken: "broken"
            }
        }
    }

    /// Which way the sequence failed.
    public var code: Code

    /// The position passed to the step that threw.
    public var position: Int

    /// Creates the error.
    ///
    /// - Parameters:
    ///   - code: Which way the sequence failed.
    ///   - position: The position passed to the step that throws it.
    public init(code: Code, position: Int) {
        self.code = code
        self.position = position
    }

    /// Explains the error, naming the position.
    public var description: String {
        switch code {
        case .positionReused:
            "SequencerError: sequence position \(position) already used; each position can be stepped through once"
        case .cancelled:
            "SequencerError: the step at sequence position \(position) was cancelled while waiting for its turn; the sequence is broken"
        default:
            "SequencerError: the sequence is broken (an earlier step was cancelled while waiting), so position \(position) cannot run"
        }
    }
}
