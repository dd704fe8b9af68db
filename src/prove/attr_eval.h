/*
 * attr_eval.h -- measuring attribution on held-out prompts.
 *
 * The honest test of a fingerprint is on prompts it has not seen: the
 * candidates' reference answers come from one half of the prompts, the
 * "unknown" answers from the other half, so topic cannot give the answer
 * away.  The temperature that turns scores into probabilities is fitted
 * inside the reference half (profiles from one quarter, fit on the other),
 * never on the test half.
 */
#ifndef DW_PROVE_ATTR_EVAL_H
#define DW_PROVE_ATTR_EVAL_H

#include <stddef.h>

#include "prove/fingerprint.h"

#define DW_ATTR_BINS 10

typedef struct dw_attr_doc { int model; int prompt; const char *text; size_t len; } dw_attr_doc;

typedef struct dw_attr_report {
    int    nmodels;
    char   names[DW_FP_MAX_MODELS][128];
    int    confusion[DW_FP_MAX_MODELS][DW_FP_MAX_MODELS];   /* [true][predicted] */
    int    ntest, correct;
    double temperature, mean_confidence, nll, ece;         /* single answers */
    int    bin_n[DW_ATTR_BINS], bin_correct[DW_ATTR_BINS];
    double bin_conf[DW_ATTR_BINS];
    int    group, ngroups, groups_correct;                  /* groups of answers */
} dw_attr_report;

/* docs: every answer with its model index and prompt index; prompts with an
 * even index (in the order given) are references, odd ones are tested. */
int dw_attr_evaluate(const dw_attr_doc *docs, size_t ndocs, int nmodels, const char *const *names,
                     int group, dw_attr_report *r);

#endif
