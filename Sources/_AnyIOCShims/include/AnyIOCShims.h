//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//
//
// C helpers of the AnyIO target: only what Swift cannot say without a cost or a warning.

#ifndef ANYIO_C_SHIMS_H
#define ANYIO_C_SHIMS_H

#if __has_attribute(swiftcall)
#define ANYIO_SWIFTCALL __attribute__((swiftcall))
#else
#define ANYIO_SWIFTCALL
#endif

/// The Concurrency runtime's entry point behind `withUnsafeCurrentTask` (stable ABI since Swift
/// 5.1): the running task's object, not retained, or null outside a task.
extern void *_Nullable swift_task_getCurrent(void) ANYIO_SWIFTCALL;

/// The address of the running Swift task's object, or null outside a task.
///
/// Only the address: nothing is retained or released, unlike `withUnsafeCurrentTask`, whose
/// retain and release pair cost the lock benchmark about 5 %. The address identifies the task
/// while the task is alive.
static inline const void *_Nullable anyio_current_task_address(void) {
    return swift_task_getCurrent();
}

#endif
