/*
 * engine_int.h -- the engine's insides, shared by the pipeline's own files
 * (engine, accounts file, store, sinks).  Not part of the public API.
 */
#ifndef DW_ENGINE_INT_H
#define DW_ENGINE_INT_H

#include <stdio.h>
#include "distillwatch.h"
#include "score/score.h"
#include "state/population.h"
#include "state/reorder.h"
#include "state/table.h"
#include "enrich/features.h"
#include "link/link.h"          /* issue 4: link and campaign stages */
#include "campaign/campaign.h"

typedef struct dw_alert {
    int64_t ts_ms;
    uint64_t seq;
    uint32_t account;
    uint8_t verdict;
    float score;
    char *request_id;
    char *reason;
    char *campaign_id;            /* the account's campaign when the alert fired, or NULL */
    uint8_t is_campaign;          /* a campaign alert (account_id: the request that raised it) */
} dw_alert;

typedef struct dw_store dw_store;

struct dw_engine {
    dw_config cfg;
    dw_patterns *pats;
    dw_enricher *en;
    dw_account_table accts;
    dw_model_table models;
    dw_population pop;
    dw_reorder ro;
    uint64_t hosting_memo[64];    /* asn << 1 | hosting, at asn % 64 (0 = empty): few networks send most traffic */
    uint64_t seq;
    int64_t traffic_start_ms;     /* event time of the first request ever processed */
    int64_t last_release_ms;      /* first-seen time of the latest model release */
    dw_alert *alerts;
    size_t nalerts, alerts_cap;
    /* quarantine */
    FILE *q_jsonl, *q_raw;
    int q_partial;                /* an over-long line is being written to quarantine */
    uint32_t q_reported;          /* lines reported on stderr (capped) */
    dw_store *store;
    dw_stats st;
    int finished;
    dw_decoder *acct_decoder;     /* JSON reader reused by the accounts file */
    dw_link *link;                /* issue 4: which accounts are one operator */
    dw_campaigns *camps;          /* issue 4: campaigns, pooled verdicts */
    /* serve's account cap (engine.c, "Eviction"); 0 = none, as in scan */
    uint32_t max_accounts;
    uint64_t evicted;             /* accounts moved from memory to the store so far */
    uint64_t reloaded;            /* accounts read back from the store on sight */
    uint64_t *bloom;              /* ids that may be in the store but not in memory */
    uint32_t trim_at;             /* next pass when this many accounts are live (>= the cap) */
    int spill_warned;
};

/* The release threshold: a model first seen this long after traffic began is "new". */
#define DW_RELEASE_AFTER_MS (24LL * 3600 * 1000)

/* Quarantine one line (or one piece of an over-long line). */
void dw_engine_quarantine(dw_engine *e, const char *src, uint64_t lineno, size_t off, const char *why,
                          const char *line, size_t len, int flags);
/* Assess one account now (population as it stands). */
void dw_engine_assess(const dw_engine *e, const dw_account *a, dw_assessment *as);

/* store.c */
dw_store *dw_store_open(dw_engine *e, const char *path, char *err, size_t errlen);
int dw_store_save(dw_store *s, dw_engine *e, char *err, size_t errlen);
void dw_store_close(dw_store *s);
/* Write accounts idx[0..k) to the spill table (evicted since the last save). */
int dw_store_spill(dw_store *s, const dw_engine *e, const uint32_t *idx, size_t k, char *err, size_t errlen);
/* An account not in memory: its state (id, payment pointers meaningless) and
 * payment fingerprint ("" when none).  1 found (*from_spill: 1 when the
 * state is newer than the last save), 0 not stored, -1 error. */
int dw_store_fetch(dw_store *s, const char *id, size_t n, dw_account *out, char *pay, size_t paycap, int *from_spill);

/* Eviction (serve): a cap on the accounts held in memory (set before the
 * store is opened; 0 = none), trimming back under it, and the look-ups that
 * reach into the store for accounts that are not in memory. */
void dw_engine_set_max_accounts(dw_engine *e, uint32_t cap);
/* Over the cap and due for an eviction pass (cheap; see trim_at). */
int dw_engine_trim_due(const dw_engine *e);
/* Evict the least recently seen evictable accounts when over the cap.
 * Returns how many left memory, or -1 (then nothing left). */
long dw_engine_trim(dw_engine *e, char *err, size_t errlen);
/* Account index of id, reloading it from the store when it was evicted;
 * UINT32_MAX when DistillWatch does not know it. */
uint32_t dw_engine_find_or_reload(dw_engine *e, const char *id, size_t n);
/* Verdict and score of an account that is not in memory, read from the
 * store without reloading it.  1 found, 0 not. */
int dw_engine_peek_stored(dw_engine *e, const char *id, size_t n, dw_verdict *v, double *score);
/* Bloom filter of evicted ids (fixed size; a false positive costs one store look-up). */
void dw_engine_bloom_add(dw_engine *e, uint64_t id_hash);
int dw_engine_bloom_maybe(const dw_engine *e, uint64_t id_hash);
/* An account whose state may live in the store alone (store.c skips
 * loading these under a cap): allowed, never alerted, unknown to the link stage. */
int dw_engine_evictable_state(const dw_engine *e, const dw_account *a);

/* outputs.c */
int dw_write_accounts(dw_engine *e, const char *path, char *err, size_t errlen);
int dw_write_alerts(dw_engine *e, const char *path, char *err, size_t errlen);
/* one accounts.jsonl record (with its newline), for serve's /v1/accounts/{id} */
struct dw_buf;
void dw_account_record(const dw_engine *e, const dw_account *a, struct dw_buf *b);

/* issue 4: rebuild the account graph and campaigns from the fingerprints
 * (end of input; after a store is loaded) */
void dw_engine_rebuild_campaigns(dw_engine *e);

/* issue 4 sinks: campaigns.c, report.c, stix.c */
void dw_engine_campaign_env(const dw_engine *e, dw_campaign_env *env);
int dw_write_campaigns(dw_engine *e, const char *path, char *err, size_t errlen);
int dw_write_report(dw_engine *e, const char *path, char *err, size_t errlen);
int dw_write_stix(dw_engine *e, const char *path, char *err, size_t errlen);

#endif
