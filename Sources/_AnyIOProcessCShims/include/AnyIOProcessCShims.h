//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//
//
// C helpers of AnyIOProcess: what Swift cannot call directly (the variadic `syscall`, and the
// GNU `posix_spawn` extensions that need `_GNU_SOURCE`).

#ifndef ANYIO_PROCESS_C_SHIMS_H
#define ANYIO_PROCESS_C_SHIMS_H

#include <sys/types.h>

/// Spawns `path` with a clean child: an empty signal mask, the default disposition for every
/// signal, and no descriptor but 0–2.
///
/// `child_fds[i]` is the descriptor (at least 3) to become the child's descriptor `i`, or -1 to
/// leave the caller's descriptor `i` as it is (inherited). Descriptors from 3 up are closed in
/// the child (`posix_spawn_file_actions_addclosefrom_np`, where glibc has it; everything the
/// library opens is close-on-exec in any case). `working_directory` may be null. `envp` null
/// means the caller's environment. `new_session` makes the child call `setsid()`.
///
/// Returns 0 and sets `*pid`, or an `errno` value (`ENOENT` when the program or the working
/// directory does not exist, `EACCES`, `ENOEXEC`, ...).
int anyio_process_spawn(pid_t *_Nonnull pid, const char *_Nonnull path, char *_Nullable const *_Nonnull argv,
                        char *_Nullable const *_Nullable envp, const char *_Nullable working_directory,
                        const int *_Nonnull child_fds, int new_session);

/// `pipe2(fds, O_CLOEXEC)` (a GNU extension Swift's Glibc module does not show). 0, or -1 with
/// `errno`.
int anyio_pipe_cloexec(int *_Nonnull fds);

/// `pidfd_open(pid, 0)` through `syscall`: a descriptor that becomes readable when the process
/// exits, close-on-exec. -1 with `errno` (`ENOSYS` on kernels before 5.3) on failure.
int anyio_pidfd_open(pid_t pid);

/// `pidfd_send_signal(pidfd, sig, NULL, 0)` through `syscall`. 0, or -1 with `errno`.
int anyio_pidfd_send_signal(int pidfd, int sig);

/// Writes to a pipe without the process being killed by `SIGPIPE` when the reader is gone:
/// blocks `SIGPIPE` in the calling thread around the write and consumes the one that the write
/// raised. Returns what `write(2)` returns (`EPIPE` in `errno` when the reader is gone).
long anyio_write_no_sigpipe(int fd, const void *_Nonnull bytes, unsigned long count);

/// `epoll_create1(EPOLL_CLOEXEC)`: -1 with `errno` on failure.
int anyio_epoll_create(void);

/// Watches `fd` once (`EPOLLONESHOT`) for readability (`writing` 0) or writability, reporting
/// `token`. Errors and hang-ups are reported too (epoll always reports them). 0, or -1 with `errno`.
int anyio_epoll_arm(int epfd, int fd, int writing, unsigned long long token);

/// Stops watching `fd` (`EPOLL_CTL_DEL`). 0, or -1 with `errno`.
int anyio_epoll_disarm(int epfd, int fd);

/// Waits for events (no timeout; `EINTR` retried) and stores up to `capacity` tokens. Returns
/// how many, or -1 with `errno`.
int anyio_epoll_wait(int epfd, unsigned long long *_Nonnull tokens, int capacity);

#endif
