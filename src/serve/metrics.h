/*
 * metrics.h -- serve's counters and the /metrics rendering (see metrics.c).
 */
#ifndef DW_SERVE_METRICS_H
#define DW_SERVE_METRICS_H

#include <stdatomic.h>
#include <stdint.h>
#include "common/buf.h"

#define DW_LAT_BUCKETS 10

typedef struct dw_serve_metrics {
    atomic_uint_fast64_t http_requests, ingest_batches, ingest_rejected_full, ingest_too_large, unauthorized;
    atomic_uint_fast64_t check_total, check_allow, check_review, check_block, check_throttled, check_unknown;
    atomic_uint_fast64_t guardrail_total, guardrail_blocked;
    atomic_uint_fast64_t lat_bucket[DW_LAT_BUCKETS + 1]; /* + the +Inf bucket */
    atomic_uint_fast64_t lat_sum_ns;
    atomic_int queue_depth;                              /* ingest batches admitted, not yet answered */
    atomic_uint_fast64_t evict_passes, evict_ns, evict_max_ns; /* eviction passes: checks wait during each */
} dw_serve_metrics;

extern const double dw_lat_bounds_s[DW_LAT_BUCKETS];

void dw_metrics_observe_check(dw_serve_metrics *m, uint64_t ns);

/* Engine-side figures, read by the caller under the serve mutex. */
typedef struct dw_metrics_engine {
    uint64_t events, lines_accepted, lines_quarantined, lines_blank, events_late, accounts_known, alerts;
    uint64_t accounts_in_memory, accounts_evicted, accounts_reloaded;
    uint64_t verdicts[3];
    int64_t journal_pending;
} dw_metrics_engine;

void dw_metrics_render(const dw_serve_metrics *m, const dw_metrics_engine *e, dw_buf *out);

#endif
