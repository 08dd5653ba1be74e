// The C library's epoll, eventfd, accept4, pipe2, splice,
// pthread_setaffinity_np and prctl for the I/O driver and the runtime. Glibc's Swift
// module is built without _GNU_SOURCE, which hides accept4, pipe2, splice and
// pthread_setaffinity_np: they are declared here with the C library's own
// prototypes, so that the headers included here see the same macros as
// that module (a header seen under two sets of macros breaks the build).
#include <fcntl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>

extern int accept4(int fd, struct sockaddr *addr, socklen_t *addr_len, int flags);
extern int pipe2(int fds[2], int flags);
extern ssize_t splice(int fd_in, __off64_t *off_in, int fd_out, __off64_t *off_out, size_t len, unsigned int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);
extern int pthread_setaffinity_np(pthread_t thread, size_t cpusetsize, const cpu_set_t *cpuset);

// <fcntl.h>'s values, hidden without _GNU_SOURCE.
#define CEPOLL_F_GETPIPE_SZ 1032
#define CEPOLL_SPLICE_F_MOVE 1
#define CEPOLL_SPLICE_F_NONBLOCK 2

/// Accepts a connection, non-blocking and close-on-exec, and fills in the
/// peer's address (no getpeername(2) later).
static inline int cepoll_accept(int fd, struct sockaddr_storage *peer) {
    socklen_t length = sizeof(*peer);
    return accept4(fd, (struct sockaddr *)peer, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static inline void cepoll_name_thread(pthread_t thread, const char *name) {
    pthread_setname_np(thread, name);
}

/// Binds the calling thread to the CPUs whose bits are set in `mask`
/// (`words` words of 64 bits, CPU 0 in the lowest bit of the first).
static inline int cepoll_bind_current_thread(const unsigned long *mask, size_t words) {
    cpu_set_t set;
    __builtin_memset(&set, 0, sizeof(set));
    size_t bytes = words * sizeof(unsigned long);
    __builtin_memcpy(&set, mask, bytes < sizeof(set) ? bytes : sizeof(set));
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static inline int cepoll_pipe(int fds[2]) {
    return pipe2(fds, O_NONBLOCK | O_CLOEXEC);
}

static inline int cepoll_pipe_size(int fd) {
    return fcntl(fd, CEPOLL_F_GETPIPE_SZ);
}

/// Moves up to `length` bytes from `from` to `to` (one of them a pipe)
/// without blocking.
static inline long cepoll_splice(int from, int to, unsigned long length) {
    return splice(from, 0, to, 0, length, CEPOLL_SPLICE_F_MOVE | CEPOLL_SPLICE_F_NONBLOCK);
}

/// `set-dumpable`: prctl(2) is variadic, which Swift cannot call.
static inline int cepoll_set_dumpable(void) {
    return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}
