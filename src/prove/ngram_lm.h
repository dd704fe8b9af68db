/*
 * ngram_lm.h -- a small trigram language model over token ids, the teacher
 * and the students of the radioactivity experiment.
 *
 * Why an n-gram model: the experiment must run in seconds on two cores and
 * show the mechanism the radioactivity test relies on -- a student trained
 * on watermarked text learns, for the contexts it saw, to prefer the tokens
 * that were green there.  A trigram model with h = 2 watermark windows is the
 * smallest model that can learn exactly that, and it does so transparently.
 *
 * Smoothing is Witten-Bell interpolation (trigram -> bigram -> add-one
 * unigram): each level gets weight in proportion to how many distinct
 * continuations the context has, so rare contexts fall back gracefully.
 */
#ifndef DW_PROVE_NGRAM_LM_H
#define DW_PROVE_NGRAM_LM_H

#include <stddef.h>
#include <stdint.h>

#include "distillwatch.h"

typedef struct dw_lm dw_lm;

/* Build from token streams (each stream is one document; n-grams do not
 * cross documents).  V is the vocabulary size. */
typedef struct dw_lm_builder dw_lm_builder;
dw_lm_builder *dw_lm_builder_new(uint32_t V);
void dw_lm_builder_add(dw_lm_builder *b, const uint32_t *ids, size_t n);
dw_lm *dw_lm_build(dw_lm_builder *b);          /* consumes b */
void dw_lm_free(dw_lm *m);

/* A small, fast, seedable generator for sampling (xoshiro256**). */
typedef struct dw_rng { uint64_t s[4]; } dw_rng;
void dw_rng_seed(dw_rng *r, uint64_t seed);
uint64_t dw_rng_next(dw_rng *r);
double dw_rng_unif(dw_rng *r);               /* [0, 1) */

/* Sample the next token after (u, v).  When wm is not NULL the green list of
 * the context is boosted by exp(delta) -- the watermark exactly as
 * dw_wm_bias_logits() applies it to logits.  The watermark must read at
 * most two tokens of context (hash/lefthash with h <= 2). */
uint32_t dw_lm_sample(const dw_lm *m, uint32_t u, uint32_t v, dw_wm *wm, dw_rng *r);

/* Probability of w after (u, v) (for tests). */
double dw_lm_prob(const dw_lm *m, uint32_t u, uint32_t v, uint32_t w);

#endif
