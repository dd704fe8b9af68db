/*
 * report.c -- the evaluation as text on stdout, as eval.json and as a
 * self-contained eval.html.
 *
 * The three say the same thing in the same order: headline figures first
 * (what a reader asks before anything else), then legitimate classes (the
 * cost of the detector to real customers), then campaigns (what it caught,
 * how whole, how late), then the precision-recall curve.  Undefined ratios
 * are printed as "n/a" and written as null rather than as a made-up 0 or 1.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "eval/eval.h"
#include "eval/svg.h"

static void fmt_pct(char *out, size_t cap, double v)
{
    if (isnan(v)) snprintf(out, cap, "n/a");
    else snprintf(out, cap, "%.1f%%", 100.0 * v);
}

static void fmt_num(char *out, size_t cap, double v)
{
    if (isnan(v)) snprintf(out, cap, "n/a");
    else if (isinf(v)) snprintf(out, cap, "never");
    else snprintf(out, cap, "%.0f", v);
}

static void fmt_ts(char *out, size_t cap, int64_t ms)
{
    if (ms == INT64_MAX) snprintf(out, cap, "never");
    else dw_format_ts(ms, out, cap);
}

void dwe_print_headline(const dwe_result *r, FILE *f)
{
    char a[32], b[32], c[32], d[32];
    fprintf(f, "accounts %ld (campaign %ld, abuse %ld excluded), requests %ld\n", r->accounts, r->positives, r->abuse,
            r->requests);
    fmt_pct(a, sizeof a, dwe_precision(&r->flag));
    fmt_pct(b, sizeof b, dwe_recall(&r->flag));
    fmt_pct(c, sizeof c, dwe_precision(&r->block));
    fmt_pct(d, sizeof d, dwe_recall(&r->block));
    fprintf(f, "review+block: precision %s recall %s (tp %ld fp %ld fn %ld)\n", a, b, r->flag.tp, r->flag.fp,
            r->flag.fn);
    fprintf(f, "block:        precision %s recall %s (tp %ld fp %ld fn %ld)\n", c, d, r->block.tp, r->block.fp,
            r->block.fn);
    fmt_pct(a, sizeof a, dwe_rate(r->heavy_block, r->heavy_accounts));
    fmt_pct(b, sizeof b, dwe_rate(r->heavy_review, r->heavy_accounts));
    fprintf(f, "legitimate heavy users: block %s, review %s of %ld accounts\n", a, b, r->heavy_accounts);
    /* an aggregate rate can hide a whole class being blocked: name them */
    bool any = false;
    for (size_t i = 0; i < r->nclasses; i++) {
        const dwe_class_row *k = &r->classes[i];
        if (strcmp(k->label, "benign") != 0 || !k->block) continue;
        fprintf(f, "%s %s %ld/%ld", any ? "," : "blocked legitimate accounts:", k->name, k->block, k->accounts);
        any = true;
    }
    if (any) fputc('\n', f);
    fmt_num(a, sizeof a, r->ap * 100);
    fprintf(f, "average precision over score: %s%s\n", isnan(r->ap) ? "n/a" : a, isnan(r->ap) ? "" : "%");
    fmt_pct(a, sizeof a, r->mean_jaccard);
    fmt_pct(b, sizeof b, r->mean_before);
    fprintf(f, "campaign recovery (mean best Jaccard): %s; traffic before first alert (mean): %s\n", a, b);
    fmt_num(a, sizeof a, r->cost);
    fmt_num(b, sizeof b, r->cost_free);
    fprintf(f, "attacker cost: %s accounts per 1M answers harvested before detection (%s with no detection "
               "in this window)\n", a, b);
    fprintf(f, "\n%-24s %-9s %8s %7s %7s %7s %8s\n", "class", "label", "accounts", "allow", "review", "block",
            "block%");
    for (size_t i = 0; i < r->nclasses; i++) {
        const dwe_class_row *k = &r->classes[i];
        if (!k->accounts) continue;
        fmt_pct(a, sizeof a, dwe_rate(k->block, k->accounts));
        fprintf(f, "%-24s %-9s %8ld %7ld %7ld %7ld %8s\n", k->name, k->label, k->accounts, k->allow, k->review,
                k->block, a);
    }
    fprintf(f, "\n%-18s %-22s %6s %7s %7s %8s %9s %9s %9s\n", "campaign", "class", "accts", "flagged", "blocked",
            "jaccard", "before%", "acct/1M", "(no det.)");
    for (size_t i = 0; i < r->ncamps; i++) {
        const dwe_camp_row *k = &r->camps[i];
        fmt_pct(a, sizeof a, k->best_jaccard);
        fmt_pct(b, sizeof b, k->before_share);
        fmt_num(c, sizeof c, k->cost);
        fmt_num(d, sizeof d, k->cost_free);
        fprintf(f, "%-18s %-22s %6ld %7ld %7ld %8s %9s %9s %9s\n", k->id, k->cls, k->accounts, k->flagged, k->blocked,
                a, b, c, d);
    }
    if (r->scan_missing || r->scan_unknown)
        fprintf(f, "\nnote: %ld accounts had no scan record (counted as allow); %ld scan accounts not in truth\n",
                r->scan_missing, r->scan_unknown);
}

static void jw_ratio(dw_jw *w, const char *key, double v)
{
    dw_jw_key(w, key);
    if (isfinite(v)) dw_jw_fixed(w, v, 4);
    else dw_jw_null(w);
}

static void jw_counts(dw_jw *w, const char *key, const dwe_counts *c)
{
    dw_jw_key(w, key);
    dw_jw_obj_begin(w);
    jw_ratio(w, "precision", dwe_precision(c));
    jw_ratio(w, "recall", dwe_recall(c));
    jw_ratio(w, "f1", dwe_f1(c));
    dw_jw_key(w, "tp"); dw_jw_int(w, c->tp);
    dw_jw_key(w, "fp"); dw_jw_int(w, c->fp);
    dw_jw_key(w, "fn"); dw_jw_int(w, c->fn);
    dw_jw_key(w, "tn"); dw_jw_int(w, c->tn);
    dw_jw_obj_end(w);
}

void dwe_result_json(const dwe_result *r, dw_jw *w)
{
    char ts[40];
    dw_jw_obj_begin(w);
    dw_jw_key(w, "accounts"); dw_jw_int(w, r->accounts);
    dw_jw_key(w, "campaign_accounts"); dw_jw_int(w, r->positives);
    dw_jw_key(w, "abuse_accounts_excluded"); dw_jw_int(w, r->abuse);
    dw_jw_key(w, "requests"); dw_jw_int(w, r->requests);
    dw_jw_key(w, "scan_missing_accounts"); dw_jw_int(w, r->scan_missing);
    dw_jw_key(w, "scan_unknown_accounts"); dw_jw_int(w, r->scan_unknown);
    jw_counts(w, "review_or_block", &r->flag);
    jw_counts(w, "block", &r->block);
    dw_jw_key(w, "legit_heavy");
    dw_jw_obj_begin(w);
    dw_jw_key(w, "accounts"); dw_jw_int(w, r->heavy_accounts);
    jw_ratio(w, "block_rate", dwe_rate(r->heavy_block, r->heavy_accounts));
    jw_ratio(w, "review_rate", dwe_rate(r->heavy_review, r->heavy_accounts));
    dw_jw_obj_end(w);
    jw_ratio(w, "campaign_recovery_mean_jaccard", r->mean_jaccard);
    jw_ratio(w, "traffic_before_first_alert_mean", r->mean_before);
    dw_jw_key(w, "attacker_cost");
    dw_jw_obj_begin(w);
    dw_jw_key(w, "campaign_accounts"); dw_jw_int(w, r->camp_accounts);
    dw_jw_key(w, "answers"); dw_jw_int(w, r->answers);
    dw_jw_key(w, "answers_before_detection"); dw_jw_int(w, r->answers_before);
    jw_ratio(w, "accounts_per_million_answers", r->cost);
    jw_ratio(w, "accounts_per_million_answers_undetected", r->cost_free);
    dw_jw_obj_end(w);
    dw_jw_key(w, "classes");
    dw_jw_arr_begin(w);
    for (size_t i = 0; i < r->nclasses; i++) {
        const dwe_class_row *k = &r->classes[i];
        if (!k->accounts) continue;
        dw_jw_obj_begin(w);
        dw_jw_key(w, "class"); dw_jw_str(w, k->name);
        dw_jw_key(w, "label"); dw_jw_str(w, k->label);
        dw_jw_key(w, "accounts"); dw_jw_int(w, k->accounts);
        dw_jw_key(w, "requests"); dw_jw_int(w, k->requests);
        dw_jw_key(w, "allow"); dw_jw_int(w, k->allow);
        dw_jw_key(w, "review"); dw_jw_int(w, k->review);
        dw_jw_key(w, "block"); dw_jw_int(w, k->block);
        jw_ratio(w, "block_rate", dwe_rate(k->block, k->accounts));
        jw_ratio(w, "flag_rate", dwe_rate(k->block + k->review, k->accounts));
        dw_jw_obj_end(w);
    }
    dw_jw_arr_end(w);
    dw_jw_key(w, "campaigns");
    dw_jw_arr_begin(w);
    for (size_t i = 0; i < r->ncamps; i++) {
        const dwe_camp_row *k = &r->camps[i];
        dw_jw_obj_begin(w);
        dw_jw_key(w, "campaign"); dw_jw_str(w, k->id);
        dw_jw_key(w, "class"); dw_jw_str(w, k->cls);
        dw_jw_key(w, "accounts"); dw_jw_int(w, k->accounts);
        dw_jw_key(w, "requests"); dw_jw_int(w, k->requests);
        jw_ratio(w, "recall_review_or_block", dwe_rate(k->flagged, k->accounts));
        jw_ratio(w, "recall_block", dwe_rate(k->blocked, k->accounts));
        jw_ratio(w, "best_jaccard", k->best_jaccard);
        dw_jw_key(w, "best_predicted_campaign");
        if (k->best_pred[0]) dw_jw_str(w, k->best_pred);
        else dw_jw_null(w);
        dw_jw_key(w, "first_alert");
        if (k->first_alert == INT64_MAX) dw_jw_null(w);
        else { fmt_ts(ts, sizeof ts, k->first_alert); dw_jw_str(w, ts); }
        jw_ratio(w, "traffic_before_first_alert", k->before_share);
        dw_jw_key(w, "answers"); dw_jw_int(w, k->answers);
        dw_jw_key(w, "answers_before_detection"); dw_jw_int(w, k->answers_before);
        jw_ratio(w, "accounts_per_million_answers", k->cost);
        jw_ratio(w, "accounts_per_million_answers_undetected", k->cost_free);
        dw_jw_obj_end(w);
    }
    dw_jw_arr_end(w);
    dw_jw_key(w, "predicted_campaigns"); dw_jw_int(w, r->predicted_campaigns);
    dw_jw_key(w, "score_pr");
    dw_jw_obj_begin(w);
    jw_ratio(w, "average_precision", r->ap);
    dw_jw_key(w, "points");
    dw_jw_arr_begin(w);
    for (size_t i = 0; i < r->npr; i++) {
        dw_jw_obj_begin(w);
        jw_ratio(w, "threshold", r->pr[i].threshold);
        jw_ratio(w, "precision", r->pr[i].precision);
        jw_ratio(w, "recall", r->pr[i].recall);
        dw_jw_obj_end(w);
    }
    dw_jw_arr_end(w);
    dw_jw_obj_end(w);
    dw_jw_obj_end(w);
}

static int write_buf(const dw_buf *b, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int rc = dw_buf_write(b, f);
    if (fclose(f) != 0) rc = -1;
    return rc;
}

int dwe_write_json(const dwe_result *r, const dwe_inputs *in, const char *path)
{
    dw_buf b = {0};
    dw_jw w;
    dw_jw_init(&w, &b);
    dw_jw_obj_begin(&w);
    dw_jw_key(&w, "truth"); dw_jw_str(&w, in->truth);
    dw_jw_key(&w, "scan"); dw_jw_str(&w, in->scan);
    dw_jw_key(&w, "result");
    dwe_result_json(r, &w);
    dw_jw_obj_end(&w);
    dw_buf_putc(&b, '\n');
    int rc = write_buf(&b, path);
    dw_buf_free(&b);
    return rc;
}

static void h(dw_buf *b, const char *s) { dw_buf_html_escaped(b, s, strlen(s)); }

static void td(dw_buf *b, const char *s)
{
    dw_buf_puts(b, "<td>");
    h(b, s);
    dw_buf_puts(b, "</td>");
}

static void td_pct(dw_buf *b, double v)
{
    char s[32];
    fmt_pct(s, sizeof s, v);
    td(b, s);
}

static void td_int(dw_buf *b, long v)
{
    char s[32];
    snprintf(s, sizeof s, "%ld", v);
    td(b, s);
}

int dwe_write_html(const dwe_result *r, const dwe_inputs *in, const char *path)
{
    dw_buf b = {0};
    char s[64];
    dw_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>DistillWatch evaluation</title>"
                    "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
                    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
                    "text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f4f4f4}"
                    ".big{font-size:1.4em}</style></head><body>\n<h1>DistillWatch evaluation</h1>\n<p>truth: <code>");
    h(&b, in->truth);
    dw_buf_puts(&b, "</code>, scan: <code>");
    h(&b, in->scan);
    dw_buf_puts(&b, "</code></p>\n<h2>Headline</h2>\n<table><tr><th>measure</th><th>value</th></tr>");
    struct { const char *name; double v; } rows[] = {
        {"precision (review + block)", dwe_precision(&r->flag)},
        {"recall (review + block)", dwe_recall(&r->flag)},
        {"precision (block)", dwe_precision(&r->block)},
        {"recall (block)", dwe_recall(&r->block)},
        {"block rate, legitimate heavy users", dwe_rate(r->heavy_block, r->heavy_accounts)},
        {"review rate, legitimate heavy users", dwe_rate(r->heavy_review, r->heavy_accounts)},
        {"average precision over score", r->ap},
        {"campaign recovery (mean best Jaccard)", r->mean_jaccard},
        {"traffic before first alert (mean over campaigns)", r->mean_before},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        dw_buf_puts(&b, "<tr>");
        td(&b, rows[i].name);
        td_pct(&b, rows[i].v);
        dw_buf_puts(&b, "</tr>");
    }
    dw_buf_puts(&b, "<tr>");
    td(&b, "attacker cost: accounts per 1M answers harvested before detection");
    fmt_num(s, sizeof s, r->cost);
    td(&b, s);
    dw_buf_puts(&b, "</tr></table>\n");
    dw_buf_printf(&b, "<p>%ld accounts with traffic, %ld of them campaign members; %ld abuse accounts (jailbreakers) "
                      "are excluded from precision and recall; %ld requests.</p>\n",
                  r->accounts, r->positives, r->abuse, r->requests);

    dw_buf_puts(&b, "<h2>Verdicts per class</h2>\n<table><tr><th>class</th><th>label</th><th>accounts</th>"
                    "<th>allow</th><th>review</th><th>block</th><th>block rate</th></tr>");
    for (size_t i = 0; i < r->nclasses; i++) {
        const dwe_class_row *k = &r->classes[i];
        if (!k->accounts) continue;
        dw_buf_puts(&b, "<tr>");
        td(&b, k->name);
        td(&b, k->label);
        td_int(&b, k->accounts);
        td_int(&b, k->allow);
        td_int(&b, k->review);
        td_int(&b, k->block);
        td_pct(&b, dwe_rate(k->block, k->accounts));
        dw_buf_puts(&b, "</tr>");
    }
    dw_buf_puts(&b, "</table>\n<h2>Campaigns</h2>\n<table><tr><th>campaign</th><th>class</th><th>accounts</th>"
                    "<th>recall (review+block)</th><th>recall (block)</th><th>best Jaccard</th><th>best match</th>"
                    "<th>first alert</th><th>traffic before first alert</th><th>accounts per 1M answers</th></tr>");
    for (size_t i = 0; i < r->ncamps; i++) {
        const dwe_camp_row *k = &r->camps[i];
        dw_buf_puts(&b, "<tr>");
        td(&b, k->id);
        td(&b, k->cls);
        td_int(&b, k->accounts);
        td_pct(&b, dwe_rate(k->flagged, k->accounts));
        td_pct(&b, dwe_rate(k->blocked, k->accounts));
        td_pct(&b, k->best_jaccard);
        td(&b, k->best_pred[0] ? k->best_pred : "-");
        char ts[40];
        fmt_ts(ts, sizeof ts, k->first_alert);
        td(&b, ts);
        td_pct(&b, k->before_share);
        fmt_num(s, sizeof s, k->cost);
        td(&b, s);
        dw_buf_puts(&b, "</tr>");
    }
    dw_buf_puts(&b, "</table>\n<h2>Precision and recall over the score threshold</h2>\n");
    double *x = malloc((r->npr + 1) * sizeof *x), *y = malloc((r->npr + 1) * sizeof *y);
    if (!x || !y) { free(x); free(y); dw_buf_free(&b); return -1; }
    for (size_t i = 0; i < r->npr; i++) { x[i] = r->pr[i].recall; y[i] = r->pr[i].precision; }
    dwe_series ser = {"accounts", x, y, r->npr};
    dwe_chart ch = {"Precision-recall (campaign accounts)", "recall", "precision", false, false, 0, 1, 0, 1, NULL, 0};
    dwe_svg_chart(&b, &ch, &ser, 1);
    free(x);
    free(y);
    dw_buf_puts(&b, "\n<p>One point per distinct score; an account is predicted positive when its score is at least "
                    "the threshold.</p>\n</body></html>\n");
    int rc = write_buf(&b, path);
    dw_buf_free(&b);
    return rc;
}
