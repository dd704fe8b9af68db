/*
 * testpatterns.h -- the embedded pattern packs, compiled once per test file.
 *
 * Compiling the ~350 patterns takes seconds and every test only scans, so
 * suites that match text (test_patterns, test_enrich) load them in their
 * group setup and share P and S.
 */
#ifndef DW_TESTPATTERNS_H
#define DW_TESTPATTERNS_H
#include <stdio.h>
#include "enrich/patterns.h"

static dw_patterns *P;
static dw_pattern_scratch *S;

static int patterns_setup(void **state)
{
    char err[512];
    (void)state;
    P = dw_patterns_load(NULL, err, sizeof err);
    if (!P) {
        fprintf(stderr, "dw_patterns_load: %s\n", err);
        return -1;
    }
    S = dw_pattern_scratch_new(P);
    return S ? 0 : -1;
}

static int patterns_teardown(void **state)
{
    (void)state;
    dw_pattern_scratch_free(S);
    dw_patterns_free(P);
    return 0;
}
#endif
