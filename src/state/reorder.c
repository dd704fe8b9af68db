/* reorder.c -- FIFO ring + binary min-heap on (ts, seq), with a recycling pool (see reorder.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "state/reorder.h"
#include "common/util.h"

void dw_reorder_init(dw_reorder *r, int64_t window_ms, size_t max_items)
{
    memset(r, 0, sizeof *r);
    r->window_ms = window_ms < 0 ? 0 : window_ms;
    r->max_items = max_items ? max_items : 1;
    r->newest_ms = r->released_ms = DW_TS_NONE;
}

void dw_reorder_free(dw_reorder *r)
{
    for (size_t i = 0; i < r->n; i++) { free(r->heap[i]->rid_heap); free(r->heap[i]); }
    for (size_t i = 0; i < r->qn; i++) {
        dw_obs *o = r->ring[(r->head + i) & (r->qcap - 1)];
        free(o->rid_heap);
        free(o);
    }
    free(r->ring);
    for (size_t i = 0; i < r->nfree; i++) free(r->free_list[i]);
    free(r->heap);
    free(r->free_list);
    memset(r, 0, sizeof *r);
}

dw_obs *dw_reorder_obtain(dw_reorder *r)
{
    dw_obs *o = r->nfree ? r->free_list[--r->nfree] : dw_xmalloc(sizeof *o);
    o->rid_heap = NULL;
    o->rid_inline[0] = 0;
    return o;
}

void dw_reorder_recycle(dw_reorder *r, dw_obs *o)
{
    free(o->rid_heap);
    o->rid_heap = NULL;
    if (r->nfree == r->free_cap) {
        if (r->free_cap >= 4096) { free(o); return; }   /* keep the pool small */
        r->free_cap = r->free_cap ? r->free_cap * 2 : 64;
        r->free_list = dw_xrealloc(r->free_list, r->free_cap * sizeof *r->free_list);
    }
    r->free_list[r->nfree++] = o;
}

static inline int before(const dw_obs *a, const dw_obs *b)
{
    return a->ts_ms < b->ts_ms || (a->ts_ms == b->ts_ms && a->seq < b->seq);
}

int dw_reorder_push(dw_reorder *r, dw_obs *o)
{
    if (r->released_ms != DW_TS_NONE && o->ts_ms < r->released_ms) {
        r->late++;
        return 1;
    }
    if (r->newest_ms == DW_TS_NONE || o->ts_ms > r->newest_ms) r->newest_ms = o->ts_ms;
    /* in order with the ring's back: append (seq grows with every push, so
     * equal timestamps stay in arrival order) */
    if (r->qn == 0 || !before(o, r->ring[(r->head + r->qn - 1) & (r->qcap - 1)])) {
        if (r->qn == r->qcap) {
            size_t ncap = r->qcap ? r->qcap * 2 : 256;
            dw_obs **nr = dw_xmalloc(ncap * sizeof *nr);
            for (size_t i = 0; i < r->qn; i++) nr[i] = r->ring[(r->head + i) & (r->qcap - 1)];
            free(r->ring);
            r->ring = nr;
            r->qcap = ncap;
            r->head = 0;
        }
        r->ring[(r->head + r->qn++) & (r->qcap - 1)] = o;
        return 0;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->heap = dw_xrealloc(r->heap, r->cap * sizeof *r->heap);
    }
    size_t i = r->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(o, r->heap[p])) break;
        r->heap[i] = r->heap[p];
        i = p;
    }
    r->heap[i] = o;
    return 0;
}

dw_obs *dw_reorder_pop(dw_reorder *r, int flush)
{
    dw_obs *front = r->qn ? r->ring[r->head] : NULL;
    dw_obs *top = r->n ? r->heap[0] : NULL;
    if (!front && !top) return NULL;
    int from_ring = front && (!top || before(front, top));
    dw_obs *next = from_ring ? front : top;
    int ready = flush || next->ts_ms <= r->newest_ms - r->window_ms;
    if (!ready && r->n + r->qn > r->max_items) { ready = 1; r->forced++; }
    if (!ready) return NULL;
    if (r->released_ms == DW_TS_NONE || next->ts_ms > r->released_ms) r->released_ms = next->ts_ms;
    if (from_ring) {
        r->head = (r->head + 1) & (r->qcap - 1);
        r->qn--;
        return front;
    }
    dw_obs *last = r->heap[--r->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= r->n) break;
        if (c + 1 < r->n && before(r->heap[c + 1], r->heap[c])) c++;
        if (!before(r->heap[c], last)) break;
        r->heap[i] = r->heap[c];
        i = c;
    }
    if (r->n) r->heap[i] = last;
    return top;
}
