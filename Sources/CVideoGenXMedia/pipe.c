// The encoder's pipe (see FramePipe.swift): pipe2 and F_SETPIPE_SZ are GNU extensions that
// Swift's Glibc module does not show.
#define _GNU_SOURCE
#include <fcntl.h>
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
