//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#include "AnyIOCShims.h"

// The per-thread record of the schedule-point budget (see the header).
ANYIO_TLS_MODEL _Thread_local anyio_budget_t anyio_thread_budget = {0, 0, 0};
