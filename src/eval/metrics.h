/*
 * metrics.h -- the arithmetic of an evaluation, free of any file format.
 *
 * Kept apart from reading and reporting so that tests can pin every figure
 * against hand-computed cases: a metric that is wrong by one off-by-one in a
 * tie or an empty denominator would quietly move every number we publish.
 * Conventions (stated once, used everywhere):
 *   - precision with no predicted positives, and recall with no actual
 *     positives, are undefined and returned as NaN (written as null);
 *   - the precision-recall curve has one point per distinct score, from the
 *     highest down; accounts with equal scores enter together;
 *   - average precision is sum over points of (R_k - R_{k-1}) * P_k, R_0 = 0;
 *   - "before the first alert" means strictly earlier in event time.
 */
#ifndef DW_EVAL_METRICS_H
#define DW_EVAL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dwe_counts { long tp, fp, fn, tn; } dwe_counts;

/* Confusion counts over items i with include[i] (include may be NULL). */
dwe_counts dwe_confusion(const bool *actual, const bool *predicted, const bool *include, size_t n);
double dwe_precision(const dwe_counts *c);
double dwe_recall(const dwe_counts *c);
double dwe_f1(const dwe_counts *c);
/* k / n as a rate; NaN when n == 0. */
double dwe_rate(long k, long n);

typedef struct dwe_pr_point { double threshold, precision, recall; } dwe_pr_point;
/* Fill out[] (capacity n) with the curve; returns the number of points.
 * *ap gets the average precision (NaN when there are no positives). */
size_t dwe_pr_curve(const double *score, const bool *actual, const bool *include, size_t n, dwe_pr_point *out,
                    double *ap);

/* Jaccard index of two sorted, duplicate-free sets; NaN if both are empty. */
double dwe_jaccard(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);
/* Best Jaccard of `truth` against each of k predicted sets (all sorted);
 * 0 when k == 0.  *best gets the index of the best set, or -1. */
double dwe_best_jaccard(const uint32_t *truth, size_t nt, const uint32_t *const *pred, const size_t *npred, size_t k,
                        long *best);

/* Share of the timestamps strictly before t (any order); NaN when n == 0. */
double dwe_share_before(const int64_t *ts, size_t n, int64_t t);

/* Accounts an attacker needs to harvest one million answers, given that
 * `accounts` accounts delivered `answers` answers before detection.
 * INFINITY when no answer got through. */
double dwe_accounts_per_million(long answers, long accounts);

#endif
