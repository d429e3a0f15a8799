//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#define _GNU_SOURCE
#include "AnyIOProcessCShims.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

extern char **environ;

int anyio_process_spawn(pid_t *pid, const char *path, char *const *argv, char *const *envp,
                        const char *working_directory, const int *child_fds, int new_session) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) return result;
    result = posix_spawnattr_init(&attributes);
    if (result != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return result;
    }

    // The clean child: whatever the spawning thread blocks (Swift's pool threads block most
    // signals) and whatever the process ignores, the child starts with nothing blocked and every
    // signal at its default disposition.
    sigset_t none, all;
    sigemptyset(&none);
    // Every bit, not sigfillset: glibc's sigfillset leaves out its two internal signals (32 and
    // 33), and posix_spawn then sets those to SIG_IGN in the child, which survives exec. With
    // them in the set they get SIG_DFL, as after a shell's fork and exec.
    memset(&all, 0xff, sizeof all);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
#ifdef POSIX_SPAWN_SETSID
    if (new_session) flags |= POSIX_SPAWN_SETSID;
#else
    if (new_session) flags |= POSIX_SPAWN_SETPGROUP;  // process group only (older C libraries)
#endif
    if ((result = posix_spawnattr_setflags(&attributes, flags)) != 0) goto done;
    if ((result = posix_spawnattr_setsigmask(&attributes, &none)) != 0) goto done;
    if ((result = posix_spawnattr_setsigdefault(&attributes, &all)) != 0) goto done;
#ifndef POSIX_SPAWN_SETSID
    if (new_session && (result = posix_spawnattr_setpgroup(&attributes, 0)) != 0) goto done;
#endif

    for (int target = 0; target < 3; target++) {
        if (child_fds[target] < 0) continue;
        // dup2 onto 0-2 clears close-on-exec on the copy; the source (>= 3) stays close-on-exec.
        if ((result = posix_spawn_file_actions_adddup2(&actions, child_fds[target], target)) != 0) goto done;
    }
    if (working_directory != NULL) {
        if ((result = posix_spawn_file_actions_addchdir_np(&actions, working_directory)) != 0) goto done;
    }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    // Also descriptors that other code in the process opened without close-on-exec.
    if ((result = posix_spawn_file_actions_addclosefrom_np(&actions, 3)) != 0) goto done;
#endif

    result = posix_spawn(pid, path, &actions, &attributes, argv, envp != NULL ? envp : environ);

done:
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return result;
}

int anyio_pipe_cloexec(int *fds) {
    return pipe2(fds, O_CLOEXEC);
}

int anyio_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int anyio_pidfd_send_signal(int pidfd, int sig) {
#ifdef SYS_pidfd_send_signal
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

long anyio_write_no_sigpipe(int fd, const void *bytes, unsigned long count) {
    sigset_t sigpipe, old, pending;
    sigemptyset(&sigpipe);
    sigaddset(&sigpipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigpipe, &old);
    // A SIGPIPE that was pending already is not ours to consume.
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    long written = (long)write(fd, bytes, count);
    int saved = errno;
    if (written < 0 && saved == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&sigpipe, NULL, &zero) < 0 && errno == EINTR) {}
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return written;
}

int anyio_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int anyio_epoll_arm(int epfd, int fd, int writing, unsigned long long token) {
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = (writing ? EPOLLOUT : (EPOLLIN | EPOLLRDHUP)) | EPOLLONESHOT;
    event.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

int anyio_epoll_disarm(int epfd, int fd) {
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &event);
}

int anyio_epoll_wait(int epfd, unsigned long long *tokens, int capacity) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count;
    do {
        count = epoll_wait(epfd, events, capacity, -1);
    } while (count < 0 && errno == EINTR);
    for (int i = 0; i < count; i++) tokens[i] = events[i].data.u64;
    return count;
}
