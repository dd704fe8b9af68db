/*
 * torch_rng.h -- a bit-exact replay of PyTorch's CPU random generator and of
 * torch.randperm, the two things every reference watermark detector uses to
 * turn a seed into a green list.
 *
 * Why replay rather than "any good PRNG": a green list is only evidence if the
 * party who embedded the watermark and the party who tests for it draw the
 * same list.  The published detectors (Kirchenbauer et al.'s lm-watermarking,
 * Sander et al.'s radioactive-watermark) call
 *     gen.manual_seed(seed); perm = torch.randperm(V, generator=gen)
 * and take perm[:int(gamma * V)].  To score their outputs -- or to let a
 * provider that generated with their code prove provenance with ours -- we
 * must reproduce that permutation exactly.
 *
 * What PyTorch does on the CPU (verified against python3-torch with the
 * vectors in tests/fixtures/prove/):
 *   - the generator is a standard MT19937; manual_seed(s) keeps only the low
 *     32 bits of s and runs the usual init_genrand recurrence;
 *   - random() is one tempered 32-bit output;
 *   - randperm(n) for n < 2^32/20 fills r[i] = i and, for i = 0 .. n-2, swaps
 *     r[i] with r[i + random() % (n - i)]  (a forward Fisher-Yates).
 *
 * Because the shuffle is forward, position i is final after step i: the
 * first k entries of the permutation need only k draws, and "is token t
 * among the first k" can stop as soon as t lands in the prefix.  Those two
 * shortcuts are what make scoring fast (see greenlist.c).
 */
#ifndef DW_PROVE_TORCH_RNG_H
#define DW_PROVE_TORCH_RNG_H

#include <stdbool.h>
#include <stdint.h>

#define DW_MT_N 624

typedef struct dw_mt {
    uint32_t s[DW_MT_N];
    uint32_t pos;            /* next word of s to temper; DW_MT_N = twist first */
} dw_mt;

/* torch.Generator.manual_seed(seed): only the low 32 bits matter. */
void dw_mt_seed(dw_mt *m, uint64_t seed);

/* The next 32-bit output (CPUGeneratorImpl::random()). */
uint32_t dw_mt_next(dw_mt *m);

/* torch.randperm(n, generator=m) into out[0..n).  n < 2^31. */
void dw_torch_randperm(dw_mt *m, uint32_t n, uint32_t *out);

/* The first k entries of torch.randperm(n) (k <= n), consuming exactly
 * min(k, n-1) draws.  scratch must hold n entries; out may alias scratch. */
void dw_torch_randperm_prefix(dw_mt *m, uint32_t n, uint32_t k, uint32_t *scratch);

/* Is `token` among the first k entries of torch.randperm(n)?  No array: it
 * follows the one element through the swaps and stops when it is placed. */
bool dw_torch_randperm_prefix_has(dw_mt *m, uint32_t n, uint32_t k, uint32_t token);

/* A plan for repeated prefix queries with the same (n, k): the divisors
 * n - i are known in advance, so each modulo becomes two multiplications
 * (Lemire, Kaser & Kurz 2019, "Faster remainder by direct computation"),
 * exact for all 32-bit operands. */
typedef struct dw_randperm_plan {
    uint32_t  n, k, steps;
    uint64_t *magic;         /* magic[i] = floor((2^64 - 1) / (n - i)) + 1 */
} dw_randperm_plan;

int dw_randperm_plan_init(dw_randperm_plan *p, uint32_t n, uint32_t k);   /* -1 on OOM */
void dw_randperm_plan_free(dw_randperm_plan *p);
void dw_randperm_plan_prefix(const dw_randperm_plan *p, dw_mt *m, uint32_t *scratch);
bool dw_randperm_plan_has(const dw_randperm_plan *p, dw_mt *m, uint32_t token);

#endif
