/*
 * ngram_lm.c -- counts in sorted arrays, Witten-Bell interpolation, and
 * sampling that applies the watermark bias exactly.
 *
 * Storage: all trigrams (and bigrams) are packed into 64-bit keys, sorted and
 * run-length counted; a context's continuations are then one contiguous
 * slice, found by binary search.  No hash tables, no per-context mallocs.
 *
 * Sampling with the watermark: the model's distribution is a mixture
 *     p(w) = a3 c3(w) + a2 c2(w) + a1 p1(w)
 * of two sparse count lists and a dense unigram.  The watermarked
 * distribution is p(w) e^(delta g(w)) / Z.  We pick a component with
 * probability proportional to its boosted mass, then a token within it in
 * proportion to its boosted weight.  For the dense unigram, "boosted" is
 * handled by first choosing green or red by their boosted masses and then
 * drawing unigram tokens until one of that colour comes up (a few draws:
 * each colour holds a sizeable share of the unigram mass).
 */
#include "prove/ngram_lm.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "prove/greenlist.h"
#include "common/util.h"

#define IDBITS 21u
#define IDMASK ((1ull << IDBITS) - 1)

typedef struct cont { uint32_t w, c; } cont;
typedef struct ctxe { uint64_t key; uint32_t off, n, total; } ctxe;   /* a context's slice */

struct dw_lm {
    uint32_t V;
    ctxe *c3; size_t n3; cont *t3;       /* trigram contexts (u,v) */
    ctxe *c2; size_t n2; cont *t2;       /* bigram contexts (v) */
    double *p1;                          /* add-one unigram */
    double *cum1;                        /* its cumulative, for sampling */
};

struct dw_lm_builder {
    uint32_t V;
    uint64_t *k3, *k2;
    size_t n3, n2, cap3, cap2;
    uint64_t *uni;
    uint64_t total;
};

dw_lm_builder *dw_lm_builder_new(uint32_t V)
{
    dw_lm_builder *b = dw_xcalloc(1, sizeof *b);
    b->V = V;
    b->uni = dw_xcalloc(V, sizeof *b->uni);
    return b;
}

static void push(uint64_t **a, size_t *n, size_t *cap, uint64_t v)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 4096;
        *a = dw_xrealloc(*a, *cap * sizeof **a);
    }
    (*a)[(*n)++] = v;
}

void dw_lm_builder_add(dw_lm_builder *b, const uint32_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] >= b->V) continue;
        b->uni[ids[i]]++;
        b->total++;
        if (i >= 1) push(&b->k2, &b->n2, &b->cap2, ((uint64_t)ids[i - 1] << IDBITS) | ids[i]);
        if (i >= 2)
            push(&b->k3, &b->n3, &b->cap3,
                 ((uint64_t)ids[i - 2] << (2 * IDBITS)) | ((uint64_t)ids[i - 1] << IDBITS) | ids[i]);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* sorted keys (context << IDBITS | w) -> context slices + continuation list */
static void compile(uint64_t *k, size_t n, ctxe **ctx, size_t *nctx, cont **conts)
{
    qsort(k, n, sizeof *k, cmp_u64);
    *ctx = dw_xmalloc((n + 1) * sizeof **ctx);
    *conts = dw_xmalloc((n + 1) * sizeof **conts);
    size_t nc = 0, nt = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && k[j] == k[i]) j++;
        uint64_t c = k[i] >> IDBITS;
        if (nc == 0 || (*ctx)[nc - 1].key != c) (*ctx)[nc++] = (ctxe){c, (uint32_t)nt, 0, 0};
        (*conts)[nt++] = (cont){(uint32_t)(k[i] & IDMASK), (uint32_t)(j - i)};
        (*ctx)[nc - 1].n++;
        (*ctx)[nc - 1].total += (uint32_t)(j - i);
        i = j;
    }
    *nctx = nc;
}

dw_lm *dw_lm_build(dw_lm_builder *b)
{
    dw_lm *m = dw_xcalloc(1, sizeof *m);
    m->V = b->V;
    compile(b->k3, b->n3, &m->c3, &m->n3, &m->t3);
    compile(b->k2, b->n2, &m->c2, &m->n2, &m->t2);
    m->p1 = dw_xmalloc(b->V * sizeof *m->p1);
    m->cum1 = dw_xmalloc(b->V * sizeof *m->cum1);
    double acc = 0;
    for (uint32_t i = 0; i < b->V; i++) {
        m->p1[i] = ((double)b->uni[i] + 1) / ((double)b->total + b->V);
        acc += m->p1[i];
        m->cum1[i] = acc;
    }
    free(b->k3);
    free(b->k2);
    free(b->uni);
    free(b);
    return m;
}

void dw_lm_free(dw_lm *m)
{
    if (!m) return;
    free(m->c3); free(m->t3); free(m->c2); free(m->t2); free(m->p1); free(m->cum1);
    free(m);
}

static const ctxe *find(const ctxe *c, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c[mid].key < key) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && c[lo].key == key ? &c[lo] : NULL;
}

/* Witten-Bell weights of the three levels for context (u, v). */
static void weights(const dw_lm *m, uint32_t u, uint32_t v, const ctxe **e3, const ctxe **e2, double *a3,
                    double *a2, double *a1)
{
    *e3 = find(m->c3, m->n3, ((uint64_t)u << IDBITS) | v);
    *e2 = find(m->c2, m->n2, v);
    double l3 = *e3 ? (double)(*e3)->total / ((*e3)->total + (*e3)->n) : 0;
    double l2 = *e2 ? (double)(*e2)->total / ((*e2)->total + (*e2)->n) : 0;
    *a3 = *e3 ? l3 / (*e3)->total : 0;              /* per count */
    *a2 = *e2 ? (1 - l3) * l2 / (*e2)->total : 0;
    *a1 = (1 - l3) * (1 - l2);
}

double dw_lm_prob(const dw_lm *m, uint32_t u, uint32_t v, uint32_t w)
{
    const ctxe *e3, *e2;
    double a3, a2, a1;
    weights(m, u, v, &e3, &e2, &a3, &a2, &a1);
    double p = a1 * m->p1[w];
    if (e3)
        for (uint32_t i = 0; i < e3->n; i++)
            if (m->t3[e3->off + i].w == w) p += a3 * m->t3[e3->off + i].c;
    if (e2)
        for (uint32_t i = 0; i < e2->n; i++)
            if (m->t2[e2->off + i].w == w) p += a2 * m->t2[e2->off + i].c;
    return p;
}

/* --- rng ---------------------------------------------------------------------- */

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void dw_rng_seed(dw_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {          /* splitmix64 expansion */
        seed += 0x9e3779b97f4a7c15ULL;
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        r->s[i] = z ^ (z >> 31);
    }
}

uint64_t dw_rng_next(dw_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
    return out;
}

double dw_rng_unif(dw_rng *r) { return (double)(dw_rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

/* --- sampling ------------------------------------------------------------------- */

static uint32_t draw_unigram(const dw_lm *m, dw_rng *r)
{
    double x = dw_rng_unif(r) * m->cum1[m->V - 1];
    size_t lo = 0, hi = m->V - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->cum1[mid] <= x) lo = mid + 1;
        else hi = mid;
    }
    return (uint32_t)lo;
}

uint32_t dw_lm_sample(const dw_lm *m, uint32_t u, uint32_t v, dw_wm *wm, dw_rng *r)
{
    const ctxe *e3, *e2;
    double a3, a2, a1;
    weights(m, u, v, &e3, &e2, &a3, &a2, &a1);
    const uint8_t *green = NULL;
    double boost = 1;
    uint32_t ctx[2] = {u, v};
    if (wm) {
        /* a trigram model keeps two tokens of history: a watermark reading
         * more could not be applied faithfully, and that is a caller error */
        if (dw_wm_context_len(wm) > 2) abort();
        green = dw_wm_green_mask(wm, ctx + 2 - dw_wm_context_len(wm));
        boost = exp(dw_wm_get_params(wm)->delta);
    }
#define W(w) (green && (w) < m->V && green[w] ? boost : 1.0)
    double m3 = 0, m2 = 0;
    if (e3) for (uint32_t i = 0; i < e3->n; i++) m3 += a3 * m->t3[e3->off + i].c * W(m->t3[e3->off + i].w);
    if (e2) for (uint32_t i = 0; i < e2->n; i++) m2 += a2 * m->t2[e2->off + i].c * W(m->t2[e2->off + i].w);
    double g1 = 0;                       /* unigram mass on the green list */
    if (green) {
        const uint32_t *ids = dw_wm_green_ids(wm);
        for (uint32_t i = 0, n = dw_wm_green_size(wm); i < n; i++) g1 += ids[i] < m->V ? m->p1[ids[i]] : 0;
    }
    double m1 = green ? a1 * (g1 * boost + (1 - g1)) : a1;
    double x = dw_rng_unif(r) * (m3 + m2 + m1);
    if (x < m3) {
        for (uint32_t i = 0; i < e3->n; i++) {
            x -= a3 * m->t3[e3->off + i].c * W(m->t3[e3->off + i].w);
            if (x < 0) return m->t3[e3->off + i].w;
        }
        return m->t3[e3->off + e3->n - 1].w;
    }
    x -= m3;
    if (x < m2) {
        for (uint32_t i = 0; i < e2->n; i++) {
            x -= a2 * m->t2[e2->off + i].c * W(m->t2[e2->off + i].w);
            if (x < 0) return m->t2[e2->off + i].w;
        }
        return m->t2[e2->off + e2->n - 1].w;
    }
    if (!green) return draw_unigram(m, r);
    /* unigram: pick the colour by boosted mass, then draw until it matches */
    bool want_green = dw_rng_unif(r) * (g1 * boost + (1 - g1)) < g1 * boost;
    for (int tries = 0; tries < 10000; tries++) {
        uint32_t w = draw_unigram(m, r);
        if ((green[w] != 0) == want_green) return w;
    }
    return draw_unigram(m, r);
#undef W
}
