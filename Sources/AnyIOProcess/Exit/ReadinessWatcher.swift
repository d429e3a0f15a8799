//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization
import _AnyIOProcessCShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One epoll instance and one thread that report when a descriptor (a pipe end, a pidfd) becomes
/// ready, once per arming.
///
/// Why not Dispatch sources: libdispatch's epoll backend delivers an event only when epoll
/// reports `EPOLLIN` or `EPOLLOUT`. A pipe whose reader has gone while it is full reports only
/// `EPOLLERR`, and an empty pipe whose writers have gone only `EPOLLHUP`, so a sender blocked on
/// a child that closed its input (or exited) was never woken. Here every event wakes the
/// registration, and the caller retries its system call, which then sees `EPIPE` or end-of-file.
///
/// Registrations are one-shot (`EPOLLONESHOT`): the thread removes a registration (`EPOLL_CTL_DEL`)
/// *before* it runs its callback, so a caller that counts the registration as a user of the
/// descriptor until the callback (or a successful `disarm`) ran never closes a watched
/// descriptor. Callbacks run on the watcher thread, outside every lock, and must be short (update
/// state, resume continuations).
final class ReadinessWatcher: Sendable {
    /// The process-wide watcher, made on first use; its thread runs until the process ends.
    static let shared = ReadinessWatcher()

    private struct Registration {
        var descriptor: Int32
        var callback: @Sendable () -> Void
    }

    private struct State {
        /// Armed registrations by token. Invariant: a token is here exactly while its descriptor
        /// is in the epoll set and its callback has not run.
        var registrations: [UInt64: Registration] = [:]
        /// The next token; never reused.
        var nextToken: UInt64 = 1
    }

    private let epoll: Int32
    private let state = StateLock(State())

    private init() {
        epoll = anyio_epoll_create()
        precondition(epoll >= 0, "AnyIOProcess: epoll_create1 failed: \(errorString(errno))")
        startThread()
    }

    /// Watches `descriptor` once; `callback` runs on the watcher thread when it is ready (or in
    /// error, or hung up).
    ///
    /// - Returns: The token for `disarm`.
    func arm(_ descriptor: Int32, writing: Bool, _ callback: @escaping @Sendable () -> Void) -> UInt64 {
        let token = state.withLock { state in
            let token = state.nextToken
            state.nextToken += 1
            state.registrations[token] = Registration(descriptor: descriptor, callback: callback)
            return token
        }
        if anyio_epoll_arm(epoll, descriptor, writing ? 1 : 0, token) != 0 {
            // Not watchable (cannot happen for pipes and pidfds): report it ready at once, and
            // the caller's retried system call says what is wrong.
            let registration = state.withLock { $0.registrations.removeValue(forKey: token) }
            registration?.callback()
        }
        return token
    }

    /// Stops watching, unless the event came first.
    ///
    /// - Returns: `true` if the registration was removed and its callback will never run;
    ///   `false` if the callback has run or is about to (the watcher thread took it).
    func disarm(_ token: UInt64) -> Bool {
        guard let registration = state.withLock({ $0.registrations.removeValue(forKey: token) }) else { return false }
        _ = anyio_epoll_disarm(epoll, registration.descriptor)
        return true
    }

    private func startThread() {
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { _ in
            ReadinessWatcher.shared.run()
            return nil
        }, nil)
        precondition(result == 0, "AnyIOProcess: cannot start the readiness watcher thread (pthread_create: \(result))")
        pthread_detach(thread)
    }

    private func run() {
        // Block every signal here: this thread must never take a signal another thread waits for.
        var all = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, nil)
        var tokens = [UInt64](repeating: 0, count: 64)
        while true {
            let count = anyio_epoll_wait(epoll, &tokens, Int32(tokens.count))
            guard count > 0 else { continue }
            for token in tokens[..<Int(count)] {
                // Taken under the lock, so `disarm` and this thread never both act on it.
                guard let registration = state.withLock({ $0.registrations.removeValue(forKey: token) }) else {
                    continue
                }
                _ = anyio_epoll_disarm(epoll, registration.descriptor)
                registration.callback()
            }
        }
    }
}
