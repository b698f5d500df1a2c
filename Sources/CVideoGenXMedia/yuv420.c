// The encoder's RGB -> yuv420p conversion (see YUV420Converter.swift). Plain C so the compiler
// vectorises it and clones it for AVX2 with a run-time choice (Swift has no per-function target
// attributes): 2.5x faster than the same loop in Swift on the CI machine.
#include "CVideoGenXMedia.h"

// BT.709 limited range, 8 bits, in 1/65536 (each chroma row sums to 0: grey stays 128).
enum {
    YR = 11966, YG = 40254, YB = 4064,
    UR = -6596, UG = -22188, UB = 28784,
    VR = 28784, VG = -26145, VB = -2639,
    LUMA_BIAS = (16 << 16) + (1 << 15),
    CHROMA_BIAS = (128 << 18) + (1 << 17),
};

#if defined(__x86_64__) && defined(__linux__)
#define VGX_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VGX_CLONES
#endif

__attribute__((always_inline)) static inline void luma_row(const uint8_t *restrict s, uint8_t *restrict t, ptrdiff_t width) {
    for (ptrdiff_t x = 0; x < width; x++) {
        int32_t r = s[3 * x], g = s[3 * x + 1], b = s[3 * x + 2];
        t[x] = (uint8_t)((YR * r + YG * g + YB * b + LUMA_BIAS) >> 16);
    }
}

__attribute__((always_inline)) static inline void chroma_row(
    const uint8_t *restrict upper, const uint8_t *restrict lower, uint8_t *restrict u, uint8_t *restrict v, ptrdiff_t width) {
    ptrdiff_t pairs = width / 2;
    for (ptrdiff_t cx = 0; cx < pairs; cx++) {
        ptrdiff_t l = 6 * cx;
        // Sums of the 2x2 block: 4x the mean, so 2 more fractional bits.
        int32_t r = upper[l] + upper[l + 3] + lower[l] + lower[l + 3];
        int32_t g = upper[l + 1] + upper[l + 4] + lower[l + 1] + lower[l + 4];
        int32_t b = upper[l + 2] + upper[l + 5] + lower[l + 2] + lower[l + 5];
        u[cx] = (uint8_t)((UR * r + UG * g + UB * b + CHROMA_BIAS) >> 18);
        v[cx] = (uint8_t)((VR * r + VG * g + VB * b + CHROMA_BIAS) >> 18);
    }
    if (pairs * 2 < width) {  // an odd last column repeats its pixel
        ptrdiff_t l = 6 * pairs;
        int32_t r = 2 * (upper[l] + lower[l]), g = 2 * (upper[l + 1] + lower[l + 1]), b = 2 * (upper[l + 2] + lower[l + 2]);
        u[pairs] = (uint8_t)((UR * r + UG * g + UB * b + CHROMA_BIAS) >> 18);
        v[pairs] = (uint8_t)((VR * r + VG * g + VB * b + CHROMA_BIAS) >> 18);
    }
}

VGX_CLONES
void vgx_rgb24_to_yuv420p_rows(
    const uint8_t *rgb, ptrdiff_t width, ptrdiff_t height, uint8_t *y, uint8_t *u, uint8_t *v,
    ptrdiff_t first_chroma_row, ptrdiff_t end_chroma_row) {
    ptrdiff_t chroma_width = (width + 1) / 2;
    for (ptrdiff_t row = first_chroma_row; row < end_chroma_row; row++) {
        ptrdiff_t top = row * 2;
        ptrdiff_t bottom = top + 1 < height ? top + 1 : height - 1;
        luma_row(rgb + top * width * 3, y + top * width, width);
        if (bottom != top) luma_row(rgb + bottom * width * 3, y + bottom * width, width);
        chroma_row(rgb + top * width * 3, rgb + bottom * width * 3, u + row * chroma_width, v + row * chroma_width, width);
    }
}
