/*
 * torch_rng.c -- MT19937 as PyTorch seeds and draws it, and torch.randperm.
 *
 * The generator is the textbook MT19937 (Matsumoto & Nishimura 1998): PyTorch
 * adds nothing to it except that manual_seed() truncates a 64-bit seed to its
 * low 32 bits before the init_genrand recurrence.  That truncation matters:
 * the radioactivity detector computes seeds modulo 2^64 - 1, and two contexts
 * whose seeds agree in the low 32 bits get the same green list.  We keep the
 * same behaviour on purpose -- being "better" here would be being wrong.
 *
 * Speed: scoring one token costs up to gamma*V draws (8,000 for Llama 2 at
 * gamma = 0.25), so the draw loop is the hot path of `wm score`.  The twist
 * regenerates the 624-word block in one pass (the compiler vectorises it) and
 * the tempering is inlined into the permutation loops.  The modulo uses
 * 32-bit operands: PyTorch computes random() % (n - i) with a 64-bit divisor,
 * but both operands are below 2^32 so the result is identical and the
 * division is several times cheaper.
 */
#include "prove/torch_rng.h"

#include <stddef.h>
#include <stdlib.h>

#define MT_M 397
#define MT_UPPER 0x80000000u
#define MT_LOWER 0x7fffffffu
#define MT_MATRIX 0x9908b0dfu

void dw_mt_seed(dw_mt *m, uint64_t seed)
{
    uint32_t x = (uint32_t)(seed & 0xffffffffu);
    m->s[0] = x;
    for (uint32_t j = 1; j < DW_MT_N; j++) {
        x = 1812433253u * (x ^ (x >> 30)) + j;
        m->s[j] = x;
    }
    m->pos = DW_MT_N;
}

static void mt_twist(dw_mt *m)
{
    uint32_t *s = m->s;
    int k;
    for (k = 0; k < DW_MT_N - MT_M; k++) {
        uint32_t y = (s[k] & MT_UPPER) | (s[k + 1] & MT_LOWER);
        s[k] = s[k + MT_M] ^ (y >> 1) ^ ((0u - (y & 1u)) & MT_MATRIX);
    }
    for (; k < DW_MT_N - 1; k++) {
        uint32_t y = (s[k] & MT_UPPER) | (s[k + 1] & MT_LOWER);
        s[k] = s[k + (MT_M - DW_MT_N)] ^ (y >> 1) ^ ((0u - (y & 1u)) & MT_MATRIX);
    }
    uint32_t y = (s[DW_MT_N - 1] & MT_UPPER) | (s[0] & MT_LOWER);
    s[DW_MT_N - 1] = s[MT_M - 1] ^ (y >> 1) ^ ((0u - (y & 1u)) & MT_MATRIX);
    m->pos = 0;
}

static inline uint32_t mt_temper(uint32_t y)
{
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint32_t dw_mt_next(dw_mt *m)
{
    if (m->pos >= DW_MT_N) mt_twist(m);
    return mt_temper(m->s[m->pos++]);
}

void dw_torch_randperm(dw_mt *m, uint32_t n, uint32_t *out)
{
    dw_torch_randperm_prefix(m, n, n, out);
}

void dw_torch_randperm_prefix(dw_mt *m, uint32_t n, uint32_t k, uint32_t *r)
{
    if (n == 0) return;
    for (uint32_t i = 0; i < n; i++) r[i] = i;
    /* PyTorch stops at n - 2: the last position has nothing left to swap. */
    uint32_t steps = k < n - 1 ? k : n - 1;
    for (uint32_t i = 0; i < steps; i++) {
        uint32_t z = dw_mt_next(m) % (n - i);
        uint32_t t = r[i];
        r[i] = r[i + z];
        r[i + z] = t;
    }
}

bool dw_torch_randperm_prefix_has(dw_mt *m, uint32_t n, uint32_t k, uint32_t token)
{
    if (token >= n || k == 0) return false;
    if (k >= n) return true;
    /* p = where `token` sits now.  Positions below i are final, so the token
     * is in the prefix exactly when some swap j = i + z with i < k lands on p
     * (it moves down to i), or when it sits at i and z = 0. */
    uint32_t p = token;
    uint32_t steps = k < n - 1 ? k : n - 1;
    uint32_t *s = m->s;
    uint32_t pos = m->pos;
    for (uint32_t i = 0; i < steps; i++) {
        if (pos >= DW_MT_N) { mt_twist(m); pos = 0; }
        uint32_t j = i + mt_temper(s[pos++]) % (n - i);
        if (j == p) { m->pos = pos; return true; }
        if (p == i) p = j;
    }
    m->pos = pos;
    return false;
}

/* --- planned queries -------------------------------------------------------- */

static inline uint32_t fastmod(uint32_t a, uint64_t magic, uint32_t d)
{
    uint64_t low = magic * a;
    return (uint32_t)(((unsigned __int128)low * d) >> 64);
}

int dw_randperm_plan_init(dw_randperm_plan *p, uint32_t n, uint32_t k)
{
    p->n = n;
    p->k = k < n ? k : n;
    p->steps = n == 0 ? 0 : (p->k < n - 1 ? p->k : n - 1);
    p->magic = malloc(((size_t)p->steps + 1) * sizeof *p->magic);
    if (!p->magic) return -1;
    for (uint32_t i = 0; i < p->steps; i++) p->magic[i] = UINT64_MAX / (n - i) + 1;
    return 0;
}

void dw_randperm_plan_free(dw_randperm_plan *p)
{
    free(p->magic);
    p->magic = NULL;
}

void dw_randperm_plan_prefix(const dw_randperm_plan *p, dw_mt *m, uint32_t *r)
{
    uint32_t n = p->n;
    for (uint32_t i = 0; i < n; i++) r[i] = i;
    uint32_t *s = m->s, pos = m->pos;
    for (uint32_t i = 0; i < p->steps; i++) {
        if (pos >= DW_MT_N) { mt_twist(m); pos = 0; }
        uint32_t j = i + fastmod(mt_temper(s[pos++]), p->magic[i], n - i);
        uint32_t t = r[i];
        r[i] = r[j];
        r[j] = t;
    }
    m->pos = pos;
}

bool dw_randperm_plan_has(const dw_randperm_plan *p, dw_mt *m, uint32_t token)
{
    uint32_t n = p->n;
    if (token >= n || p->k == 0) return false;
    if (p->k >= n) return true;
    uint32_t q = token, *s = m->s, pos = m->pos;
    for (uint32_t i = 0; i < p->steps; i++) {
        if (pos >= DW_MT_N) { mt_twist(m); pos = 0; }
        uint32_t j = i + fastmod(mt_temper(s[pos++]), p->magic[i], n - i);
        if (j == q) { m->pos = pos; return true; }
        if (q == i) q = j;
    }
    m->pos = pos;
    return false;
}
