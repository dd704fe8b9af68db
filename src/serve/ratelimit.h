/*
 * ratelimit.h -- per-account token buckets for review-level accounts
 * (ratelimit.c says why the table is fixed-size).
 */
#ifndef DW_SERVE_RATELIMIT_H
#define DW_SERVE_RATELIMIT_H

#include <stdint.h>

#define DW_RL_SLOTS 65536u

typedef struct dw_rl_slot {
    uint64_t key;       /* account id hash, 0 = empty */
    double   tokens;
    int64_t  last_us;
} dw_rl_slot;

typedef struct dw_ratelimit {
    double rate;        /* tokens per second; <= 0 disables throttling */
    double burst;
    dw_rl_slot slot[DW_RL_SLOTS];
} dw_ratelimit;

void dw_rl_init(dw_ratelimit *r, double rate, double burst);
/* Take one token for account hash `key` at time now_us: 1 = allowed, 0 = over
 * the rate (then *retry_s says when the next token is due). */
int dw_rl_take(dw_ratelimit *r, uint64_t key, int64_t now_us, double *retry_s);

#endif
