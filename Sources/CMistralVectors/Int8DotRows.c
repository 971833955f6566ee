#include "CMistralVectors.h"

static void dot_rows_portable(const int8_t *rows, size_t count, size_t dimension, const int16_t *query, int32_t *scores) {
    for (size_t row = 0; row < count; row++) {
        const int8_t *values = rows + row * dimension;
        int32_t sum = 0;
        for (size_t i = 0; i < dimension; i++) sum += (int32_t)values[i] * (int32_t)query[i];
        scores[row] = sum;
    }
}

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

__attribute__((target("avx2")))
static void dot_rows_avx2(const int8_t *rows, size_t count, size_t dimension, const int16_t *query, int32_t *scores) {
    size_t wide = dimension & ~(size_t)31;
    for (size_t row = 0; row < count; row++) {
        const int8_t *values = rows + row * dimension;
        __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
        size_t i = 0;
        for (; i < wide; i += 32) {
            __m256i v0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(values + i)));
            __m256i v1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(values + i + 16)));
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(v0, _mm256_loadu_si256((const __m256i *)(query + i))));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(v1, _mm256_loadu_si256((const __m256i *)(query + i + 16))));
        }
        __m256i sum8 = _mm256_add_epi32(a0, a1);
        __m128i sum4 = _mm_add_epi32(_mm256_castsi256_si128(sum8), _mm256_extracti128_si256(sum8, 1));
        sum4 = _mm_add_epi32(sum4, _mm_shuffle_epi32(sum4, 0x4E));
        sum4 = _mm_add_epi32(sum4, _mm_shuffle_epi32(sum4, 0xB1));
        int32_t sum = _mm_cvtsi128_si32(sum4);
        for (; i < dimension; i++) sum += (int32_t)values[i] * (int32_t)query[i];
        scores[row] = sum;
    }
}

static int detect_avx2(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ecx & (1u << 27)) || !(ecx & (1u << 28))) return 0; // OSXSAVE and AVX
    unsigned int xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 6u) != 6u) return 0; // the OS saves SSE and AVX state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx & (1u << 5)) != 0;
}

// 0: not checked yet, 1: portable, 2: AVX2. Racing first calls store the same value.
static volatile int kernel = 0;

int mk_int8_dot_uses_avx2(void) {
    if (kernel == 0) kernel = detect_avx2() ? 2 : 1;
    return kernel == 2;
}

void mk_int8_dot_rows(const int8_t *rows, size_t count, size_t dimension, const int16_t *query, int32_t *scores) {
    if (mk_int8_dot_uses_avx2()) {
        dot_rows_avx2(rows, count, dimension, query, scores);
    } else {
        dot_rows_portable(rows, count, dimension, query, scores);
    }
}

#else

int mk_int8_dot_uses_avx2(void) { return 0; }

void mk_int8_dot_rows(const int8_t *rows, size_t count, size_t dimension, const int16_t *query, int32_t *scores) {
    dot_rows_portable(rows, count, dimension, query, scores);
}

#endif
