/*
 * fuzz_prove_input.c -- libFuzzer target for what `wm score` and
 * `attribute` read: JSONL / plain-text inputs (dw_wm_input_scan), filter
 * window lists (dw_wm_parse_windows) and slop-forensics profiles
 * (dw_lineage_load), then the scorer over whatever was decoded.
 *
 * Invariants (abort() on failure): a decoded text lies inside a fresh
 * buffer of the reported length; every error message carries a location;
 * scoring tallies are consistent (green <= scored <= positions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distillwatch.h"
#include "prove/greenlist.h"
#include "prove/lineage.h"
#include "prove/tokenizer.h"
#include "prove/wm_input.h"
#include "prove/wm_score.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct ctx { dw_tokenizer *tok; dw_wm_scorer *sc; dw_ids ids; int texts; } ctx;

static int on_text(void *ud, const dw_wm_text *t)
{
    ctx *c = ud;
    char *copy = malloc(t->len ? t->len : 1);
    memcpy(copy, t->text, t->len);          /* ASan: the reported length is readable */
    c->ids.n = 0;
    dw_tokenizer_encode(c->tok, copy, t->len, &c->ids);
    free(copy);
    if (t->prompt) {
        dw_ids p = {0};
        dw_tokenizer_encode(c->tok, t->prompt, t->plen, &p);
        dw_wm_scorer_set_prompt(c->sc, p.v, p.n);
        dw_ids_free(&p);
    }
    dw_wm_tally tl = {0};
    dw_wm_scorer_run(c->sc, c->ids.v, c->ids.n, &tl, NULL, NULL);
    if (tl.green > tl.scored || tl.scored > tl.positions) abort();
    return ++c->texts > 1000;   /* stop early on huge inputs */
}

static void on_window(void *ud, const uint32_t *w)
{
    dw_wm_scorer_filter_add(ud, w);
}

static int has_location(const char *err) { return strchr(err, ':') != NULL || strstr(err, "offset") != NULL; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    char err[512];
    /* one watermark per scheme for the whole run: building one (and the
     * selfhash table) per input would drown the fuzzer */
    static dw_wm *wms[3];
    dw_wm *wm = wms[size % 3];
    if (!wm) {
        dw_wm_params p;
        dw_wm_params_default(&p, (dw_wm_seeding)(size % 3), 256);
        wm = wms[size % 3] = dw_wm_new(&p, err, sizeof err);
        if (!wm) abort();
    }
    ctx c = {dw_tokenizer_bytes(), dw_wm_scorer_new(wm, DW_TAPE_V2), {0}, 0};
    err[0] = 0;
    int rc = dw_wm_input_scan("in", buf, size, "text", (size & 1) ? "prompt" : NULL, on_text, &c, err, sizeof err);
    if (rc < 0 && !has_location(err)) abort();
    err[0] = 0;
    if (dw_wm_parse_windows("filter", buf, size, 1 + (uint32_t)(size % 4), on_window, c.sc, err, sizeof err) &&
        !has_location(err))
        abort();
    err[0] = 0;
    dw_lineage *l = dw_lineage_load(buf, size, err, sizeof err);
    if (l) {
        int n = dw_lineage_count(l);
        dw_tree_node *nodes = calloc((size_t)(2 * n), sizeof *nodes);
        int root = dw_lineage_tree(l, nodes);
        if (n > 1 && nodes[root].size != n) abort();
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) {
                double s = dw_lineage_similarity(l, a, b);
                if (!(s >= -1e-9 && s <= 1 + 1e-9)) abort();
            }
        free(nodes);
        dw_lineage_free(l);
    } else if (!has_location(err)) {
        abort();
    }
    dw_ids_free(&c.ids);
    dw_wm_scorer_free(c.sc);
    dw_tokenizer_free(c.tok);
    free(buf);
    return 0;
}
