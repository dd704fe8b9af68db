/*
 * wm_gen.c -- the generation side of the watermark: bias the logits.
 *
 * An inference server calls this once per decoding step, between the model
 * and the sampler.  For the non-self-salted schemes (hash, lefthash) the
 * green list depends on the context only, so it is computed once per step
 * and delta is added to every green logit -- exactly WatermarkLogitsProcessor.
 *
 * selfhash is self-salted: whether a token is green depends on the token
 * itself, so there is no single green list.  The reference (Kirchenbauer's
 * _score_rejection_sampling with its default "fixed_compute" tail rule) walks
 * the candidates from the highest logit down, keeps those that are green
 * under their own salt, and stops after 41 candidates; we do the same, with a
 * partial selection instead of a full sort.  Tokens outside that top 41 are
 * never biased, which is harmless: delta cannot lift them into sampling
 * range anyway.
 *
 * Plugging into a llama.cpp-style sampler chain: add a sampler before
 * top-k/top-p/temperature whose apply() calls dw_wm_bias_candidates() on the
 * llama_token_data_array (ids and logits) with the ids generated so far; see
 * docs/provenance.md.
 */
#include <stdlib.h>
#include <string.h>

#include "distillwatch.h"
#include "prove/greenlist.h"

#define SELFHASH_CANDIDATES 41

/* Indices of the k largest logits, largest first (k small: insertion). */
static size_t top_k(const float *logits, size_t n, size_t k, size_t *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        float v = logits[i];
        if (m == k && !(v > logits[out[m - 1]])) continue;
        size_t j = m < k ? m++ : m - 1;
        while (j > 0 && v > logits[out[j - 1]]) { out[j] = out[j - 1]; j--; }
        out[j] = i;
    }
    return m;
}

static int bias_selfhash(dw_wm *w, const uint32_t *c, const int32_t *ids, float *logits, size_t n)
{
    size_t idx[SELFHASH_CANDIDATES];
    size_t m = top_k(logits, n, SELFHASH_CANDIDATES, idx);
    bool green[SELFHASH_CANDIDATES];
    for (size_t i = 0; i < m; i++) {
        int32_t id = ids ? ids[idx[i]] : (int32_t)idx[i];
        green[i] = id >= 0 && dw_wm_is_green(w, c, (uint32_t)id);
    }
    /* bias after testing: every candidate is judged on the unbiased logits */
    int biased = 0;
    double delta = dw_wm_get_params(w)->delta;
    for (size_t i = 0; i < m; i++)
        if (green[i]) { logits[idx[i]] += (float)delta; biased++; }
    return biased;
}

int dw_wm_bias_logits(dw_wm *w, const uint32_t *ctx, size_t nctx, float *logits, uint32_t nlogits)
{
    uint32_t clen = dw_wm_context_len(w);
    if (nctx < clen) return 0;
    const uint32_t *c = ctx + nctx - clen;
    const dw_wm_params *p = dw_wm_get_params(w);
    if (p->seeding == DW_WM_SELFHASH) return bias_selfhash(w, c, NULL, logits, nlogits);
    const uint8_t *mask = dw_wm_green_mask(w, c);
    uint32_t n = nlogits < p->vocab ? nlogits : p->vocab;
    int biased = 0;
    float d = (float)p->delta;
    for (uint32_t i = 0; i < n; i++)
        if (mask[i]) { logits[i] += d; biased++; }
    return biased;
}

int dw_wm_bias_candidates(dw_wm *w, const uint32_t *ctx, size_t nctx, const int32_t *ids,
                          float *logits, size_t ncand)
{
    uint32_t clen = dw_wm_context_len(w);
    if (nctx < clen) return 0;
    const uint32_t *c = ctx + nctx - clen;
    const dw_wm_params *p = dw_wm_get_params(w);
    if (p->seeding == DW_WM_SELFHASH) return bias_selfhash(w, c, ids, logits, ncand);
    const uint8_t *mask = dw_wm_green_mask(w, c);
    int biased = 0;
    float d = (float)p->delta;
    for (size_t i = 0; i < ncand; i++)
        if (ids[i] >= 0 && (uint32_t)ids[i] < p->vocab && mask[ids[i]]) { logits[i] += d; biased++; }
    return biased;
}
