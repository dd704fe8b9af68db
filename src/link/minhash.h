/*
 * minhash.h -- near-duplicate sketches of short texts (system prompts).
 *
 * A harvesting operator who runs hundreds of accounts gives each a slightly
 * different system prompt ("You are a meticulous reasoning assistant. Always
 * show your complete chain of thought..." / "You are a careful analytical
 * thinker. Always show ...") so that no exact value links them.  The words
 * still overlap, and the Jaccard similarity of two texts' word 3-shingles
 * measures by how much.  MinHash estimates that similarity from two small
 * fixed-size signatures: the share of positions where the two signatures
 * hold the same minimum is an unbiased estimate of the Jaccard similarity.
 *
 * Why 32 positions of 16 bits: the estimate's standard error is
 * sqrt(J(1-J)/32) ~ 0.09 at J = 0.5, enough to tell "same family" (J >= 0.5)
 * from "shares a stock phrase" (J ~ 0.1); 16-bit minima collide by chance
 * once in 65536, which adds nothing measurable.  The signature is 64 bytes,
 * small enough to ride along with each request's features.
 *
 * The function is pure (no state), lives with its consumer (the link stage)
 * and is called by enrich, once per distinct system prompt (enrich caches it
 * by the prompt's hash, as it does the pattern hits).
 */
#ifndef DW_LINK_MINHASH_H
#define DW_LINK_MINHASH_H

#include <stddef.h>
#include <stdint.h>

#define DW_MH_K 32
#define DW_MH_EMPTY 0xffffu

typedef struct dw_minhash {
    uint16_t v[DW_MH_K];
    uint16_t shingles;          /* shingles sketched (saturating) */
} dw_minhash;

/* Sketch of the word 3-shingles of `s` (ASCII case folded, punctuation
 * dropped, digits masked, long runs of non-ASCII text cut into two-character
 * words so that Chinese or Japanese text still has shingles).  A text of
 * fewer than three words is one shingle.  An empty text gives all
 * DW_MH_EMPTY. */
void dw_minhash_text(const char *s, size_t n, dw_minhash *out);

/* Estimated Jaccard similarity of the shingle sets; 0 when either is empty.
 * (The 32 positions are 64 bytes; the shingle count rides along.) */
double dw_minhash_jaccard(const dw_minhash *a, const dw_minhash *b);

static inline int dw_minhash_empty(const dw_minhash *m) { return m->v[0] == DW_MH_EMPTY && m->v[1] == DW_MH_EMPTY; }

#endif
