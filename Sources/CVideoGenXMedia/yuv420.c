// The encoder's RGB -> yuv420p conversion (see YUV420Converter.swift). Plain C: a portable loop,
// and on x86-64 an AVX2 loop written with intrinsics (32 pixels of two rows per step), chosen at
// run time. Both do the same integer arithmetic, so they give the same bytes (tested).
#include "CVideoGenXMedia.h"

// BT.709 limited range, 8 bits. Luma in 1/32768 (Q15, so each coefficient fits the signed 16-bit
// lanes of AVX2's multiply-add); chroma in 1/65536 of the 2x2 block's sum (each chroma row sums
// to 0: grey stays 128).
enum {
    YR = 5983, YG = 20127, YB = 2032,
    UR = -6596, UG = -22188, UB = 28784,
    VR = 28784, VG = -26145, VB = -2639,
    LUMA_SHIFT = 15, CHROMA_SHIFT = 18,
    LUMA_BIAS = (16 << LUMA_SHIFT) + (1 << (LUMA_SHIFT - 1)),
    CHROMA_BIAS = (128 << CHROMA_SHIFT) + (1 << (CHROMA_SHIFT - 1)),
};

// Pixels [from, width) of one luma row.
static void luma_row(const uint8_t *s, uint8_t *t, ptrdiff_t from, ptrdiff_t width) {
    for (ptrdiff_t x = from; x < width; x++) {
        int32_t r = s[3 * x], g = s[3 * x + 1], b = s[3 * x + 2];
        t[x] = (uint8_t)((YR * r + YG * g + YB * b + LUMA_BIAS) >> LUMA_SHIFT);
    }
}

// One chroma sample from its 2x2 block's summed R, G, B and the component's weights.
static inline uint8_t chroma_sample(int32_t r, int32_t g, int32_t b, int32_t wr, int32_t wg, int32_t wb) {
    return (uint8_t)((wr * r + wg * g + wb * b + CHROMA_BIAS) >> CHROMA_SHIFT);
}

// Chroma samples [from, (width + 1) / 2) of one chroma row, from its two RGB rows.
static void chroma_row(const uint8_t *upper, const uint8_t *lower, uint8_t *u, uint8_t *v, ptrdiff_t from, ptrdiff_t width) {
    ptrdiff_t pairs = width / 2;
    for (ptrdiff_t cx = from; cx < pairs; cx++) {
        ptrdiff_t l = 6 * cx;
        // Sums of the 2x2 block: 4x the mean, so 2 more fractional bits.
        int32_t r = upper[l] + upper[l + 3] + lower[l] + lower[l + 3];
        int32_t g = upper[l + 1] + upper[l + 4] + lower[l + 1] + lower[l + 4];
        int32_t b = upper[l + 2] + upper[l + 5] + lower[l + 2] + lower[l + 5];
        u[cx] = chroma_sample(r, g, b, UR, UG, UB);
        v[cx] = chroma_sample(r, g, b, VR, VG, VB);
    }
    if (pairs * 2 < width) {  // an odd last column repeats its pixel
        ptrdiff_t l = 6 * pairs;
        int32_t r = 2 * (upper[l] + lower[l]), g = 2 * (upper[l + 1] + lower[l + 1]), b = 2 * (upper[l + 2] + lower[l + 2]);
        u[pairs] = chroma_sample(r, g, b, UR, UG, UB);
        v[pairs] = chroma_sample(r, g, b, VR, VG, VB);
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define VGX_AVX2 1

// Shuffles that gather one channel of 16 packed pixels (48 bytes, three 16-byte loads): mask
// [channel][load] moves that load's bytes of the channel to their pixel's position, zero elsewhere.
typedef struct { __m256i m[3][3]; } channel_masks;

__attribute__((target("avx2"))) static channel_masks make_masks(void) {
    channel_masks masks;
    for (int channel = 0; channel < 3; channel++) {
        for (int load = 0; load < 3; load++) {
            int8_t bytes[32];
            for (int out = 0; out < 16; out++) {
                int position = 3 * out + channel;
                int8_t index = position / 16 == load ? (int8_t)(position - 16 * load) : (int8_t)-1;
                bytes[out] = index;
                bytes[16 + out] = index;  // the same in the upper lane
            }
            masks.m[channel][load] = _mm256_loadu_si256((const __m256i *)bytes);
        }
    }
    return masks;
}

// Channel of 32 pixels from the loads: lane 0 holds pixels 0-15, lane 1 pixels 16-31.
__attribute__((target("avx2"))) static inline __m256i channel(const channel_masks *masks, int c, __m256i a0, __m256i a1, __m256i a2) {
    return _mm256_or_si256(
        _mm256_or_si256(_mm256_shuffle_epi8(a0, masks->m[c][0]), _mm256_shuffle_epi8(a1, masks->m[c][1])),
        _mm256_shuffle_epi8(a2, masks->m[c][2]));
}

// The three channels of 32 pixels at s, as bytes.
__attribute__((target("avx2"))) static inline void load_pixels(const channel_masks *masks, const uint8_t *s, __m256i *r, __m256i *g, __m256i *b) {
    __m256i a0 = _mm256_loadu2_m128i((const __m128i *)(s + 48), (const __m128i *)s);
    __m256i a1 = _mm256_loadu2_m128i((const __m128i *)(s + 64), (const __m128i *)(s + 16));
    __m256i a2 = _mm256_loadu2_m128i((const __m128i *)(s + 80), (const __m128i *)(s + 32));
    *r = channel(masks, 0, a0, a1, a2);
    *g = channel(masks, 1, a0, a1, a2);
    *b = channel(masks, 2, a0, a1, a2);
}

// Luma of 16 pixels given as 16-bit lanes: (YR r + YG g + YB b + bias) >> 15, as 16-bit lanes.
__attribute__((target("avx2"))) static inline __m256i luma16(__m256i r, __m256i g, __m256i b) {
    const __m256i rg_weights = _mm256_set1_epi32((YG << 16) | (YR & 0xFFFF));
    const __m256i b_weight = _mm256_set1_epi32(YB);
    const __m256i bias = _mm256_set1_epi32(LUMA_BIAS);
    const __m256i zero = _mm256_setzero_si256();
    __m256i lo = _mm256_add_epi32(
        _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(r, g), rg_weights), _mm256_madd_epi16(_mm256_unpacklo_epi16(b, zero), b_weight)), bias);
    __m256i hi = _mm256_add_epi32(
        _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(r, g), rg_weights), _mm256_madd_epi16(_mm256_unpackhi_epi16(b, zero), b_weight)), bias);
    return _mm256_packs_epi32(_mm256_srai_epi32(lo, LUMA_SHIFT), _mm256_srai_epi32(hi, LUMA_SHIFT));
}

// One chroma component of 8 blocks from their summed R, G, B (32-bit lanes, each < 1021).
__attribute__((target("avx2"))) static inline __m256i chroma8(__m256i r, __m256i g, __m256i b, int32_t wr, int32_t wg, int32_t wb) {
    __m256i rg = _mm256_or_si256(r, _mm256_slli_epi32(g, 16));
    __m256i sum = _mm256_add_epi32(
        _mm256_madd_epi16(rg, _mm256_set1_epi32((int32_t)((uint32_t)wg << 16) | (wr & 0xFFFF))),
        _mm256_madd_epi16(b, _mm256_set1_epi32(wb)));
    return _mm256_srai_epi32(_mm256_add_epi32(sum, _mm256_set1_epi32(CHROMA_BIAS)), CHROMA_SHIFT);
}

// Luma of 32 pixels to t, from their channels as bytes; the channels widened to 16 bits are
// returned through lo (pixels 0-7 and 16-23) and hi (8-15 and 24-31) for the chroma sums.
__attribute__((target("avx2"))) static inline void luma32(__m256i r, __m256i g, __m256i b, uint8_t *t, __m256i lo[3], __m256i hi[3]) {
    const __m256i zero = _mm256_setzero_si256();
    lo[0] = _mm256_unpacklo_epi8(r, zero); hi[0] = _mm256_unpackhi_epi8(r, zero);
    lo[1] = _mm256_unpacklo_epi8(g, zero); hi[1] = _mm256_unpackhi_epi8(g, zero);
    lo[2] = _mm256_unpacklo_epi8(b, zero); hi[2] = _mm256_unpackhi_epi8(b, zero);
    __m256i y = _mm256_packus_epi16(luma16(lo[0], lo[1], lo[2]), luma16(hi[0], hi[1], hi[2]));
    _mm256_storeu_si256((__m256i *)t, y);
}

// Two luma rows and their chroma row, 32 pixels a step; returns the pixels done (a multiple of
// 32), the rest left to the portable loops. `lower` may equal `upper` (an odd last row).
__attribute__((target("avx2"))) static ptrdiff_t row_pair_avx2(
    const channel_masks *masks, const uint8_t *upper, const uint8_t *lower, uint8_t *y_upper, uint8_t *y_lower,
    uint8_t *u, uint8_t *v, ptrdiff_t width) {
    const __m256i ones = _mm256_set1_epi16(1);
    ptrdiff_t x = 0;
    for (; x + 32 <= width; x += 32) {
        __m256i r, g, b, top_lo[3], top_hi[3], bottom_lo[3], bottom_hi[3];
        load_pixels(masks, upper + 3 * x, &r, &g, &b);
        luma32(r, g, b, y_upper + x, top_lo, top_hi);
        load_pixels(masks, lower + 3 * x, &r, &g, &b);
        luma32(r, g, b, y_lower + x, bottom_lo, bottom_hi);
        // Block sums: the two rows added, then horizontal neighbours (madd with ones).
        // lo gives blocks 0-3 and 8-11, hi blocks 4-7 and 12-15.
        __m256i sum_lo[3], sum_hi[3];
        for (int c = 0; c < 3; c++) {
            sum_lo[c] = _mm256_madd_epi16(_mm256_add_epi16(top_lo[c], bottom_lo[c]), ones);
            sum_hi[c] = _mm256_madd_epi16(_mm256_add_epi16(top_hi[c], bottom_hi[c]), ones);
        }
        __m256i u16 = _mm256_packs_epi32(chroma8(sum_lo[0], sum_lo[1], sum_lo[2], UR, UG, UB), chroma8(sum_hi[0], sum_hi[1], sum_hi[2], UR, UG, UB));
        __m256i v16 = _mm256_packs_epi32(chroma8(sum_lo[0], sum_lo[1], sum_lo[2], VR, VG, VB), chroma8(sum_hi[0], sum_hi[1], sum_hi[2], VR, VG, VB));
        // [u 0-7, v 0-7 | u 8-15, v 8-15] -> [u 0-15 | v 0-15]
        __m256i uv = _mm256_permute4x64_epi64(_mm256_packus_epi16(u16, v16), 0xD8);
        _mm_storeu_si128((__m128i *)(u + x / 2), _mm256_castsi256_si128(uv));
        _mm_storeu_si128((__m128i *)(v + x / 2), _mm256_extracti128_si256(uv, 1));
    }
    return x;
}

// __builtin_cpu_init is idempotent and the check reads a flag it set: no cache of our own.
static int avx2_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}
#endif

void vgx_rgb24_to_yuv420p_rows_using(
    const uint8_t *rgb, ptrdiff_t width, ptrdiff_t height, uint8_t *y, uint8_t *u, uint8_t *v,
    ptrdiff_t first_chroma_row, ptrdiff_t end_chroma_row, int vectorised) {
    ptrdiff_t chroma_width = (width + 1) / 2;
#ifdef VGX_AVX2
    int avx2 = vectorised && avx2_available();
    channel_masks masks;
    if (avx2) masks = make_masks();
#else
    (void)vectorised;
#endif
    for (ptrdiff_t row = first_chroma_row; row < end_chroma_row; row++) {
        ptrdiff_t top = row * 2;
        ptrdiff_t bottom = top + 1 < height ? top + 1 : height - 1;
        const uint8_t *upper = rgb + top * width * 3, *lower = rgb + bottom * width * 3;
        uint8_t *u_row = u + row * chroma_width, *v_row = v + row * chroma_width;
        ptrdiff_t done = 0;
#ifdef VGX_AVX2
        if (avx2) done = row_pair_avx2(&masks, upper, lower, y + top * width, y + bottom * width, u_row, v_row, width);
#endif
        luma_row(upper, y + top * width, done, width);
        if (bottom != top) luma_row(lower, y + bottom * width, done, width);
        chroma_row(upper, lower, u_row, v_row, done / 2, width);
    }
}

void vgx_rgb24_to_yuv420p_rows(
    const uint8_t *rgb, ptrdiff_t width, ptrdiff_t height, uint8_t *y, uint8_t *u, uint8_t *v,
    ptrdiff_t first_chroma_row, ptrdiff_t end_chroma_row) {
    vgx_rgb24_to_yuv420p_rows_using(rgb, width, height, y, u, v, first_chroma_row, end_chroma_row, 1);
}
