/*
 * greenlist.h -- which tokens are "green" after a given context: the keyed
 * partition behind the Kirchenbauer et al. (2023) watermark.
 *
 * A seeding scheme turns the context tokens into a 64-bit seed; the seed
 * drives PyTorch's generator (torch_rng.h) through randperm(V); the first
 * int(gamma * V) entries are green.  The three schemes are those of the
 * reference implementations, bit for bit:
 *
 *   hash      (radioactive-watermark, Sander et al. 2024)
 *             s = key; for t in window: s = (s * salt + t) mod (2^64 - 1)
 *             window = the h tokens before the scored one; salt 35317.
 *   lefthash  (lm-watermarking "simple_1"/"lefthash": additive PRF, h = 1)
 *             s = salt * sum(window); salt ("hash_key") 15485863.
 *   selfhash  (lm-watermarking "algorithm-3"/"selfhash": anchored min-hash,
 *             h = 4, self-salted) -- the window is the h-1 previous tokens
 *             plus the scored token itself:
 *             s = min_i wrap64(salt * H(w_i) * H(token)), H(x) = P[x mod
 *             1000003] + 1 with P = randperm(1000003) seeded 2971215073;
 *             the product wraps like a torch int64 and the minimum is signed.
 * In every scheme the seed is reduced mod 2^64 - 1 (Python) and PyTorch
 * then keeps its low 32 bits.
 *
 * A dw_wm holds mutable scratch (a generator, a memo of recent answers), so
 * use one per thread.
 */
#ifndef DW_PROVE_GREENLIST_H
#define DW_PROVE_GREENLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "distillwatch.h"       /* dw_wm_seeding, dw_wm_params, dw_wm: public types */

#define DW_WM_SALT_HASH 35317u           /* radioactive-watermark's hash_key */
#define DW_WM_SALT_KIRCHENBAUER 15485863u /* lm-watermarking's hash_key */
#define DW_WM_MAX_NGRAM 16

const dw_wm_params *dw_wm_get_params(const dw_wm *w);

/* Number of previous tokens the seed reads: h, or h-1 for selfhash. */
uint32_t dw_wm_context_len(const dw_wm *w);
/* Green list size int(gamma * V), as Python computes it. */
uint32_t dw_wm_green_size(const dw_wm *w);

/* The seed (before PyTorch's 32-bit truncation) for scoring `token` after
 * ctx[0 .. context_len). */
uint64_t dw_wm_seed(dw_wm *w, const uint32_t *ctx, uint32_t token);


/* Generation side, non-self-salted schemes: the green ids after ctx, in
 * permutation order, into out[0 .. green_size).  scratch holds V entries
 * (out may be scratch).  Returns green_size. */
uint32_t dw_wm_greenlist(dw_wm *w, const uint32_t *ctx, uint32_t *scratch);

/* Generation side: a V-byte mask of the green ids after ctx (1 = green),
 * owned by w and valid until the next call.  Non-self-salted schemes only. */
const uint8_t *dw_wm_green_mask(dw_wm *w, const uint32_t *ctx);
/* The green ids behind the last dw_wm_green_mask() (green_size of them). */
const uint32_t *dw_wm_green_ids(const dw_wm *w);

#endif
