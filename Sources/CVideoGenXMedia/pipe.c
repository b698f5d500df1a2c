// The encoder's pipe (see FramePipe.swift): pipe2, F_SETPIPE_SZ / F_GETPIPE_SZ and vmsplice are
// GNU extensions that Swift's Glibc module does not show.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>
#include "CVideoGenXMedia.h"

int vgx_frame_pipe(int fds[2], int size) {
#if defined(__linux__)
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    (void)fcntl(fds[1], F_SETPIPE_SZ, size);
    return 0;
#else
    if (pipe(fds) != 0) return -1;
    (void)fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    (void)size;
    return 0;
#endif
}

long vgx_pipe_capacity(int fd) {
#if defined(__linux__)
    long capacity = fcntl(fd, F_GETPIPE_SZ);
    if (capacity > 0) return capacity;
#else
    (void)fd;
#endif
    return 65536;
}

/// Writes what is left with write(2); 0 or an errno value.
static int write_all(int fd, const uint8_t *bytes, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, bytes, length);
        if (written < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        bytes += written;
        length -= (size_t)written;
    }
    return 0;
}

int vgx_pipe_hand_over(int fd, const uint8_t *bytes, size_t length) {
#if defined(__linux__)
    while (length > 0) {
        struct iovec part = { .iov_base = (void *)bytes, .iov_len = length };
        ssize_t handed = vmsplice(fd, &part, 1, 0);
        if (handed < 0) {
            if (errno == EINTR) continue;
            // A kernel or sandbox without vmsplice on pipes: copy instead.
            if (errno == ENOSYS || errno == EINVAL || errno == EPERM) return write_all(fd, bytes, length);
            return errno;
        }
        bytes += handed;
        length -= (size_t)handed;
    }
    return 0;
#else
    return write_all(fd, bytes, length);
#endif
}
