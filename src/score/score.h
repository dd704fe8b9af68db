/*
 * score.h -- signals, weights, verdicts.
 *
 * Each signal is named, belongs to one group of independent evidence, and
 * turns an account's state into a value (what was measured), a strength in
 * [0,1] (how far the value is between the configured `lo` and `hi`), a
 * confidence (more requests, more confidence) and a reason a reviewer can
 * read.  Points are weight x strength x confidence; the score maps points to
 * [0,1]; thresholds and weights come from the configuration, not the code
 * (rspamd's model).  `block` also needs corroboration: strong evidence from
 * at least `block_min_groups` groups, so that no single kind of behaviour --
 * heavy use, "think step by step", a datacenter IP -- can block an account.
 */
#ifndef DW_SCORE_H
#define DW_SCORE_H

#include <stddef.h>
#include "distillwatch.h"
#include "state/account.h"

typedef enum {
    DW_G_ELICIT = 0,   /* what the prompts ask for: reasoning traces, grading, datasets */
    DW_G_HARVEST,      /* how answers are collected: logprobs, n>1, filled budgets, breadth */
    DW_G_AUTOMATION,   /* how requests are sent: regular, round-the-clock, concurrent */
    DW_G_CONCEAL,      /* how the sender hides: IP/ASN churn, datacenter egress, fresh account */
    DW_G_VOLUME,       /* how much, against the population */
    DW_G_ABUSE,        /* jailbreaks and censorship-evasion rewrites */
    DW_G_PIVOT,        /* jumps to each new model release */
    DW_G_COORD,        /* acts as one operator with other accounts (link + campaign stages) */
    DW_G_TRUST,        /* evidence for a legitimate account (negative weight) */
    DW_G__COUNT
} dw_group;

typedef enum {
    S_VOLUME = 0, S_TOKEN_VOLUME, S_REGULAR_TIMING, S_ROUND_THE_CLOCK, S_CONCURRENCY,
    S_REASONING, S_MULTILINGUAL_REASONING, S_RUBRIC, S_DATASET, S_LOGPROBS, S_MAX_TOKENS,
    S_SINGLE_TURN, S_COVERAGE, S_TEMPLATED, S_MODEL_PIVOT, S_IP_CHURN, S_ASN_CHURN,
    S_DATACENTER, S_NEW_ACCOUNT, S_JAILBREAK, S_CENSOR, S_VERIFIED_PROGRAM,
    S_REPEATED_PROMPTS, S_END_USERS,
    S_CAMPAIGN, S_COORDINATED,  /* coordination: from the campaign stage */
    S_DISGUISE,                 /* coordination: judging a campaign as one account */
    S__COUNT
} dw_signal_id;

typedef struct dw_signal_param {
    double weight, lo, hi;
    uint32_t min_requests;  /* below this the signal is not evaluated */
    int enabled;
    int corroborates;       /* can make its group count towards block (default 1) */
} dw_signal_param;

struct dw_config {
    dw_signal_param sig[S__COUNT];
    double review, block;         /* score thresholds */
    double half_points;           /* points at which the score is 0.5 */
    int block_min_groups;
    double group_present;         /* strength x confidence for a group to count */
    double confidence_requests;   /* n at which confidence is 0.5 */
    int trust_caps_block;         /* trust evidence caps the verdict at review */
    int block_needs_concealment;  /* block only with concealment (or coordination) evidence */
    /* ingest */
    double reorder_window_s;
    size_t max_line_bytes;
    size_t max_buffered_events;
    /* link stage: when two accounts are one operator (src/link/link.h) */
    int link_enabled;             /* 0: per-account verdicts only (no link or campaign stage) */
    double link_kind_min;         /* nats for a kind of evidence to count */
    double link_kind_cap;         /* most nats one kind adds */
    double link_edge_min;         /* nats for an edge */
    int link_min_kinds;           /* independent kinds an edge needs */
    /* campaign stage (src/campaign/campaign.h) */
    double campaign_resolution;   /* Leiden modularity resolution */
    int campaign_min_accounts;    /* smallest campaign */
    /* serve: where /v1/check finds the account (src/serve/keyid.h) */
    char serve_account_header[128];
    int serve_account_hash;       /* DW_KEYHASH_NONE or DW_KEYHASH_HMAC_SHA256 */
    char serve_key_secret[256];   /* "" = none here (DISTILLWATCH_KEY_SECRET wins anyway) */
    /* state: accounts serve holds in memory before evicting saved ones (0 = no cap; scan never evicts) */
    uint32_t max_accounts;
};

enum { DW_KEYHASH_NONE = 0, DW_KEYHASH_HMAC_SHA256 = 1 };

/* What an account's assessment knows about its campaign (coordination
 * signals); filled by the campaign stage, all zero when it has none. */
typedef struct dw_campaign_ctx {
    const char *id;               /* NULL: not in a campaign */
    const char *reason;           /* the campaign's evidence in one sentence */
    uint32_t members;
    double score;                 /* the campaign judged as one account */
    double link;                  /* nats of the account's edges to other members */
    double link_median;           /* the same for the campaign's median member */
    int pooled;                   /* this assessment judges the campaign itself (pooled state) */
    double disguise;              /* pooled: share of the campaign's ties made without any shared identity */
} dw_campaign_ctx;

typedef struct dw_signal_result {
    double value;       /* the measurement */
    double strength;    /* 0..1 */
    double confidence;  /* 0..1 */
    double points;      /* weight x strength x confidence */
    int evaluated;
} dw_signal_result;

/* Population context for relative signals. */
typedef struct dw_population dw_population;
double dw_population_median_requests(const dw_population *p);
double dw_population_median_tokens(const dw_population *p);

typedef struct dw_assessment {
    dw_signal_result sig[S__COUNT];
    double points, score;
    int groups;                 /* groups with evidence */
    int trusted;                /* trust evidence present (caps at review) */
    dw_verdict verdict;
    dw_campaign_ctx camp;       /* the campaign this assessment saw (coordination reasons) */
} dw_assessment;

const char *dw_signal_name(dw_signal_id s);
dw_group dw_signal_group(dw_signal_id s);
const char *dw_group_name(dw_group g);

void dw_assess(const dw_config *cfg, const dw_account *a, const dw_population *pop, dw_assessment *out);
/* The same with the account's campaign (NULL or id == NULL: none). */
void dw_assess_ctx(const dw_config *cfg, const dw_account *a, const dw_population *pop, const dw_campaign_ctx *camp,
                   dw_assessment *out);
/* The reason text for one signal (only meaningful when it has points). */
void dw_signal_reason(dw_signal_id s, const dw_account *a, const dw_signal_result *r, char *out, size_t cap);
/* The same, for signals that need the assessment's context (campaign signals). */
void dw_assessment_signal_reason(const dw_assessment *as, dw_signal_id s, const dw_account *a, char *out, size_t cap);
/* Signals with points, suspicion first (strongest first), trust last; returns how many. */
int dw_assessment_order(const dw_assessment *as, int order[S__COUNT]);
/* The `max` strongest reasons of an assessment (0 = all), joined by "; ". */
void dw_assessment_reasons(const dw_assessment *as, const dw_account *a, int max, char *out, size_t cap);

#endif
