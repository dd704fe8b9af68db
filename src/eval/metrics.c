/*
 * metrics.c -- confusion counts, precision-recall, Jaccard, exposure and
 * attacker cost.  See metrics.h for the conventions.
 */
#include "eval/metrics.h"

#include <math.h>
#include <stdlib.h>
#include "common/util.h"

dwe_counts dwe_confusion(const bool *actual, const bool *predicted, const bool *include, size_t n)
{
    dwe_counts c = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        if (include && !include[i]) continue;
        if (actual[i] && predicted[i]) c.tp++;
        else if (!actual[i] && predicted[i]) c.fp++;
        else if (actual[i]) c.fn++;
        else c.tn++;
    }
    return c;
}

double dwe_rate(long k, long n) { return n > 0 ? (double)k / (double)n : NAN; }
double dwe_precision(const dwe_counts *c) { return dwe_rate(c->tp, c->tp + c->fp); }
double dwe_recall(const dwe_counts *c) { return dwe_rate(c->tp, c->tp + c->fn); }

double dwe_f1(const dwe_counts *c)
{
    double p = dwe_precision(c), r = dwe_recall(c);
    if (isnan(p) || isnan(r)) return NAN;
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

typedef struct scored { double s; bool pos; } scored;

static int cmp_desc(const void *x, const void *y)
{
    double a = ((const scored *)x)->s, b = ((const scored *)y)->s;
    return a > b ? -1 : a < b;
}

size_t dwe_pr_curve(const double *score, const bool *actual, const bool *include, size_t n, dwe_pr_point *out,
                    double *ap)
{
    scored *v = dw_xmalloc((n ? n : 1) * sizeof *v);
    size_t m = 0;
    long pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (include && !include[i]) continue;
        double s = isnan(score[i]) ? 0.0 : score[i];
        v[m++] = (scored){s, actual[i]};
        pos += actual[i];
    }
    qsort(v, m, sizeof *v, cmp_desc);
    size_t k = 0;
    long tp = 0, fp = 0;
    double prev_r = 0, sum = 0;
    for (size_t i = 0; i < m;) {
        double t = v[i].s;
        while (i < m && v[i].s == t) {
            if (v[i].pos) tp++;
            else fp++;
            i++;
        }
        double p = (double)tp / (double)(tp + fp);
        double r = pos ? (double)tp / (double)pos : NAN;
        out[k++] = (dwe_pr_point){t, p, r};
        if (pos) {
            sum += (r - prev_r) * p;
            prev_r = r;
        }
    }
    free(v);
    if (ap) *ap = pos ? sum : NAN;
    return k;
}

double dwe_jaccard(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    if (!na && !nb) return NAN;
    size_t i = 0, j = 0, inter = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) { inter++; i++; j++; }
        else if (a[i] < b[j]) i++;
        else j++;
    }
    return (double)inter / (double)(na + nb - inter);
}

double dwe_best_jaccard(const uint32_t *truth, size_t nt, const uint32_t *const *pred, const size_t *npred, size_t k,
                        long *best)
{
    double bj = 0;
    long bi = -1;
    for (size_t i = 0; i < k; i++) {
        double j = dwe_jaccard(truth, nt, pred[i], npred[i]);
        if (!isnan(j) && j > bj) { bj = j; bi = (long)i; }
    }
    if (best) *best = bi;
    return bj;
}

double dwe_share_before(const int64_t *ts, size_t n, int64_t t)
{
    if (!n) return NAN;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += ts[i] < t;
    return (double)k / (double)n;
}

double dwe_accounts_per_million(long answers, long accounts)
{
    if (answers <= 0) return INFINITY;
    return 1e6 * (double)accounts / (double)answers;
}
