/*
 * greenlist.c -- seeding schemes and green-list membership.
 *
 * Membership is the hot path of detection.  Two things keep it cheap:
 *   - dw_torch_randperm_prefix_has() follows only the scored token through
 *     the first int(gamma*V) swaps and stops as soon as it is placed, so no
 *     V-sized permutation is ever built for scoring;
 *   - a small direct-mapped memo of (32-bit seed, token) -> green answers:
 *     common windows ("of the", "\n\n") recur across texts, and in per-text
 *     scoring the same (window, token) is asked again and again.  The memo is
 *     keyed by the truncated seed, which is exactly what determines the answer,
 *     so it can never return a wrong one.
 * The selfhash table (randperm of 1,000,003 entries) costs a million draws; it
 * is built on first use only.
 */
#include "prove/greenlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prove/torch_rng.h"
#include "common/util.h"

#define HASHINT_N 1000003u
#define HASHINT_SEED 2971215073u
#define MEMO_BITS 16

struct dw_wm {
    dw_wm_params p;
    uint32_t green;          /* int(gamma * V) */
    uint32_t *hashint;       /* selfhash: randperm(1000003), lazily */
    uint64_t *memo;          /* (seed32 << 32) | (token << 1) | green; ~0 = empty */
    uint32_t *perm;          /* generation: V-entry scratch, lazily */
    uint8_t  *mask;          /* generation: V-entry green mask, lazily */
    dw_randperm_plan plan;   /* randperm(V) prefix of int(gamma V) */
    dw_mt mt;
};

static const uint64_t M64 = 0xffffffffffffffffULL;   /* 2^64 - 1, the reference's modulus */

void dw_wm_params_default(dw_wm_params *p, dw_wm_seeding s, uint32_t vocab)
{
    memset(p, 0, sizeof *p);
    p->seeding = s;
    p->vocab = vocab;
    p->gamma = 0.25;
    p->delta = 2.0;
    switch (s) {
    case DW_WM_HASH: p->ngram = 2; p->salt = DW_WM_SALT_HASH; p->key = 0; break;
    case DW_WM_LEFTHASH: p->ngram = 1; p->salt = DW_WM_SALT_KIRCHENBAUER; break;
    case DW_WM_SELFHASH: p->ngram = 4; p->salt = DW_WM_SALT_KIRCHENBAUER; break;
    }
}

int dw_wm_seeding_parse(const char *name, dw_wm_seeding *out)
{
    if (!strcmp(name, "hash")) *out = DW_WM_HASH;
    else if (!strcmp(name, "lefthash") || !strcmp(name, "simple_1")) *out = DW_WM_LEFTHASH;
    else if (!strcmp(name, "selfhash") || !strcmp(name, "algorithm-3")) *out = DW_WM_SELFHASH;
    else return -1;
    return 0;
}

const char *dw_wm_seeding_name(dw_wm_seeding s)
{
    return s == DW_WM_HASH ? "hash" : s == DW_WM_LEFTHASH ? "lefthash" : "selfhash";
}

dw_wm *dw_wm_new(const dw_wm_params *p, char *err, size_t errlen)
{
    if (p->vocab < 2 || p->vocab > (1u << 30)) {
        snprintf(err, errlen, "vocabulary size %u out of range (2 .. 2^30)", p->vocab);
        return NULL;
    }
    if (!(p->gamma > 0 && p->gamma < 1)) {
        snprintf(err, errlen, "gamma must be in (0, 1), got %g", p->gamma);
        return NULL;
    }
    uint32_t minh = p->seeding == DW_WM_SELFHASH ? 2 : 1;
    if (p->ngram < minh || p->ngram > DW_WM_MAX_NGRAM) {
        snprintf(err, errlen, "ngram (context width) must be in %u .. %u for %s, got %u", minh,
                 DW_WM_MAX_NGRAM, dw_wm_seeding_name(p->seeding), p->ngram);
        return NULL;
    }
    /* Python: int(self.gamma * self.vocab_size) -- a double product, truncated */
    uint32_t g = (uint32_t)(p->gamma * (double)p->vocab);
    if (g == 0) {
        snprintf(err, errlen, "gamma %g leaves an empty green list for V = %u", p->gamma, p->vocab);
        return NULL;
    }
    dw_wm *w = calloc(1, sizeof *w);
    if (!w) { snprintf(err, errlen, "out of memory"); return NULL; }
    w->p = *p;
    w->green = g;
    if (dw_randperm_plan_init(&w->plan, p->vocab, g)) { free(w); snprintf(err, errlen, "out of memory"); return NULL; }
    w->memo = malloc(sizeof(uint64_t) << MEMO_BITS);
    if (!w->memo) { dw_randperm_plan_free(&w->plan); free(w); snprintf(err, errlen, "out of memory"); return NULL; }
    memset(w->memo, 0xff, sizeof(uint64_t) << MEMO_BITS);
    return w;
}

void dw_wm_free(dw_wm *w)
{
    if (!w) return;
    free(w->hashint);
    free(w->memo);
    free(w->perm);
    free(w->mask);
    dw_randperm_plan_free(&w->plan);
    free(w);
}

const dw_wm_params *dw_wm_get_params(const dw_wm *w) { return &w->p; }

uint32_t dw_wm_context_len(const dw_wm *w)
{
    return w->p.seeding == DW_WM_SELFHASH ? w->p.ngram - 1 : w->p.ngram;
}

uint32_t dw_wm_green_size(const dw_wm *w) { return w->green; }

static uint64_t hashint(dw_wm *w, uint64_t x)
{
    if (!w->hashint) {
        w->hashint = dw_xmalloc(HASHINT_N * sizeof(uint32_t));
        dw_mt mt;
        dw_mt_seed(&mt, HASHINT_SEED);
        dw_torch_randperm(&mt, HASHINT_N, w->hashint);
    }
    return (uint64_t)w->hashint[x % HASHINT_N] + 1;
}

/* Python's `x % (2**64 - 1)` for a non-negative 128-bit x. */
static uint64_t mod_m64(unsigned __int128 x)
{
    /* 2^64 = 1 (mod 2^64 - 1): fold the halves, then reduce once or twice. */
    unsigned __int128 s = (x >> 64) + (uint64_t)x;
    s = (s >> 64) + (uint64_t)s;
    uint64_t r = (uint64_t)s;
    return r >= M64 ? r - M64 : r;
}

uint64_t dw_wm_seed(dw_wm *w, const uint32_t *ctx, uint32_t token)
{
    const dw_wm_params *p = &w->p;
    switch (p->seeding) {
    case DW_WM_HASH: {
        uint64_t s = mod_m64(p->key);
        for (uint32_t i = 0; i < p->ngram; i++)
            s = mod_m64((unsigned __int128)s * p->salt + ctx[i]);
        return s;
    }
    case DW_WM_LEFTHASH: {
        /* torch: sum() over int64 ids (no overflow for real ids), then a
         * Python-int product with the salt */
        uint64_t sum = 0;
        for (uint32_t i = 0; i < p->ngram; i++) sum += ctx[i];
        return mod_m64((unsigned __int128)sum * p->salt);
    }
    case DW_WM_SELFHASH: {
        /* torch int64 tensor arithmetic: products wrap modulo 2^64 and the
         * minimum is taken over the signed values; Python then maps a
         * negative minimum into [0, 2^64 - 1) with %. */
        uint64_t anchor = hashint(w, token);
        int64_t best = INT64_MAX;
        uint32_t h = p->ngram;
        for (uint32_t i = 0; i < h; i++) {
            uint32_t t = i + 1 < h ? ctx[i] : token;
            uint64_t v = p->salt * hashint(w, t) * anchor;     /* wraps mod 2^64 */
            int64_t sv = (int64_t)v;
            if (sv < best) best = sv;
        }
        if (best >= 0) return mod_m64((uint64_t)best);
        /* -|b| mod (2^64-1) = (2^64-1) - (|b| mod (2^64-1)) unless that is 0 */
        uint64_t mag = (uint64_t)0 - (uint64_t)best;
        uint64_t r = mod_m64(mag);
        return r == 0 ? 0 : M64 - r;
    }
    }
    return 0;
}

bool dw_wm_is_green(dw_wm *w, const uint32_t *ctx, uint32_t token)
{
    if (token >= w->p.vocab) return false;    /* ids outside the permuted range are never green */
    uint32_t s32 = (uint32_t)dw_wm_seed(w, ctx, token);
    uint64_t key = ((uint64_t)s32 << 32) | ((uint64_t)token << 1);
    uint64_t slot = ((s32 * 0x9e3779b1u) ^ (token * 0x85ebca77u)) >> (32 - MEMO_BITS);
    uint64_t m = w->memo[slot];
    if ((m & ~1ULL) == key) return m & 1;
    dw_mt_seed(&w->mt, s32);
    bool g = dw_randperm_plan_has(&w->plan, &w->mt, token);
    w->memo[slot] = key | (g ? 1 : 0);
    return g;
}

uint32_t dw_wm_greenlist(dw_wm *w, const uint32_t *ctx, uint32_t *scratch)
{
    dw_mt_seed(&w->mt, dw_wm_seed(w, ctx, 0));
    dw_randperm_plan_prefix(&w->plan, &w->mt, scratch);
    return w->green;
}

const uint8_t *dw_wm_green_mask(dw_wm *w, const uint32_t *ctx)
{
    if (!w->perm) w->perm = dw_xmalloc((size_t)w->p.vocab * sizeof *w->perm);
    if (!w->mask) w->mask = dw_xmalloc(w->p.vocab);
    uint32_t g = dw_wm_greenlist(w, ctx, w->perm);
    memset(w->mask, 0, w->p.vocab);
    for (uint32_t i = 0; i < g; i++) w->mask[w->perm[i]] = 1;
    return w->mask;
}

const uint32_t *dw_wm_green_ids(const dw_wm *w) { return w->perm; }
