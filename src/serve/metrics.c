/*
 * metrics.c -- /metrics in the Prometheus text exposition format (0.0.4).
 *
 * Counters are atomics so that the check path records its latency without
 * taking a lock; the histogram's buckets are fixed (10 µs .. 10 ms) because
 * /v1/check is meant to answer in well under a millisecond and the
 * interesting question is how often it does not.  Engine figures (events,
 * lines, verdict counts) are copied by the caller under the serve mutex and
 * only formatted here, so that rendering never holds the engine.
 */
#include "serve/metrics.h"

const double dw_lat_bounds_s[DW_LAT_BUCKETS] = {1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2};

void dw_metrics_observe_check(dw_serve_metrics *m, uint64_t ns)
{
    int b = 0;
    while (b < DW_LAT_BUCKETS && (double)ns > dw_lat_bounds_s[b] * 1e9) b++;
    atomic_fetch_add_explicit(&m->lat_bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->lat_sum_ns, ns, memory_order_relaxed);
}

static void counter(dw_buf *o, const char *name, const char *help, const char *type, const char *labels, uint64_t v)
{
    if (help) dw_buf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    dw_buf_printf(o, "%s%s %llu\n", name, labels ? labels : "", (unsigned long long)v);
}

#define LD(x) atomic_load_explicit(&m->x, memory_order_relaxed)

void dw_metrics_render(const dw_serve_metrics *m, const dw_metrics_engine *e, dw_buf *o)
{
    counter(o, "distillwatch_http_requests_total", "HTTP requests received.", "counter", NULL, LD(http_requests));
    counter(o, "distillwatch_events_total", "Events processed by the engine.", "counter", NULL, e->events);
    counter(o, "distillwatch_events_late_total", "Events that arrived after the reorder window.", "counter", NULL, e->events_late);
    counter(o, "distillwatch_lines_total", "Ingested lines by outcome.", "counter", "{outcome=\"accepted\"}", e->lines_accepted);
    counter(o, "distillwatch_lines_total", NULL, NULL, "{outcome=\"quarantined\"}", e->lines_quarantined);
    counter(o, "distillwatch_lines_total", NULL, NULL, "{outcome=\"blank\"}", e->lines_blank);
    counter(o, "distillwatch_ingest_batches_total", "POST /v1/events batches accepted.", "counter", NULL, LD(ingest_batches));
    counter(o, "distillwatch_ingest_rejected_total", "Ingest batches refused.", "counter", "{reason=\"queue_full\"}", LD(ingest_rejected_full));
    counter(o, "distillwatch_ingest_rejected_total", NULL, NULL, "{reason=\"too_large\"}", LD(ingest_too_large));
    counter(o, "distillwatch_unauthorized_total", "Requests refused for a missing or wrong token.", "counter", NULL, LD(unauthorized));
    counter(o, "distillwatch_accounts", "Accounts in memory with at least one request.", "gauge", NULL, e->accounts_known);
    counter(o, "distillwatch_accounts_in_memory", "Account slots in use (the [state] max_accounts cap applies to these).", "gauge", NULL, e->accounts_in_memory);
    counter(o, "distillwatch_accounts_evicted_total", "Accounts moved from memory to the store.", "counter", NULL, e->accounts_evicted);
    counter(o, "distillwatch_accounts_reloaded_total", "Evicted accounts read back from the store when seen again.", "counter", NULL, e->accounts_reloaded);
    counter(o, "distillwatch_alerts_total", "Alerts raised.", "counter", NULL, e->alerts);
    counter(o, "distillwatch_queue_depth", "Ingest batches admitted and not yet answered.", "gauge", NULL,
            (uint64_t)(atomic_load(&m->queue_depth) < 0 ? 0 : atomic_load(&m->queue_depth)));
    counter(o, "distillwatch_journal_batches", "Journaled batches not yet folded into saved state.", "gauge", NULL,
            (uint64_t)(e->journal_pending < 0 ? 0 : e->journal_pending));
    counter(o, "distillwatch_account_verdicts", "Known accounts by current verdict.", "gauge", "{verdict=\"allow\"}", e->verdicts[0]);
    counter(o, "distillwatch_account_verdicts", NULL, NULL, "{verdict=\"review\"}", e->verdicts[1]);
    counter(o, "distillwatch_account_verdicts", NULL, NULL, "{verdict=\"block\"}", e->verdicts[2]);
    counter(o, "distillwatch_checks_total", "/v1/check answers by outcome.", "counter", "{outcome=\"allow\"}", LD(check_allow));
    counter(o, "distillwatch_checks_total", NULL, NULL, "{outcome=\"review\"}", LD(check_review));
    counter(o, "distillwatch_checks_total", NULL, NULL, "{outcome=\"throttle\"}", LD(check_throttled));
    counter(o, "distillwatch_checks_total", NULL, NULL, "{outcome=\"block\"}", LD(check_block));
    counter(o, "distillwatch_checks_total", NULL, NULL, "{outcome=\"unknown\"}", LD(check_unknown));
    counter(o, "distillwatch_guardrail_total", "LiteLLM guardrail calls by action.", "counter", "{action=\"NONE\"}",
            LD(guardrail_total) - LD(guardrail_blocked));
    counter(o, "distillwatch_guardrail_total", NULL, NULL, "{action=\"BLOCKED\"}", LD(guardrail_blocked));
    dw_buf_puts(o, "# HELP distillwatch_check_duration_seconds Time to answer /v1/check (lookup and headers).\n"
                   "# TYPE distillwatch_check_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int b = 0; b <= DW_LAT_BUCKETS; b++) {
        cum += LD(lat_bucket[b]);
        if (b < DW_LAT_BUCKETS)
            dw_buf_printf(o, "distillwatch_check_duration_seconds_bucket{le=\"%g\"} %llu\n", dw_lat_bounds_s[b], (unsigned long long)cum);
        else
            dw_buf_printf(o, "distillwatch_check_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    }
    dw_buf_printf(o, "distillwatch_check_duration_seconds_sum %.9f\n", (double)LD(lat_sum_ns) / 1e9);
    dw_buf_printf(o, "distillwatch_check_duration_seconds_count %llu\n", (unsigned long long)cum);
    counter(o, "distillwatch_evict_passes_total", "Eviction passes (the engine is held during each).", "counter", NULL, LD(evict_passes));
    dw_buf_printf(o, "# HELP distillwatch_evict_seconds_total Time spent in eviction passes.\n# TYPE distillwatch_evict_seconds_total counter\n"
                     "distillwatch_evict_seconds_total %.6f\n", (double)LD(evict_ns) / 1e9);
    dw_buf_printf(o, "# HELP distillwatch_evict_max_seconds Longest eviction pass.\n# TYPE distillwatch_evict_max_seconds gauge\n"
                     "distillwatch_evict_max_seconds %.6f\n", (double)LD(evict_max_ns) / 1e9);
}
