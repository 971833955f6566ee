#ifndef C_MISTRAL_VECTORS_H
#define C_MISTRAL_VECTORS_H

#include <stddef.h>
#include <stdint.h>

/// Dot products of `count` rows of `dimension` int8 values (stored one after the other) with
/// `query` (the same length, widened to int16 once by the caller), written to `scores`.
///
/// Uses AVX2 when the processor and the operating system support it (checked once, at the first
/// call), and a portable loop that the compiler vectorises otherwise. Every path gives the same,
/// exact integer results: at most 1,024 × 127 × 127 per row, far inside int32.
void mk_int8_dot_rows(const int8_t *rows, size_t count, size_t dimension, const int16_t *query, int32_t *scores);

/// 1 when `mk_int8_dot_rows` uses the AVX2 kernel on this machine, else 0.
int mk_int8_dot_uses_avx2(void);

#endif
