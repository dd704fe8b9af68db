/*
 * pool.h -- a campaign seen as one account.
 *
 * A hydra is built so that each of its accounts looks like a light,
 * ordinary user; what gives it away is what its accounts do *together*.
 * So the campaign stage merges its members' states into one account state
 * and judges that with the same signals, weights and words as any account
 * (signals.c): "42% of prompts demand the full step-by-step reasoning" is
 * then a statement about the whole operation.  Every part of the state is
 * mergeable: counters add, first/last are min/max, HyperLogLog sketches
 * merge register by register, the gap statistics merge with Chan's
 * parallel-variance formula, the repeat sample merges as distinct samples
 * do (the higher level wins, counts of equal prompts add -- so prompts
 * repeated *across* accounts count as repeats of the campaign), and the
 * hour-of-day histograms are added in proportion to each member's traffic
 * (each member's histogram has its own halving scale).  Members heavier
 * than a few times the median member are scaled down to that weight
 * (dw_pool_add_scaled), so that the pool describes the campaign, not its
 * heaviest account.
 */
#ifndef DW_CAMPAIGN_POOL_H
#define DW_CAMPAIGN_POOL_H

#include "state/account.h"

typedef struct dw_pool {
    dw_account acc;         /* the merged state */
    double hours[24];       /* requests per hour of day, before rescaling */
    uint32_t members;
} dw_pool;

void dw_pool_init(dw_pool *p);
void dw_pool_add(dw_pool *p, const dw_account *a);
/* Add a member with its counters scaled by w (0 < w <= 1): a campaign's
 * pooled traffic should not be one heavy member's traffic, or a single
 * bystander wrongly linked in (a reseller with 100x the traffic of a proxy
 * account) would decide the verdict of the whole campaign. */
void dw_pool_add_scaled(dw_pool *p, const dw_account *a, double w);
/* Finish: write the hour histogram into acc. */
void dw_pool_done(dw_pool *p);

#endif
