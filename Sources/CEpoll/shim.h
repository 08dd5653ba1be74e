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

static inline int cepoll_accept(int fd) {
    return accept4(fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static inline void cepoll_name_thread(pthread_t thread, const char *name) {
    pthread_setname_np(thread, name);
}
