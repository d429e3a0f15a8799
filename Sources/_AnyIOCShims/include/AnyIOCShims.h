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

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/// The cooperative schedule-point budget of the task running on this thread (SPEC C8; see
/// docs/design.md "The schedule-point budget").
///
/// One record per thread, not per task: a task runs on one thread at a time, so the record of the
/// thread it runs on is its budget while `task` names it. When another task's address is found,
/// the task has been suspended since it last spent (some other task ran here), and its budget
/// starts full. A task that suspended and came back to the same thread with nothing in between
/// keeps its old count: it yields early, never late.
typedef struct {
    /// The task the record belongs to (its address), or null.
    const void *_Nullable task;
    /// Operations left before the next one yields.
    uint32_t remaining;
    /// When the budget was last refilled (CLOCK_MONOTONIC, nanoseconds).
    uint64_t refilledAt;
} anyio_budget_t;

/// The budget record of the calling thread (defined in AnyIOCShims.c). Initial-exec: read at a
/// fixed offset from the thread pointer, without the `__tls_get_addr` call of the general model
/// (the library is linked into the executable or a library loaded with it; glibc's spare static
/// TLS space covers these 24 bytes also for a library opened later with `dlopen`).
#define ANYIO_TLS_MODEL __attribute__((tls_model("initial-exec")))
extern _Thread_local anyio_budget_t anyio_thread_budget ANYIO_TLS_MODEL;

/// Operations a task may complete without suspending before one yields.
#define ANYIO_BUDGET_OPERATIONS 128u
/// Running time after which the next operation yields, in nanoseconds (1 ms).
#define ANYIO_BUDGET_NANOSECONDS 1000000ull
/// The clock is read on every 8th operation (a power of two), so the 1 ms is checked to within
/// 7 operations.
#define ANYIO_BUDGET_CLOCK_STRIDE 8u

static inline uint64_t anyio_monotonic_nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

/// Starts a full budget for the running task (after it yielded or suspended).
static inline void anyio_budget_refill(void) {
    anyio_budget_t *budget = &anyio_thread_budget;
    budget->task = swift_task_getCurrent();
    budget->remaining = ANYIO_BUDGET_OPERATIONS;
    budget->refilledAt = anyio_monotonic_nanoseconds();
}

/// Spends one unit of the running task's budget for an operation that completed without
/// suspending. Returns true when the budget is spent: the caller must yield (and refill).
static inline bool anyio_budget_spend(void) {
    anyio_budget_t *budget = &anyio_thread_budget;
    const void *task = swift_task_getCurrent();
    if (budget->task != task) {
        // Suspended since the last spend on this thread: a fresh budget, this operation its first.
        budget->task = task;
        budget->remaining = ANYIO_BUDGET_OPERATIONS - 1;
        budget->refilledAt = anyio_monotonic_nanoseconds();
        return false;
    }
    if (budget->remaining == 0) return true;
    budget->remaining -= 1;
    // The clock on every ANYIO_BUDGET_CLOCK_STRIDE-th operation only: a clock read costs more
    // than the rest of the spend together (about 23 ns against a few).
    if ((budget->remaining & (ANYIO_BUDGET_CLOCK_STRIDE - 1)) != 0) return false;
    return anyio_monotonic_nanoseconds() - budget->refilledAt >= ANYIO_BUDGET_NANOSECONDS;
}

#endif
