/*
 * account.h -- account state: everything we remember about one account.
 *
 * The state is a fixed-size struct, whatever the account sends: counters,
 * a few Welford accumulators, an hour-of-day histogram and small
 * HyperLogLog sketches for distinct counts.  That is what lets DistillWatch
 * track every account of a large provider in memory (the budget is 512
 * bytes per account, id included; see docs/benchmarks.md for the measured
 * figure) and serialize the state to the store as one blob.
 *
 * All updates are commutative or order-tolerant except the timing
 * accumulators, which is why events pass through the reorder buffer first.
 */
#ifndef DW_ACCOUNT_H
#define DW_ACCOUNT_H

#include <stdint.h>
#include "common/util.h"
#include "enrich/features.h"

typedef enum { DW_PROG_UNKNOWN = 0, DW_PROG_STANDARD, DW_PROG_EDUCATION, DW_PROG_STARTUP, DW_PROG_RESEARCH } dw_program;

/* One request after enrichment, as it leaves the reorder buffer. */
typedef struct dw_obs {
    int64_t  ts_ms;
    uint64_t seq;               /* arrival order: the tie-breaker for equal timestamps */
    uint32_t account;           /* index into the account table */
    uint16_t model;             /* index into the model table (0 = none) */
    uint8_t  single_turn, has_tools;
    dw_features f;
    uint32_t asn;
    int32_t  max_tokens, completion_tokens, prompt_tokens, latency_ms, n, top_logprobs;
    int8_t   logprobs;
    uint8_t  has_reasoning, finish_length, asn_hosting;
    uint64_t end_user_hash;     /* the reseller's end user, 0 when absent */
    char     rid_inline[40];    /* request id, when short */
    char    *rid_heap;          /* request id, when long */
} dw_obs;

static inline const char *dw_obs_request_id(const dw_obs *o)
{
    return o->rid_heap ? o->rid_heap : o->rid_inline;
}

#define DW_ACCT_ASNS 4
#define DW_REP_SLOTS 8

typedef struct dw_account {
    /* identity and metadata (accounts file) */
    const char *id;             /* interned, NUL-terminated */
    const char *payment;        /* interned payment fingerprint, or NULL */
    uint64_t id_hash;
    uint64_t email_domain_hash;
    int64_t  created_ms;        /* DW_TS_NONE when unknown */
    uint8_t  program;           /* dw_program */
    uint8_t  verified;          /* 1 verified, 0 not, 0xff unknown */
    uint8_t  has_meta;
    uint8_t  dirty;             /* changed since loaded from the store */

    /* activity */
    int64_t  first_ms, last_ms;
    uint32_t requests;
    uint32_t days_active;
    int32_t  last_day;
    uint64_t prompt_tokens, completion_tokens;

    /* timing: gaps within sessions (< 30 min), Welford in seconds */
    uint32_t gaps;
    float    gap_mean, gap_m2;
    uint32_t overlapped;        /* sent while a previous request was in flight */
    uint32_t bursts;            /* sent < 1 s after the previous one */
    int64_t  busy_until_ms;
    uint8_t  hours[24];         /* UTC hour-of-day histogram; halved when a bin fills */

    /* content */
    uint32_t cot, rubric, dataset, jailbreak, censor;
    uint32_t logprobs, multi_n, budget_large, budget_filled, single_turn, with_system, reasoning_resp;
    uint32_t prompts_seen, tools_used, hosting;
    uint16_t cot_langs;
    uint16_t model_switches;
    uint64_t topics_once, topics_twice;
    dw_hll   prompts, prefixes, end_users;
    dw_hll16 prefix_sigs, suffix_sigs;

    /* repeats: a distinct-value sample of prompt hashes (adaptive hash
     * sampling), exact for accounts that never repeat a prompt */
    uint32_t rep_fp[DW_REP_SLOTS];
    uint16_t rep_cnt[DW_REP_SLOTS];
    uint8_t  rep_level, rep_n;

    /* networks */
    uint32_t asns[DW_ACCT_ASNS];
    uint8_t  asn_overflow;
    uint8_t  alerted;           /* highest verdict already alerted */
    uint16_t last_model;

    /* model pivot: requests in the 24 h after a release, and of those to the new model */
    uint32_t post_release, pivot_early;

    /* scoring schedule and last result */
    uint32_t next_eval;
    float    score;
    uint8_t  verdict;
    uint8_t  slot;              /* DW_SLOT_* (table.c): not state, cleared in the store */
    uint8_t  pad_[2];
} dw_account;

/* Context an update needs from the rest of the state. */
typedef struct dw_obs_ctx {
    int64_t model_first_seen;   /* first time the observed model was seen anywhere */
    int     model_is_release;   /* that model appeared after traffic began */
    int64_t last_release_ms;    /* latest release time before this event, or DW_TS_NONE */
} dw_obs_ctx;

void dw_account_init(dw_account *a);
void dw_account_observe(dw_account *a, const dw_obs *o, const dw_obs_ctx *ctx);
int  dw_account_distinct_asns(const dw_account *a);
/* Share of requests that repeat an earlier prompt of the account (estimate; 0 when none). */
double dw_account_repeat_share(const dw_account *a);

#endif
