/*
 * campaign.h -- campaigns: groups of accounts run as one operation.
 *
 * The link stage's edges make a graph; its connected components are split
 * into communities (cluster.h); a community of at least `min_accounts`
 * accounts is a campaign, judged as one account (pool.h).  A campaign whose
 * pooled traffic is suspicious lends that evidence to every member's own
 * verdict (score.h: the coordination group), with reasons that say so.
 *
 * Incremental, bounded work.  Nothing is re-clustered per event.  A
 * component is re-evaluated when it has grown by a quarter -- in members,
 * or in requests since its last evaluation -- so a component of n members
 * and e edges costs O((n + e) log n) over its whole life, the same
 * geometric schedule the per-account assessments follow.  That is what lets
 * a campaign alert fire while the campaign is running: a few hundred
 * requests after its first members link, not at the end of the input.
 *
 * Campaign ids are stable: "cmp-" and 12 hex digits of the hash of the
 * campaign's earliest member (first request, then id).  Re-clustering
 * keeps the id as long as that member stays, and the final pass at the end
 * of input (clustering the graph rebuilt from the fingerprints alone)
 * carries over which campaigns were already alerted.
 */
#ifndef DW_CAMPAIGN_H
#define DW_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>
#include "distillwatch.h"
#include "score/score.h"
#include "state/table.h"
#include "state/population.h"
#include "link/link.h"
#include "campaign/graph.h"

typedef struct dw_campaign_params {
    double resolution;      /* Leiden modularity resolution */
    uint32_t min_accounts;  /* smallest campaign */
    double growth;          /* re-evaluate after this relative growth (0.25) */
} dw_campaign_params;

void dw_campaign_params_default(dw_campaign_params *p);

#define DW_CAMPAIGN_ID 20

typedef struct dw_campaign {
    char id[DW_CAMPAIGN_ID];    /* "cmp-0123456789ab" */
    /* the campaign as a whole (a consolidated group of communities) */
    uint32_t *members;          /* account indices, ascending */
    float *link;                /* per member: nats of its edges to other members */
    uint32_t n;
    double link_median;         /* the median member's link */
    /* the community this record was made from (one clustering of one component) */
    uint32_t *own;
    float *own_link;
    uint32_t own_n;
    uint32_t group;             /* union-find over records: communities that are one campaign */
    uint32_t own_kind_edges[DW_LK__COUNT], own_edges, own_covert;
    uint32_t covert_edges;      /* edges inside made without any identity kind */
    double own_edge_weight;
    uint32_t merged;            /* communities consolidated into this campaign (1 = itself) */
    /* for consolidation: pooled question-bank profile, pivot, dominant values */
    double prof[DW_BANK_DIMS];
    uint32_t prof_n;
    uint32_t pivoted;           /* members that moved >= 30% to a new release */
    int64_t pivot_median_min;
    uint64_t top[6];            /* most common payment, prefix, client, system family, tools, template */
    uint32_t earliest;          /* account index */
    uint64_t requests;
    int64_t first_ms, last_ms;
    double score;               /* pooled assessment */
    dw_verdict verdict;
    uint8_t alerted;            /* highest campaign verdict already alerted */
    uint8_t live;               /* 0: dissolved by a later clustering */
    uint32_t kind_edges[DW_LK__COUNT];  /* edges inside the campaign, by kind that counted */
    uint32_t edges;
    double edge_weight;         /* sum of edge weights inside */
    char summary[640];          /* one paragraph, for reasons and alerts */
} dw_campaign;

typedef struct dw_campaigns dw_campaigns;

/* What judging a campaign needs from the rest of the engine. */
typedef struct dw_campaign_env {
    const dw_config *cfg;
    const dw_account_table *accts;
    const dw_population *pop;
    dw_link *link;
} dw_campaign_env;

dw_campaigns *dw_campaigns_new(const dw_campaign_params *p);
void dw_campaigns_free(dw_campaigns *C);

/* A judged pair from the link stage. */
void dw_campaigns_edge(dw_campaigns *C, const dw_link_edge *e);
/* Account acct sent a request: returns the component root due for
 * evaluation, or UINT32_MAX. */
uint32_t dw_campaigns_tick(dw_campaigns *C, uint32_t acct);
/* Re-cluster and re-judge the component of `v`.  Campaigns whose members or
 * verdict changed are passed to fn (may be NULL). */
typedef void (*dw_campaign_fn)(void *ud, dw_campaign *c);
void dw_campaigns_evaluate(dw_campaigns *C, uint32_t v, const dw_campaign_env *env, dw_campaign_fn fn, void *ud);
/* End of input: forget the streaming graph (alerted levels are kept by id),
 * take the rebuilt edges (dw_campaigns_edge), then evaluate everything. */
void dw_campaigns_reset_graph(dw_campaigns *C);
void dw_campaigns_evaluate_all(dw_campaigns *C, const dw_campaign_env *env, dw_campaign_fn fn, void *ud);

/* Alerted levels survive in the store by campaign id. */
void dw_campaigns_restore_alerted(dw_campaigns *C, const char *id, int alerted);
/* Record i's id and alerted level; 0 past the last record. */
int dw_campaigns_alerted_at(const dw_campaigns *C, uint32_t i, const char **id, int *alerted);

/* The campaign of account acct (NULL when none), and the account's link
 * strength inside it. */
const dw_campaign *dw_campaign_of(const dw_campaigns *C, uint32_t acct, double *link);
/* Live campaigns, in a stable order: verdict, then score, then id. */
size_t dw_campaigns_list(const dw_campaigns *C, const dw_campaign ***out);
/* The ids of campaign c's members, sorted (the order the outputs list them
 * in); malloc'd array of pointers into t, for the caller to free. */
const char **dw_campaign_member_ids(const dw_campaign *c, const dw_account_table *t);
const dw_graph *dw_campaigns_graph(const dw_campaigns *C);
size_t dw_campaigns_memory(const dw_campaigns *C);

/* The campaign's members merged into one account state (pool.h), each
 * member weighing at most four median members. */
struct dw_pool;
void dw_campaign_pool(const dw_campaign *c, const dw_campaign_env *env, struct dw_pool *pool);

/* The configuration the pooled state is judged with (campaign.c says which
 * signals are off for a union of accounts, and why). */
void dw_campaign_pooled_config(const dw_config *base, const dw_account *pooled, dw_config *cfg);

/* The context the campaign's own (pooled) assessment needs. */
void dw_campaign_self_ctx(const dw_campaign *c, dw_campaign_ctx *ctx);

/* The coordination context one member's assessment needs. */
void dw_campaign_member_ctx(const dw_campaign *c, double link, dw_campaign_ctx *ctx);

/* ---- explain.c: evidence in words, and indicators -------------------- */

typedef struct dw_evidence {
    char signal[32];            /* link kind, or "behaviour" */
    char detail[400];
    double weight;              /* for ordering */
} dw_evidence;

/* Evidence for campaign c, strongest first; returns how many (<= max). */
int dw_campaign_evidence(const dw_campaign *c, const dw_campaign_env *env, dw_evidence *out, int max);

typedef enum {
    DW_IND_IP = 0, DW_IND_PREFIX, DW_IND_PAYMENT, DW_IND_UA, DW_IND_SYSTEM, DW_IND_TEMPLATE, DW_IND__COUNT
} dw_indicator_kind;

typedef struct dw_indicator {
    char value[256];
    uint32_t accounts;          /* members holding it */
} dw_indicator;

/* Indicators of one kind, most-shared first; returns how many (<= max). */
int dw_campaign_indicators(const dw_campaign *c, const dw_campaign_env *env, dw_indicator_kind k, dw_indicator *out,
                           int max);
const char *dw_indicator_kind_name(dw_indicator_kind k);

/* Account `acct` left memory (serve's eviction): when it is a vertex alone
 * in its component, clear its evaluation schedule so that the next account
 * given that index starts from nothing. */
void dw_campaigns_forget(dw_campaigns *C, uint32_t acct);

#endif
