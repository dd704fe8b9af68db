/*
 * wm_score.h -- scoring token sequences for a green-list watermark.
 *
 * The scorer walks a token sequence and, at each position with enough
 * context, asks whether the token is green.  What makes the resulting count
 * a valid binomial test is *which* positions it counts -- the "tape":
 *   none  every position (repeated n-grams inflate the count: not a valid
 *         p-value on real text, kept for comparison);
 *   v1    a position only the first time its window (context) occurs;
 *   v2    a position only the first time its window + token occurs (the
 *         radioactivity paper's default and Kirchenbauer's
 *         ignore_repeated_ngrams).
 * Two more exclusions serve the radioactivity test (Sander et al. 2024):
 * windows that occur in the prompt (the student may have copied them from
 * there, not learned them) and, optionally, windows outside a filter of
 * k-grams (e.g. only the frequent ones the suspect model saw).
 *
 * The seen-set persists across texts until dw_wm_scorer_forget(): per-text
 * scoring forgets between texts, corpus ("chunked") scoring never does.
 *
 * First scored position: the Kirchenbauer schemes score every position with a
 * full context; the radioactive `hash` detector starts one later (its loop
 * begins at ngram + 1), which we reproduce because its published scores
 * depend on it.
 */
#ifndef DW_PROVE_WM_SCORE_H
#define DW_PROVE_WM_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prove/greenlist.h"


typedef struct dw_wm_tally {
    uint64_t positions;   /* positions examined (had enough context) */
    uint64_t scored;      /* positions counted */
    uint64_t green;       /* counted positions whose token is green */
} dw_wm_tally;

typedef struct dw_wm_scorer dw_wm_scorer;

dw_wm_scorer *dw_wm_scorer_new(dw_wm *w, dw_wm_tape tape);
void dw_wm_scorer_free(dw_wm_scorer *s);
/* Forget the windows seen so far (start of a new independent text). */
void dw_wm_scorer_forget(dw_wm_scorer *s);
/* The next text's prompt: its windows will not be scored.  Replaces the
 * previous prompt; n = 0 clears.  A window is the context before each prompt
 * token (as the reference collects them). */
void dw_wm_scorer_set_prompt(dw_wm_scorer *s, const uint32_t *ids, size_t n);
/* Restrict scoring to windows added here (context_len ids each). */
void dw_wm_scorer_filter_add(dw_wm_scorer *s, const uint32_t *window);
/* Restrict scoring to the filter even if no window is ever added: an empty
 * filter then scores nothing, as the reference's empty set does. */
void dw_wm_scorer_filter_on(dw_wm_scorer *s);
size_t dw_wm_scorer_filter_size(const dw_wm_scorer *s);

/* Called after each counted position with the running tally. */
typedef void (*dw_wm_scored_fn)(void *ud, const dw_wm_tally *t, bool green);

/* Score ids[0..n) into *t (added to what is there). */
void dw_wm_scorer_run(dw_wm_scorer *s, const uint32_t *ids, size_t n, dw_wm_tally *t,
                      dw_wm_scored_fn fn, void *ud);

/* First position scored (see above). */
uint32_t dw_wm_scorer_first_pos(const dw_wm_scorer *s);

#endif
