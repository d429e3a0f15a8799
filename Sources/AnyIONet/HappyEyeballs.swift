//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import NIOCore
import Synchronization

/// The connection attempts of `connectTCP`: Happy Eyeballs (RFC 8305, the stateless version, as
/// AnyIO does it), with structured concurrency.
///
/// Attempt *i* starts when attempt *i − 1* failed or `delay` passed, whichever is first; the
/// first connection wins, the nursery is cancelled, and every other attempt is closed (a pending
/// one by `PendingConnect`, which closes a channel that connects after its wait was cancelled; a
/// finished one by its task, which sees that another won). The caller's cancellation cancels
/// every attempt the same way.
///
/// Invariant: at most one channel is ever the winner (`State.winner`, set once under the lock);
/// every other channel that connects is closed by the task that got it.
package enum HappyEyeballs {
    /// The attempts' shared record.
    private final class Record: Sendable {
        let state = StateLock(State())
    }

    private struct State {
        /// The first connected channel; set once.
        var winner: (any Channel)?
        /// The failed attempts: order started, address, error.
        var failures: [(index: Int, address: String, error: any Error)] = []
    }

    /// Orders resolved addresses as RFC 8305 section 4 asks (as AnyIO does): the first IPv6
    /// address first, then the first IPv4 address, then the rest in the resolver's order.
    package static func order(_ addresses: [AddressInfo]) -> [AddressInfo] {
        guard let firstV6 = addresses.firstIndex(where: { $0.family == .ipv6 }) else { return addresses }
        var rest = addresses
        var ordered = [rest.remove(at: firstV6)]
        if let firstV4 = rest.firstIndex(where: { $0.family == .ipv4 }) { ordered.append(rest.remove(at: firstV4)) }
        return ordered + rest
    }

    /// Connects to the first of `targets` that answers, trying them with Happy Eyeballs.
    ///
    /// - Parameters:
    ///   - targets: The addresses, in the order to try; not empty.
    ///   - delay: How long an attempt may be pending before the next one starts.
    ///   - attempt: Starts one connection attempt.
    /// - Returns: The connected channel.
    /// - Throws: ``ConnectionFailedError`` with every attempt's error, or `CancellationError`.
    static func connect(
        to targets: [SocketAddress],
        delay: Duration,
        attempt: @escaping @Sendable (SocketAddress) -> EventLoopFuture<any Channel>
    ) async throws -> any Channel {
        let record = Record()
        do {
            try await withNursery { nursery in
                for (index, target) in targets.enumerated() {
                    if record.state.withLock({ $0.winner != nil }) { break }
                    let failed = Event()
                    nursery.startSoon(name: "connect to \(target.displayString)") {
                        do {
                            let channel = try await PendingConnect.wait(for: attempt(target))
                            let won = record.state.withLock { state -> Bool in
                                guard state.winner == nil else { return false }
                                state.winner = channel
                                return true
                            }
                            if won {
                                nursery.cancel(reason: "connected to \(target.displayString)")
                            } else {
                                channel.close(promise: nil)
                            }
                        } catch is CancellationError {
                            // A losing attempt: PendingConnect closes whatever it connects.
                        } catch {
                            record.state.withLock { $0.failures.append((index, target.displayString, error)) }
                            failed.set()
                        }
                    }
                    if index < targets.count - 1 {
                        // The next attempt starts when this one failed or after the delay.
                        _ = try await moveOnAfter(delay) { _ in try await failed.wait() }
                    }
                }
            }
        } catch {
            // The caller was cancelled (or the nursery failed): a winner is nobody's.
            record.state.withLock { $0.winner }?.close(promise: nil)
            throw error
        }
        let (winner, failures) = record.state.withLock { ($0.winner, $0.failures) }
        if let winner { return winner }
        throw ConnectionFailedError(attempts: failures.sorted { $0.index < $1.index }.map { (address: $0.address, error: $0.error) })
    }
}
