/*
 * reorder.h -- the bounded reorder buffer between enrich and account state.
 *
 * Logs from several gateways, or a gateway's several workers, arrive out of
 * order by seconds to minutes.  Timing signals and alerts need event-time
 * order, so observations wait here until the newest timestamp seen is more
 * than `window_ms` past theirs, then leave in (timestamp, arrival) order.
 * An observation older than what has already left ("late") is not dropped:
 * it is released at once and counted.  When more than `max_items` wait (a
 * log whose every line has the same second, say), the oldest leave early, so
 * memory is bounded whatever the input.
 *
 * Two containers, because most logs are nearly in order: an observation not
 * older than the last one queued goes to the back of a FIFO ring (O(1), and
 * the ring is sorted by construction), anything else into a binary min-heap
 * on (timestamp, arrival).  The next to leave is the smaller of the ring's
 * front and the heap's top.  With 300 s of traffic in flight (hundreds of
 * thousands of events at a busy gateway) a heap-only buffer spent ~17
 * cache-missing levels per event; in-order traffic now never touches it.
 */
#ifndef DW_REORDER_H
#define DW_REORDER_H

#include <stddef.h>
#include <stdint.h>
#include "state/account.h"

typedef struct dw_reorder {
    dw_obs **heap;              /* observations that arrived out of order */
    size_t n, cap, max_items;
    dw_obs **ring;              /* in-order arrivals, oldest at ring[head] */
    size_t head, qn, qcap;      /* qcap: 0 or a power of two */
    dw_obs **free_list;
    size_t nfree, free_cap;
    int64_t window_ms;
    int64_t newest_ms;       /* newest timestamp pushed */
    int64_t released_ms;     /* timestamp of the last released observation */
    uint64_t late, forced;
} dw_reorder;

void dw_reorder_init(dw_reorder *r, int64_t window_ms, size_t max_items);
void dw_reorder_free(dw_reorder *r);
/* An empty observation to fill (recycled). */
dw_obs *dw_reorder_obtain(dw_reorder *r);
/* Hand back a processed observation. */
void dw_reorder_recycle(dw_reorder *r, dw_obs *o);
/* Push; returns 1 when the observation is late (the caller processes it now
 * instead, and still recycles it). */
int dw_reorder_push(dw_reorder *r, dw_obs *o);
/* Next observation ready to leave, or NULL.  flush = 1 drains everything. */
dw_obs *dw_reorder_pop(dw_reorder *r, int flush);
/* The observations waiting, in no particular order: k < dw_reorder_size(r). */
static inline size_t dw_reorder_size(const dw_reorder *r) { return r->n + r->qn; }
static inline const dw_obs *dw_reorder_waiting(const dw_reorder *r, size_t k)
{
    return k < r->qn ? r->ring[(r->head + k) & (r->qcap - 1)] : r->heap[k - r->qn];
}

/* The in-order observation k places behind the front of the ring, or NULL:
 * one the caller may ask memory for before it leaves. */
static inline const dw_obs *dw_reorder_ahead(const dw_reorder *r, size_t k)
{
    return k < r->qn ? r->ring[(r->head + k) & (r->qcap - 1)] : NULL;
}

#endif
