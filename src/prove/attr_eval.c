/*
 * attr_eval.c -- the held-out attribution experiment (see attr_eval.h).
 */
#include "prove/attr_eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/util.h"

static dw_fp *profile(const dw_attr_doc *docs, size_t n, const char *const *names, int nmodels, int want_mod,
                      int want_rem)
{
    dw_fp *f = dw_fp_new();
    /* create the candidates in a fixed order so indices match names */
    for (int m = 0; m < nmodels; m++) dw_fp_add(f, names[m], "", 0);
    for (size_t i = 0; i < n; i++)
        if (docs[i].prompt % want_mod == want_rem) dw_fp_add(f, names[docs[i].model], docs[i].text, docs[i].len);
    return f;
}

int dw_attr_evaluate(const dw_attr_doc *docs, size_t ndocs, int nmodels, const char *const *names,
                     int group, dw_attr_report *r)
{
    memset(r, 0, sizeof *r);
    if (nmodels < 2 || nmodels > DW_FP_MAX_MODELS) return -1;
    r->nmodels = nmodels;
    for (int m = 0; m < nmodels; m++) snprintf(r->names[m], sizeof r->names[m], "%s", names[m]);
    dw_fp_doc d = {0};
    /* 1. temperature: profiles from prompts = 0 mod 4, fit on prompts = 2 mod 4 */
    dw_fp *cal = profile(docs, ndocs, names, nmodels, 4, 0);
    size_t ncal = 0;
    for (size_t i = 0; i < ndocs; i++) ncal += docs[i].prompt % 4 == 2;
    double *llr = dw_xmalloc((ncal + 1) * nmodels * sizeof *llr);
    int *lab = dw_xmalloc((ncal + 1) * sizeof *lab);
    size_t k = 0;
    for (size_t i = 0; i < ndocs; i++) {
        if (docs[i].prompt % 4 != 2) continue;
        dw_fp_doc_build(&d, docs[i].text, docs[i].len);
        dw_fp_score(cal, &d, llr + k * nmodels);
        lab[k++] = docs[i].model;
    }
    r->temperature = k ? dw_fp_calibrate(llr, lab, (int)k, nmodels) : 1.0;
    dw_fp_free(cal);
    free(llr);
    free(lab);
    /* 2. profiles from all reference prompts (even), test on odd prompts */
    dw_fp *f = profile(docs, ndocs, names, nmodels, 2, 0);
    double s[DW_FP_MAX_MODELS], p[DW_FP_MAX_MODELS];
    for (size_t i = 0; i < ndocs; i++) {
        if (docs[i].prompt % 2 != 1) continue;
        dw_fp_doc_build(&d, docs[i].text, docs[i].len);
        dw_fp_score(f, &d, s);
        dw_fp_probs(s, nmodels, r->temperature, p);
        int best = 0;
        for (int m = 1; m < nmodels; m++)
            if (p[m] > p[best]) best = m;
        r->confusion[docs[i].model][best]++;
        r->ntest++;
        r->correct += best == docs[i].model;
        r->mean_confidence += p[best];
        r->nll -= log(fmax(p[docs[i].model], 1e-300));
        int bin = (int)(p[best] * DW_ATTR_BINS);
        if (bin >= DW_ATTR_BINS) bin = DW_ATTR_BINS - 1;
        r->bin_n[bin]++;
        r->bin_correct[bin] += best == docs[i].model;
        r->bin_conf[bin] += p[best];
    }
    if (r->ntest) {
        r->mean_confidence /= r->ntest;
        r->nll /= r->ntest;
        for (int b = 0; b < DW_ATTR_BINS; b++)
            if (r->bin_n[b]) {
                r->ece += fabs((double)r->bin_correct[b] - r->bin_conf[b]) / r->ntest;
                r->bin_conf[b] /= r->bin_n[b];
            }
    }
    /* 3. groups: `group` answers of one model on distinct test prompts,
     * attributed together (features pooled) */
    r->group = group;
    if (group > 1) {
        for (int m = 0; m < nmodels; m++) {
            int in = 0;
            d.n = 0;
            for (size_t i = 0; i < ndocs; i++) {
                if (docs[i].model != m || docs[i].prompt % 2 != 1) continue;
                dw_fp_doc_add(&d, docs[i].text, docs[i].len);
                if (++in < group) continue;
                dw_fp_score(f, &d, s);
                int best = 0;
                for (int q = 1; q < nmodels; q++)
                    if (s[q] > s[best]) best = q;
                r->ngroups++;
                r->groups_correct += best == m;
                in = 0;
                d.n = 0;
            }
        }
    }
    dw_fp_doc_free(&d);
    dw_fp_free(f);
    return 0;
}
