/*
 * outputs.c -- sinks: accounts.jsonl, alerts.jsonl and the summary.
 *
 * The record shapes are the contract of DESIGN.md; everything written goes
 * through the escaping JSON writer.  accounts.jsonl lists accounts by
 * descending score (ties by id), so that a reviewer reading the head of the
 * file reads the worst first and two runs over the same data give the same
 * bytes.  Alerts are written sorted by event time, then arrival order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline/engine_int.h"
#include "common/buf.h"

static const dw_engine *sort_engine;

static int by_score(const void *x, const void *y)
{
    const dw_account *a = &sort_engine->accts.v[*(const uint32_t *)x];
    const dw_account *b = &sort_engine->accts.v[*(const uint32_t *)y];
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return strcmp(a->id, b->id);
}

static int by_time(const void *x, const void *y)
{
    const dw_alert *a = x, *b = y;
    if (a->ts_ms != b->ts_ms) return a->ts_ms < b->ts_ms ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static FILE *open_out(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *path, char *err, size_t errlen)
{
    if (ferror(f) | (fclose(f) != 0)) { snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno)); return -1; }
    return 0;
}

/* One accounts.jsonl record. */
static void account_json(const dw_engine *e, const dw_account *a, dw_buf *b)
{
    dw_assessment as;
    dw_engine_assess(e, a, &as);
    dw_jw w;
    dw_jw_init(&w, b);
    dw_jw_obj_begin(&w);
    dw_jw_key(&w, "account_id"); dw_jw_str(&w, a->id);
    dw_jw_key(&w, "verdict"); dw_jw_str(&w, dw_verdict_name(as.verdict));
    dw_jw_key(&w, "score"); dw_jw_fixed(&w, as.score, 4);
    /* issue 4: only campaigns judged suspicious are campaigns (campaigns.json) */
    dw_jw_key(&w, "campaign_id");
    if (as.camp.id && as.camp.score >= e->cfg.review) dw_jw_str(&w, as.camp.id); else dw_jw_null(&w);
    dw_jw_key(&w, "requests"); dw_jw_uint(&w, a->requests);
    char ts[40];
    dw_format_ts(a->first_ms, ts, sizeof ts);
    dw_jw_key(&w, "first_seen"); dw_jw_str(&w, ts);
    dw_format_ts(a->last_ms, ts, sizeof ts);
    dw_jw_key(&w, "last_seen"); dw_jw_str(&w, ts);
    dw_jw_key(&w, "signals");
    dw_jw_obj_begin(&w);
    for (int i = 0; i < S__COUNT; i++) {
        if (!as.sig[i].evaluated) continue;
        dw_jw_key(&w, dw_signal_name((dw_signal_id)i));
        dw_jw_fixed(&w, as.sig[i].value, 4);
    }
    dw_jw_obj_end(&w);
    dw_jw_key(&w, "reasons");
    dw_jw_arr_begin(&w);
    if (as.verdict != DW_ALLOW) {
        int order[S__COUNT];
        int n = dw_assessment_order(&as, order);
        for (int i = 0; i < n; i++) {
            char r[768];
            dw_assessment_signal_reason(&as, (dw_signal_id)order[i], a, r, sizeof r); /* issue 4: campaign reasons */
            dw_jw_str(&w, r);
        }
    }
    dw_jw_arr_end(&w);
    dw_jw_obj_end(&w);
    dw_buf_putc(b, '\n');
}

/* serve (GET /v1/accounts/{id}): the same record for one account, so the
 * daemon and scan never disagree on its shape. */
void dw_account_record(const dw_engine *e, const dw_account *a, dw_buf *b) { account_json(e, a, b); }

int dw_write_accounts(dw_engine *e, const char *path, char *err, size_t errlen)
{
    FILE *f = open_out(path, err, errlen);
    if (!f) return -1;
    uint32_t *order = malloc((e->accts.n + 1) * sizeof *order);
    if (!order) { fclose(f); snprintf(err, errlen, "out of memory"); return -1; }
    uint32_t n = 0;
    for (uint32_t i = 0; i < e->accts.n; i++)
        if (e->accts.v[i].requests) order[n++] = i;
    sort_engine = e;
    qsort(order, n, sizeof *order, by_score);
    dw_buf b = {0};
    for (uint32_t i = 0; i < n; i++) {
        account_json(e, &e->accts.v[order[i]], &b);
        if (b.len > (1u << 20)) { dw_buf_write(&b, f); dw_buf_reset(&b); }
    }
    dw_buf_write(&b, f);
    dw_buf_free(&b);
    free(order);
    return close_out(f, path, err, errlen);
}

int dw_write_alerts(dw_engine *e, const char *path, char *err, size_t errlen)
{
    FILE *f = open_out(path, err, errlen);
    if (!f) return -1;
    if (e->nalerts) qsort(e->alerts, e->nalerts, sizeof *e->alerts, by_time); /* qsort(NULL, 0) is UB */
    dw_buf b = {0};
    for (size_t i = 0; i < e->nalerts; i++) {
        const dw_alert *al = &e->alerts[i];
        dw_jw w;
        dw_jw_init(&w, &b);
        char ts[40];
        dw_format_ts(al->ts_ms, ts, sizeof ts);
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "ts"); dw_jw_str(&w, ts);
        dw_jw_key(&w, "request_id"); if (al->request_id[0]) dw_jw_str(&w, al->request_id); else dw_jw_null(&w);
        dw_jw_key(&w, "account_id"); dw_jw_str(&w, e->accts.v[al->account].id);
        dw_jw_key(&w, "campaign_id"); if (al->campaign_id) dw_jw_str(&w, al->campaign_id); else dw_jw_null(&w); /* issue 4 */
        dw_jw_key(&w, "verdict"); dw_jw_str(&w, dw_verdict_name((dw_verdict)al->verdict));
        dw_jw_key(&w, "score"); dw_jw_fixed(&w, al->score, 4);
        dw_jw_key(&w, "reason"); dw_jw_str(&w, al->reason);
        dw_jw_obj_end(&w);
        dw_buf_putc(&b, '\n');
    }
    dw_buf_write(&b, f);
    dw_buf_free(&b);
    return close_out(f, path, err, errlen);
}

void dw_engine_print_summary(dw_engine *e, void *file)
{
    FILE *f = file;
    dw_stats s = dw_engine_stats(e);
    fprintf(f, "read %llu records = %llu accepted + %llu quarantined",
            (unsigned long long)s.lines_read, (unsigned long long)s.lines_accepted,
            (unsigned long long)s.lines_quarantined);
    if (s.lines_blank) fprintf(f, " (%llu blank lines skipped)", (unsigned long long)s.lines_blank);
    fprintf(f, "\n%llu events, %llu late (past the %.0f s reorder window), %llu accounts, %llu alerts\n",
            (unsigned long long)s.events, (unsigned long long)s.events_late, e->cfg.reorder_window_s,
            (unsigned long long)s.accounts, (unsigned long long)s.alerts);
    /* peak resident memory, for capacity planning (and bench/run.sh) */
    FILE *st = fopen("/proc/self/status", "r");
    if (st) {
        char line[256];
        while (fgets(line, sizeof line, st))
            if (strncmp(line, "VmHWM:", 6) == 0) {
                fprintf(f, "peak memory %.1f MiB, %.0f bytes of state per account\n", strtod(line + 6, NULL) / 1024.0,
                        s.accounts ? (double)dw_accounts_memory(&e->accts) / (double)s.accounts : 0.0);
                break;
            }
        fclose(st);
    }
    /* issue 4: what the link and campaign stages hold, for capacity planning */
    if (e->cfg.link_enabled) {
        uint32_t linked = dw_link_population(e->link);
        size_t lm = dw_link_memory(e->link), cm = dw_campaigns_memory(e->camps);
        fprintf(f, "link index %.1f MiB for %u accounts with a fingerprint (%.0f bytes each; fingerprint %zu), campaign graph %.1f MiB\n",
                lm / 1048576.0, linked, linked ? (double)lm / linked : 0.0, sizeof(dw_link_fp), cm / 1048576.0);
    }
    fprintf(f, "verdicts: %llu block, %llu review, %llu allow\n", (unsigned long long)s.verdicts[DW_BLOCK],
            (unsigned long long)s.verdicts[DW_REVIEW], (unsigned long long)s.verdicts[DW_ALLOW]);
    /* the worst accounts, with their top reasons */
    uint32_t *order = malloc((e->accts.n + 1) * sizeof *order);
    if (!order) return;
    uint32_t n = 0;
    for (uint32_t i = 0; i < e->accts.n; i++)
        if (e->accts.v[i].requests && e->accts.v[i].verdict != DW_ALLOW) order[n++] = i;
    sort_engine = e;
    qsort(order, n, sizeof *order, by_score);
    if (n) fprintf(f, "\ntop flagged accounts:\n");
    for (uint32_t i = 0; i < n && i < 10; i++) {
        const dw_account *a = &e->accts.v[order[i]];
        dw_assessment as;
        dw_engine_assess(e, a, &as);
        char reasons[1024];
        dw_assessment_reasons(&as, a, 3, reasons, sizeof reasons);
        fprintf(f, "  %-6s %.2f  %-24s %7u requests\n         %s\n", dw_verdict_name(as.verdict), as.score, a->id,
                a->requests, reasons);
    }
    if (n > 10) fprintf(f, "  ... and %u more in accounts.jsonl\n", n - 10);
    free(order);
}
