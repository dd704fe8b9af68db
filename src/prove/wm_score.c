/*
 * wm_score.c -- the scoring loop.  It is deliberately plain: every rule that
 * decides whether a position counts is one line here, in the same order as
 * the reference detector's loop, so a reader can check them against the
 * paper one by one.
 */
#include "prove/wm_score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prove/pvalue.h"
#include "prove/tokenizer.h"
#include "prove/tupset.h"

struct dw_wm_scorer {
    dw_wm     *w;
    dw_wm_tape tape;
    uint32_t   clen;       /* context length */
    uint32_t   first;      /* first scored position */
    dw_tupset  seen;       /* v1: windows; v2: windows + token */
    dw_tupset  prompt;     /* windows of the current prompt */
    dw_tupset  filter;     /* allowed windows, when filtered */
    bool       filtered;   /* a filter was given, even an empty one */
};

int dw_wm_tape_parse(const char *name, dw_wm_tape *out)
{
    if (!strcmp(name, "none")) *out = DW_TAPE_NONE;
    else if (!strcmp(name, "v1")) *out = DW_TAPE_V1;
    else if (!strcmp(name, "v2")) *out = DW_TAPE_V2;
    else return -1;
    return 0;
}

dw_wm_scorer *dw_wm_scorer_new(dw_wm *w, dw_wm_tape tape)
{
    dw_wm_scorer *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->w = w;
    s->tape = tape;
    s->clen = dw_wm_context_len(w);
    s->first = s->clen + (dw_wm_get_params(w)->seeding == DW_WM_HASH ? 1 : 0);
    dw_tupset_init(&s->seen, tape == DW_TAPE_V2 ? s->clen + 1 : s->clen);
    dw_tupset_init(&s->prompt, s->clen);
    dw_tupset_init(&s->filter, s->clen);
    return s;
}

void dw_wm_scorer_free(dw_wm_scorer *s)
{
    if (!s) return;
    dw_tupset_free(&s->seen);
    dw_tupset_free(&s->prompt);
    dw_tupset_free(&s->filter);
    free(s);
}

void dw_wm_scorer_forget(dw_wm_scorer *s) { dw_tupset_clear(&s->seen); }

uint32_t dw_wm_scorer_first_pos(const dw_wm_scorer *s) { return s->first; }

void dw_wm_scorer_set_prompt(dw_wm_scorer *s, const uint32_t *ids, size_t n)
{
    dw_tupset_clear(&s->prompt);
    if (s->clen == 0) return;
    for (size_t pos = s->clen; pos < n; pos++) dw_tupset_add(&s->prompt, ids + pos - s->clen);
}

void dw_wm_scorer_filter_add(dw_wm_scorer *s, const uint32_t *window)
{
    s->filtered = true;
    dw_tupset_add(&s->filter, window);
}

void dw_wm_scorer_filter_on(dw_wm_scorer *s) { s->filtered = true; }

size_t dw_wm_scorer_filter_size(const dw_wm_scorer *s) { return s->filter.n; }

void dw_wm_scorer_run(dw_wm_scorer *s, const uint32_t *ids, size_t n, dw_wm_tally *t,
                      dw_wm_scored_fn fn, void *ud)
{
    for (size_t pos = s->first; pos < n; pos++) {
        const uint32_t *ctx = ids + pos - s->clen;
        t->positions++;
        if (s->filtered && !dw_tupset_has(&s->filter, ctx)) continue;
        if (s->prompt.n && dw_tupset_has(&s->prompt, ctx)) continue;
        /* v1 keys on the window, v2 on window + token: both are the ids
         * starting at ctx, of the set's tuple length. */
        if (s->tape != DW_TAPE_NONE && !dw_tupset_add(&s->seen, ctx)) continue;
        bool g = dw_wm_is_green(s->w, ctx, ids[pos]);
        t->scored++;
        t->green += g;
        if (fn) fn(ud, t, g);
    }
}

int dw_wm_score_text(dw_wm *w, const dw_tokenizer *t, dw_wm_tape tape, const char *text, size_t n,
                     dw_wm_result *out)
{
    dw_wm_scorer *s = dw_wm_scorer_new(w, tape);
    if (!s) return -1;
    dw_ids ids = {0};
    dw_tokenizer_encode_special(t, text, n, &ids);
    dw_wm_tally tl = {0};
    dw_wm_scorer_run(s, ids.v, ids.n, &tl, NULL, NULL);
    double gamma = dw_wm_get_params(w)->gamma;
    out->tokens = ids.n;
    out->num_token = tl.scored;
    out->num_green = tl.green;
    out->score = tl.scored ? (double)tl.green / (double)tl.scored : (double)NAN;
    out->z = dw_wm_zscore(tl.green, tl.scored, gamma);
    out->log_pvalue = dw_binom_logsf(tl.green, tl.scored, gamma);
    out->valid_pvalue = tape != DW_TAPE_NONE;
    dw_ids_free(&ids);
    dw_wm_scorer_free(s);
    return 0;
}
