/*
 * fuzz_scan.c -- the whole batch pipeline on arbitrary input.
 *
 * The input is split into lines and fed through one engine (decode, enrich,
 * reorder, account state, scoring, alerts), then finished and its outputs
 * written; the summary must balance: read = accepted + quarantined.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "distillwatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static dw_decoder *dec;
    static dw_config *cfg;
    char err[256];
    if (!dec) {
        dec = dw_decoder_new(DW_FMT_NATIVE, NULL, err, sizeof err);
        cfg = dw_config_new();
    }
    if (size > (1u << 20)) return 0;
    dw_engine *e = dw_engine_new(cfg, err, sizeof err);
    assert(e);
    size_t start = 0;
    uint64_t lineno = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\n') {
            size_t n = i - start;
            char *line = malloc(n ? n : 1);
            memcpy(line, data + start, n);
            dw_engine_feed_line(e, dec, "fuzz", ++lineno, line, n);
            free(line);
            start = i + 1;
        }
    }
    assert(dw_engine_finish(e, err, sizeof err) == 0);
    dw_stats st = dw_engine_stats(e);
    assert(st.lines_read == st.lines_accepted + st.lines_quarantined);
    assert(st.verdicts[0] + st.verdicts[1] + st.verdicts[2] == st.accounts);
    dw_engine_free(e);
    return 0;
}
