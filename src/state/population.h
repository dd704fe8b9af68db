/*
 * population.h -- what "a lot" means on this provider.
 *
 * Volume is only evidence relative to everybody else, so the engine keeps a
 * log-scale histogram of requests (and completion tokens) per account,
 * updated in O(1) when an account crosses a bucket boundary.  Medians read
 * off it are exact to a quarter octave, which is all a ratio like "40x the
 * median account" needs, and the histogram is the same whether the traffic
 * arrived in one scan or in several (it is saved in the store).
 */
#ifndef DW_POPULATION_H
#define DW_POPULATION_H

#include <stdint.h>

#define DW_POP_BUCKETS 256

struct dw_population {
    uint32_t req[DW_POP_BUCKETS];
    uint32_t tok[DW_POP_BUCKETS];
};

/* Bucket of a positive count: 4 buckets per power of two. */
static inline unsigned dw_pop_bucket(uint64_t v)
{
    if (v < 4) return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned b = 4 * msb + (unsigned)((v >> (msb - 2)) & 3);
    return b < DW_POP_BUCKETS ? b : DW_POP_BUCKETS - 1;
}

/* Move one account from value `from` to `to` in histogram h (0 = absent). */
static inline void dw_pop_move(uint32_t *h, uint64_t from, uint64_t to)
{
    if (from) {
        unsigned a = dw_pop_bucket(from), b = dw_pop_bucket(to);
        if (a == b) return;
        h[a]--;
        h[b]++;
    } else if (to) {
        h[dw_pop_bucket(to)]++;
    }
}

/* The smallest value that falls in bucket b. */
static inline double dw_pop_bucket_floor(unsigned b)
{
    if (b < 4) return b;
    unsigned msb = b / 4, q = b % 4;
    return (double)(1ull << msb) * (1.0 + q / 4.0);
}

#endif
