#ifndef CVIDEOGENXMEDIA_H
#define CVIDEOGENXMEDIA_H

#include <stddef.h>
#include <stdint.h>

// C helpers of VideoGenXMedia: the encoder's pixel loop and its pipe.

/// Converts chroma rows [first_chroma_row, end_chroma_row) of a packed rgb24 frame (and the two
/// luma rows of each) to planar yuv420p, BT.709 limited range: luma per pixel, each chroma
/// sample the mean of its 2x2 block. `y`, `u`, `v` point at the start of each whole plane.
/// Uses AVX2 where the CPU has it (checked at run time), the portable loop elsewhere.
void vgx_rgb24_to_yuv420p_rows(
    const uint8_t *rgb, ptrdiff_t width, ptrdiff_t height, uint8_t *y, uint8_t *u, uint8_t *v,
    ptrdiff_t first_chroma_row, ptrdiff_t end_chroma_row);

/// The same conversion with the vector loop allowed (`vectorised` != 0) or not: the two give the
/// same bytes, which tests check through this entry.
void vgx_rgb24_to_yuv420p_rows_using(
    const uint8_t *rgb, ptrdiff_t width, ptrdiff_t height, uint8_t *y, uint8_t *u, uint8_t *v,
    ptrdiff_t first_chroma_row, ptrdiff_t end_chroma_row, int vectorised);

/// Makes a pipe whose two ends close on exec (`fds[0]` reads, `fds[1]` writes) and asks Linux
/// for a buffer of `size` bytes on it (best effort). Returns 0, or -1 with errno set.
int vgx_frame_pipe(int fds[2], int size);

/// The buffer size of the pipe `fd` in bytes (65536 where the system does not say).
long vgx_pipe_capacity(int fd);

/// Hands `length` bytes to the pipe `fd`, blocking while it is full. On Linux the pipe takes
/// references to the pages holding them (vmsplice, no copy): the caller must leave the bytes
/// unchanged and allocated until `vgx_pipe_capacity` more bytes have been handed over after
/// them (the pipe holds no more than that, so these have been read). Elsewhere, or where
/// vmsplice is refused, the bytes are copied (write). Returns 0, or the errno value of the failure.
int vgx_pipe_hand_over(int fd, const uint8_t *bytes, size_t length);

#endif
