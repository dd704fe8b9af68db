/*
 * features.h -- enrich: what one request says, independent of any other.
 *
 * Enrichment is stateless and runs before the reorder buffer, so everything
 * expensive about text (normalizing, hashing, pattern matching) is done once
 * per request and what flows on is a compact, fixed-size summary.
 */
#ifndef DW_FEATURES_H
#define DW_FEATURES_H

#include <stdint.h>
#include "distillwatch.h"
#include "enrich/patterns.h"
#include "link/minhash.h"

/* Prompt shape bits (dw_features.prompt_shape): the cheap, language-neutral
 * outline of a prompt that the link stage's question-bank profile compares. */
#define DW_SHAPE_DIGITS   1u   /* contains a digit */
#define DW_SHAPE_QUESTION 2u   /* contains a question mark (ASCII or full-width) */
#define DW_SHAPE_LINES    4u   /* spans several lines */

/* DW_SHAPE_* of a prompt, from its first 4 KiB. */
uint8_t dw_prompt_shape(const char *text, uint32_t n);

typedef struct dw_features {
    uint64_t prompt_hash;     /* normalized prompt (case, whitespace folded); 0 = no prompt */
    uint64_t prefix_sig;      /* template signature: the first words, digits masked */
    uint64_t suffix_sig;      /* template signature: the last words, digits masked */
    uint64_t system_hash;     /* normalized system prompt; 0 = none */
    uint64_t ip_hash, ip_prefix_hash, ua_hash, sdk_hash;
    uint32_t prompt_chars;
    dw_pattern_hits hits;     /* prompt and system prompt together */
    /* -- for the link stage (issue 4): what ties one operator's accounts -- */
    uint64_t client_fp;       /* user agent + SDK headers + the set of header names; 0 = none */
    uint64_t tools_fp;        /* tools schema; 0 = none */
    uint8_t  ip[16];          /* client address (IPv4 as ::ffff:a.b.c.d); all zero = none */
    uint8_t  prompt_shape;    /* DW_SHAPE_* */
    dw_minhash sys_mh;        /* near-duplicate sketch of the system prompt (cached by hash) */
} dw_features;

typedef struct dw_enricher dw_enricher;

dw_enricher *dw_enricher_new(const dw_patterns *pats);
void dw_enricher_free(dw_enricher *en);
/* on = 0: leave out the features only the link stage reads (client and
 * address hashes, the system prompt's MinHash); for an engine whose link
 * stage is off.  The default is on. */
void dw_enricher_set_link(dw_enricher *en, int on);
/* Compute features of ev.  Returns 0, or -1 on a pattern-engine error. */
int dw_enrich(dw_enricher *en, const dw_event *ev, dw_features *out);
/* Texts matched against the packs so far: the caches' misses. */
uint64_t dw_enricher_scans(const dw_enricher *en);

/* Exposed for tests: the normalized hash and template signatures of a text. */
void dw_text_signatures(const char *s, size_t n, uint64_t *full, uint64_t *prefix, uint64_t *suffix);

#endif
