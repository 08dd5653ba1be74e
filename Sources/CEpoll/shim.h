// The C library's epoll, eventfd and accept4, which Glibc's Swift module
// leaves out, for the I/O driver.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <fcntl.h>
#include <unistd.h>

static inline int cepoll_accept(int fd) {
    return accept4(fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static inline void cepoll_name_thread(pthread_t thread, const char *name) {
    pthread_setname_np(thread, name);
}

static inline int cepoll_pipe(int fds[2]) {
    return pipe2(fds, O_NONBLOCK | O_CLOEXEC);
}

static inline int cepoll_pipe_size(int fd) {
    return fcntl(fd, F_GETPIPE_SZ);
}

/// Moves up to `length` bytes from `from` to `to` (one of them a pipe)
/// without blocking.
static inline long cepoll_splice(int from, int to, unsigned long length) {
    return splice(from, 0, to, 0, length, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
}
