/*
 * pvalue.h -- the statistics of green-token counts.
 *
 * Under the null hypothesis (text not produced with the key), each scored
 * token is green with probability gamma independently -- provided every
 * (window, token) is scored once, which is what the scoring tapes ensure.  The
 * number of green tokens is then Binomial(n, gamma), and the exact p-value of
 * observing k or more is the upper tail
 *     P(X >= k) = I_gamma(k, n - k + 1)        (regularized incomplete beta),
 * which is what the reference detectors compute with scipy.special.betainc.
 * Evidence worth bringing to a court is far below double precision's 1e-308,
 * so everything is computed as a natural logarithm and stays accurate down to
 * p = 1e-300 and beyond; the z-score and its normal tail are provided for
 * comparison with the Kirchenbauer detector, which reports those.
 */
#ifndef DW_PROVE_PVALUE_H
#define DW_PROVE_PVALUE_H

#include <stdint.h>

/* log I_x(a, b) for a > 0, b > 0, 0 <= x <= 1.  NaN for invalid arguments. */
double dw_log_betainc(double a, double b, double x);

/* log P(X >= k) for X ~ Binomial(n, p).  0 (p-value 1) when k <= 0, -inf when
 * k > n. */
double dw_binom_logsf(uint64_t k, uint64_t n, double p);

/* (k - gamma n) / sqrt(n gamma (1 - gamma)); NaN when n = 0. */
double dw_wm_zscore(uint64_t k, uint64_t n, double gamma);

/* log of the standard normal upper tail P(Z >= z), accurate for large z. */
double dw_norm_logsf(double z);

#endif
