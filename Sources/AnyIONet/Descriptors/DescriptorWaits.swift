//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import AnyIO
import Synchronization

/// Waits until the descriptor `fd` is readable (IO13).
///
/// For descriptors this library does not own (a socket or pipe made with the C library, a
/// descriptor from another library): the descriptor is watched with a Dispatch read source for
/// the duration of the wait. Returns when reading would not block: data is waiting, the peer
/// closed, or an error is pending.
///
/// ```swift
/// try await waitReadable(fd)
/// let count = read(fd, &buffer, buffer.count)
/// ```
///
/// A checkpoint: cancellation is checked first, and the call always suspends. Cancellable (a
/// cancel scope's deadline is a timeout). Only one task may wait for a descriptor to become
/// readable at a time. Before closing a descriptor that another task may be waiting on, call
/// ``notifyClosing(_:)``; the descriptor may be closed as soon as this call returned.
///
/// - Parameter fd: An open descriptor that supports readiness (a socket, pipe or terminal).
/// - Throws: `ClosedResourceError` if ``notifyClosing(_:)`` was called for `fd` while waiting,
///   `BusyResourceError` if another task is already waiting for `fd` to become readable,
///   `InvalidArgumentError` for a negative `fd`, or `CancellationError`.
/// - SeeAlso: AnyIO `wait_readable()`, Trio `trio.lowlevel.wait_readable()`.
public func waitReadable(_ fd: Int32) async throws {
    try await DescriptorWaitRegistry.shared.wait(fd, .read, function: "waitReadable(_:)")
}

/// Waits until the descriptor `fd` is writable (IO13).
///
/// As ``waitReadable(_:)``, for writing: returns when writing would not block (or an error is
/// pending). A checkpoint; cancellable; one waiting task per descriptor.
///
/// - Parameter fd: An open descriptor that supports readiness (a socket, pipe or terminal).
/// - Throws: `ClosedResourceError` if ``notifyClosing(_:)`` was called for `fd` while waiting,
///   `BusyResourceError` if another task is already waiting for `fd` to become writable,
///   `InvalidArgumentError` for a negative `fd`, or `CancellationError`.
/// - SeeAlso: AnyIO `wait_writable()`, Trio `trio.lowlevel.wait_writable()`.
public func waitWritable(_ fd: Int32) async throws {
    try await DescriptorWaitRegistry.shared.wait(fd, .write, function: "waitWritable(_:)")
}

/// Tells the tasks waiting in ``waitReadable(_:)`` or ``waitWritable(_:)`` for `fd` that it is
/// about to be closed: they wake with `ClosedResourceError`.
///
/// Call it before closing a descriptor that a task may be waiting on. When it returns, the
/// descriptor is no longer watched and may be closed. Waits that start afterwards watch the
/// descriptor anew. Does nothing if nobody waits for `fd`. Not `async`: usable from `deinit` and
/// from other threads.
///
/// ```swift
/// notifyClosing(fd)
/// close(fd)
/// ```
///
/// - Parameter fd: The descriptor that is about to be closed.
/// - SeeAlso: AnyIO `notify_closing()`, Trio `trio.lowlevel.notify_closing()`.
public func notifyClosing(_ fd: Int32) {
    DescriptorWaitRegistry.shared.notifyClosing(fd)
}

/// The waits of ``waitReadable(_:)`` and ``waitWritable(_:)`` in progress, by descriptor: for the
/// one-waiter-per-direction rule and for ``notifyClosing(_:)``. (This module's own sockets keep
/// their waits in their `SocketDescriptor`.)
///
/// Invariant: an entry exists only while it has a wait; a wait is in the registry from before its
/// source is made until it ended (removed by its waiter, or taken by `notifyClosing`).
final class DescriptorWaitRegistry: Sendable {
    static let shared = DescriptorWaitRegistry()

    private struct Entry {
        var read: ReadinessWait?
        var write: ReadinessWait?
    }

    private let entries = StateLock([Int32: Entry]())

    func wait(_ fd: Int32, _ direction: ReadinessWait.Direction, function: String) async throws {
        guard fd >= 0 else { throw InvalidArgumentError("\(function): the descriptor must not be negative, not \(fd)") }
        try throwIfCancelled()
        let wait = ReadinessWait(fd: fd, direction: direction)
        try entries.withLock { entries in
            var entry = entries[fd] ?? Entry()
            switch direction {
            case .read:
                if entry.read != nil { throw BusyResourceError(action: "waiting for descriptor \(fd) to become readable on") }
                entry.read = wait
            case .write:
                if entry.write != nil { throw BusyResourceError(action: "waiting for descriptor \(fd) to become writable on") }
                entry.write = wait
            }
            entries[fd] = entry
            // Started inside the registry's critical section (the wait's own lock nests inside
            // it, never the other way round): a `notifyClosing` that finds the wait finds it
            // started, and its `waitUntilUnregistered` covers the source.
            wait.start()
        }
        defer { remove(wait) }
        setCurrentTaskBlockedOn(SocketWaitSite(description: "descriptor \(fd)"))
        defer { setCurrentTaskBlockedOn(nil) }
        try await wait.wait(kind: direction == .read ? .descriptorReadable : .descriptorWritable)
    }

    /// Removes `wait` from the registry, if it is still there.
    private func remove(_ wait: ReadinessWait) {
        entries.withLock { entries in
            guard var entry = entries[wait.fd] else { return }
            switch wait.direction {
            case .read: if entry.read === wait { entry.read = nil }
            case .write: if entry.write === wait { entry.write = nil }
            }
            entries[wait.fd] = entry.read == nil && entry.write == nil ? nil : entry
        }
    }

    func notifyClosing(_ fd: Int32) {
        guard let entry = entries.withLock({ $0.removeValue(forKey: fd) }) else { return }
        let waits = [entry.read, entry.write].compactMap { $0 }
        for wait in waits { wait.finish(.closing) }
        // The descriptor may be closed once Dispatch let go of it.
        for wait in waits { wait.waitUntilUnregistered() }
    }
}
