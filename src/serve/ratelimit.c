/*
 * ratelimit.c -- throttling review-level accounts at /v1/check.
 *
 * A review verdict means "suspicious, not proven": the gateway keeps serving
 * the account but slows it down, which caps what a harvester can extract
 * while a human looks.  The check path must not allocate, and the set of
 * accounts is unbounded (a campaign mints new ones), so the buckets live in a
 * fixed table indexed by the id hash, 4-way probed; when all four slots are
 * taken the oldest is evicted and that account starts again with a full
 * bucket.  Memory is constant whatever the traffic; the cost of an eviction
 * is a little leniency, never a wrong 429 for someone else.  Callers hold the
 * serve mutex.
 */
#include <stddef.h>
#include "serve/ratelimit.h"

void dw_rl_init(dw_ratelimit *r, double rate, double burst)
{
    r->rate = rate;
    r->burst = burst < 1 ? 1 : burst;
    for (uint32_t i = 0; i < DW_RL_SLOTS; i++) r->slot[i].key = 0;
}

int dw_rl_take(dw_ratelimit *r, uint64_t key, int64_t now_us, double *retry_s)
{
    if (r->rate <= 0) return 1;
    key |= 1; /* 0 marks an empty slot */
    dw_rl_slot *s = NULL, *empty = NULL, *oldest = NULL;
    for (uint32_t k = 0; k < 4; k++) {
        dw_rl_slot *c = &r->slot[(key + k) & (DW_RL_SLOTS - 1)];
        if (c->key == key) { s = c; break; }
        if (c->key == 0) { if (!empty) empty = c; }
        else if (!oldest || c->last_us < oldest->last_us) oldest = c;
    }
    if (!s) {
        s = empty ? empty : oldest;
        s->key = key;
        s->tokens = r->burst;
        s->last_us = now_us;
    }
    double dt = (double)(now_us - s->last_us) / 1e6;
    if (dt > 0) {
        s->tokens += dt * r->rate;
        if (s->tokens > r->burst) s->tokens = r->burst;
        s->last_us = now_us;
    }
    if (s->tokens >= 1) { s->tokens -= 1; return 1; }
    if (retry_s) *retry_s = (1 - s->tokens) / r->rate;
    return 0;
}
