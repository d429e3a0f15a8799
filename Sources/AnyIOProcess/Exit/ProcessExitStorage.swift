//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization
import Dispatch
import _AnyIOProcessCShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Watches one child process for its exit, reaps it, and wakes the tasks in `wait()`.
///
/// The child's pidfd, watched by the `ReadinessWatcher` (epoll), becomes readable when the child
/// exits (on kernels without pidfd, a 10 ms Dispatch timer polls `waitpid(pid, WNOHANG)`
/// instead). The callback reaps the child at once, whether or not anyone waits, so no zombie
/// outlives the child's exit by more than one event, and then closes the pidfd. No pool thread
/// ever blocks: `wait()` parks like every other wait of the library.
///
/// Invariant: a signal is sent only while the child is not reaped (checked under the lock that
/// the reaping holds), so it can never reach a process that reused the pid.
final class ProcessExitStorage: Sendable {
    typealias Waiter = ParkedContinuation<Void, any Error>

    /// The child's process id.
    let pid: pid_t
    /// The task tree's name for the wait: `process 12345 (sleep 10)`.
    let site: ProcessWaitSite
    private let state: StateLock<ProcessExitState<Waiter>>
    /// Where the pidfd was recorded, to record its close.
    private let ledger: FileDescriptorLedger?

    init(pid: pid_t, pidfd: Int32, description: String, ledger: FileDescriptorLedger?) {
        self.pid = pid
        self.site = ProcessWaitSite(description)
        self.state = StateLock(ProcessExitState(pidfd: pidfd))
        self.ledger = ledger
    }

    /// Starts the exit watcher. Called once, right after the spawn. The registration (or the
    /// polling timer) keeps `self` alive until the child is reaped.
    func startWatching() {
        let pidfd = state.withLock { $0.pidfd }
        if pidfd >= 0 {
            armPidfd(pidfd)
        } else {
            let timer = DispatchSource.makeTimerSource(queue: processEventQueue)
            timer.schedule(deadline: .now() + .milliseconds(1), repeating: .milliseconds(10))
            // The handler holds the timer until it is cancelled; Dispatch releases it then.
            timer.setEventHandler { [self] in
                if reapIfExited() { timer.cancel() }
            }
            timer.activate()
        }
    }

    /// Watches the pidfd (readable once the child has exited); re-arms on a spurious wake-up.
    private func armPidfd(_ pidfd: Int32) {
        _ = ReadinessWatcher.shared.arm(pidfd, writing: false) { [self] in
            guard reapIfExited() else {
                armPidfd(pidfd)
                return
            }
            // Reaped, and the watcher no longer has the pidfd: nothing can use it any more.
            let fd = state.withLock { state in
                defer { state.pidfd = -1 }
                return state.pidfd
            }
            if fd >= 0 {
                ledger?.recordClose(fd)
                close(fd)
            }
        }
    }

    /// The return code once reaped.
    var returnCode: Int32? { state.withLock { $0.returnCode } }

    /// Reaps the child if it has exited; `true` once it is reaped (by this call or an earlier one).
    private func reapIfExited() -> Bool {
        let outcome = state.withLock { state -> (done: Bool, wake: [Waiter]) in
            if state.returnCode != nil { return (true, []) }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            // Not exited yet (a spurious event, or the polling timer), or interrupted: next event.
            if result == 0 || (result < 0 && errno == EINTR) { return (false, []) }
            // ECHILD: someone else reaped it (`SIGCHLD` ignored, or a stray `waitpid(-1)`); the
            // status is lost, and like Python we report 0.
            let code = result == pid ? decodeWaitStatus(status) : 0
            return (true, state.reaped(code))
        }
        // Resumed after the lock is released.
        for waiter in outcome.wake { waiter.resume() }
        return outcome.done
    }

    /// Waits for the child to exit; see `ChildProcess.wait()`.
    func wait() async throws -> Int32 {
        try throwIfCancelled()
        switch state.withLock({ $0.wait() }) {
        case .exited(let code):
            await yieldSchedulePoint()
            return code
        case .park(let ticket):
            setCurrentTaskBlockedOn(site)
            defer { setCurrentTaskBlockedOn(nil) }
            try await park(on: .processExit) { waiter in
                state.withLock { $0.park(ticket, waiter) }
            } cancel: {
                state.withLock { $0.cancel(ticket) }
            }
            // Woken only by `reaped`, which set the code first.
            guard let code = returnCode else { preconditionFailure("ProcessExitStorage.wait: woken before the reap") }
            return code
        }
    }

    /// Sends `signal` to the child, or to its process group, unless it has been reaped.
    ///
    /// - Returns: `false` if the child was reaped already (nothing sent).
    @discardableResult
    func send(_ signal: Int32, toGroup: Bool) -> Bool {
        state.withLock { state in
            // Invariant (see the type): never signal a reaped pid.
            guard state.returnCode == nil else { return false }
            if toGroup {
                _ = kill(-pid, signal)
            } else if state.pidfd >= 0 {
                _ = anyio_pidfd_send_signal(state.pidfd, signal)
            } else {
                _ = kill(pid, signal)
            }
            return true
        }
    }
}

/// A `waitpid` status as a return code: the exit status, or minus the signal number.
func decodeWaitStatus(_ status: Int32) -> Int32 {
    let signal = status & 0x7f
    if signal == 0 { return (status >> 8) & 0xff }  // WIFEXITED: WEXITSTATUS
    return -signal  // WIFSIGNALED: -WTERMSIG (stopped children are not reported without WUNTRACED)
}
