/*
 * eval.h -- `distillwatch eval`: how good is a scan, against the truth.
 *
 * The evaluator joins three things: the simulator's truth (which accounts are
 * campaign members, of which campaign and class), the scan's outputs
 * (accounts.jsonl verdicts and scores, alerts.jsonl in event time,
 * campaigns.json if present) and the request log itself (to know how much
 * traffic went through before each alert).  It reports what DESIGN.md's
 * quality bar asks for, per account, per legitimate class, per campaign, and
 * as a precision-recall curve; `--sweep KNOB` repeats simulate -> scan ->
 * eval while one evasion knob moves and reports recall and attacker cost.
 *
 * Positives are accounts labelled `campaign`.  Accounts labelled `abuse`
 * (jailbreakers) are left out of precision and recall -- a distillation
 * detector is neither credited nor blamed for them -- and reported as a class
 * of their own.
 */
#ifndef DW_EVAL_H
#define DW_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eval/metrics.h"

int dw_cmd_eval(int argc, char **argv);

typedef struct dwe_class_row {
    char name[48];
    char label[16];
    long accounts, allow, review, block, requests;
} dwe_class_row;

typedef struct dwe_camp_row {
    char id[64];
    char cls[48];
    long accounts, flagged, blocked, requests;
    long answers;          /* harvest (non-cover) requests */
    long answers_before;   /* ... that went through before their account's first alert */
    double best_jaccard;
    char best_pred[96];
    int64_t first_alert;   /* INT64_MAX: never */
    double before_share;   /* share of the campaign's requests before its first alert */
    double cost;           /* accounts per 1M answers harvested before detection */
    double cost_free;      /* the same with no detector: every answer of the window counts */
} dwe_camp_row;

typedef struct dwe_result {
    long accounts, positives, abuse, requests;
    long scan_unknown;     /* scan accounts not in truth */
    long scan_missing;     /* truth accounts the scan did not report (counted as allow) */
    dwe_counts flag, block;  /* review+block, and block alone */
    double ap;
    dwe_pr_point *pr;
    size_t npr;
    dwe_class_row *classes;
    size_t nclasses;
    dwe_camp_row *camps;
    size_t ncamps;
    long heavy_accounts, heavy_review, heavy_block;
    double mean_jaccard, mean_before;
    long camp_accounts, answers, answers_before;
    double cost;           /* over all campaigns */
    double cost_free;      /* over all campaigns, as if nothing were detected */
    long predicted_campaigns;
    bool have_campaigns_json, have_truth_requests;
} dwe_result;

typedef struct dwe_inputs {
    const char *truth;     /* truth.jsonl */
    const char *scan;      /* scan output directory */
    const char *requests;  /* request log; NULL: requests.jsonl next to truth */
    const char *labels;    /* truth_requests.jsonl; NULL: next to truth, if present */
} dwe_inputs;

/* Compute everything; -1 with a message on unreadable input. */
int dwe_evaluate(const dwe_inputs *in, dwe_result *res, char *err, size_t errlen);
void dwe_result_free(dwe_result *res);

/* Outputs. */
void dwe_print_headline(const dwe_result *r, FILE *f);
int dwe_write_json(const dwe_result *r, const dwe_inputs *in, const char *path);
/* The result object alone, for embedding (the sweep writes one per point). */
struct dw_jw;
void dwe_result_json(const dwe_result *r, struct dw_jw *w);
int dwe_write_html(const dwe_result *r, const dwe_inputs *in, const char *path);

/* The sweep (sweep.c). */
int dwe_sweep_main(int argc, char **argv);

#endif
