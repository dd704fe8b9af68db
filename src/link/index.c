/*
 * index.c -- value -> accounts, with exact counts and bounded samples
 * (see index.h for why the sample is the smallest priorities).
 *
 * Open addressing with linear probing over 24-byte slots; keys are already
 * well-mixed hashes.  Lists are allocated only when a second account shares
 * a value, and never grow past the sample cap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "link/index.h"
#include "common/util.h"

void dw_lk_init(dw_lk_index *x, uint32_t sample_cap)
{
    memset(x, 0, sizeof *x);
    x->sample_cap = sample_cap < 2 ? 2 : sample_cap;
    x->cap = 1024;
    x->slots = dw_xcalloc(x->cap, sizeof *x->slots);
}

void dw_lk_free(dw_lk_index *x)
{
    for (uint32_t i = 0; i < x->nlists; i++) free(x->lists[i].e);
    free(x->lists);
    free(x->slots);
    memset(x, 0, sizeof *x);
}

void dw_lk_clear(dw_lk_index *x)
{
    uint32_t cap = x->sample_cap;
    dw_lk_free(x);
    dw_lk_init(x, cap);
}

static inline uint32_t home(const dw_lk_index *x, uint64_t key) { return (uint32_t)(key ^ (key >> 29)) & (x->cap - 1); }

static dw_lk_slot *find(const dw_lk_index *x, uint64_t key)
{
    for (uint32_t i = home(x, key);; i = (i + 1) & (x->cap - 1)) {
        dw_lk_slot *s = &x->slots[i];
        if (s->key == key) return s;
        if (!s->key) return NULL;
    }
}

static void grow(dw_lk_index *x)
{
    dw_lk_slot *old = x->slots;
    uint32_t ocap = x->cap;
    x->cap *= 2;
    x->slots = dw_xcalloc(x->cap, sizeof *x->slots);
    for (uint32_t i = 0; i < ocap; i++) {
        if (!old[i].key) continue;
        uint32_t j = home(x, old[i].key);
        while (x->slots[j].key) j = (j + 1) & (x->cap - 1);
        x->slots[j] = old[i];
    }
    free(old);
}

static dw_lk_slot *find_or_add(dw_lk_index *x, uint64_t key)
{
    if ((x->used + 1) * 10 > x->cap * 7) grow(x);
    uint32_t i = home(x, key);
    while (x->slots[i].key && x->slots[i].key != key) i = (i + 1) & (x->cap - 1);
    if (!x->slots[i].key) {
        x->slots[i].key = key;
        x->used++;
    }
    return &x->slots[i];
}

static inline int before(dw_lk_entry a, dw_lk_entry b) { return a.prio < b.prio || (a.prio == b.prio && a.acct < b.acct); }

/* Insert into a sorted, capped sample; duplicates (same account) are ignored. */
static void sample_insert(dw_lk_index *x, dw_lk_list *l, dw_lk_entry e)
{
    uint32_t lo = 0, hi = l->len;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (before(l->e[mid], e)) lo = mid + 1;
        else hi = mid;
    }
    if (lo < l->len && l->e[lo].acct == e.acct && l->e[lo].prio == e.prio) return;
    if (lo >= x->sample_cap) return;
    if (l->len == l->cap) {
        uint32_t nc = l->cap ? l->cap * 2 : 4;
        if (nc > x->sample_cap) nc = x->sample_cap;
        if (nc > l->cap) {
            l->e = dw_xrealloc(l->e, nc * sizeof *l->e);
            x->entry_bytes += (nc - l->cap) * sizeof *l->e;
            l->cap = nc;
        }
    }
    uint32_t keep = l->len < l->cap ? l->len : l->cap - 1; /* a full sample drops its largest */
    memmove(l->e + lo + 1, l->e + lo, (keep - lo) * sizeof *l->e);
    l->e[lo] = e;
    l->len = keep + 1;
}

static dw_lk_list *new_list(dw_lk_index *x, uint32_t *ref)
{
    if (x->nlists == x->lists_cap) {
        x->lists_cap = x->lists_cap ? x->lists_cap * 2 : 256;
        x->lists = dw_xrealloc(x->lists, x->lists_cap * sizeof *x->lists);
    }
    *ref = x->nlists;
    dw_lk_list *l = &x->lists[x->nlists++];
    memset(l, 0, sizeof *l);
    return l;
}

uint32_t dw_lk_add(dw_lk_index *x, uint64_t key, uint32_t acct, uint32_t prio)
{
    dw_lk_slot *s = find_or_add(x, key);
    dw_lk_entry e = {acct, prio};
    if (s->n == 0) {
        s->ref = acct;
        s->prio = prio;
    } else if (s->n == 1) {
        if (s->ref == acct) return s->n; /* registered again: nothing new */
        dw_lk_entry first = {s->ref, s->prio};
        uint32_t ref;
        dw_lk_list *l = new_list(x, &ref);
        s = find(x, key); /* new_list may not move slots, but keep it obvious */
        s->ref = ref;
        sample_insert(x, l, first);
        sample_insert(x, l, e);
    } else {
        sample_insert(x, &x->lists[s->ref], e);
    }
    return ++s->n;
}

uint32_t dw_lk_count(const dw_lk_index *x, uint64_t key)
{
    const dw_lk_slot *s = find(x, key);
    return s ? s->n : 0;
}

size_t dw_lk_near(const dw_lk_index *x, uint64_t key, uint32_t prio, uint32_t self, size_t w, uint32_t *out)
{
    const dw_lk_slot *s = find(x, key);
    if (!s || !s->n || !w) return 0;
    if (s->n == 1) {
        if (s->ref == self) return 0;
        out[0] = s->ref;
        return 1;
    }
    const dw_lk_list *l = &x->lists[s->ref];
    /* position of prio, then alternate outwards: the w nearest in priority */
    uint32_t lo = 0, hi = l->len;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (l->e[mid].prio < prio) lo = mid + 1;
        else hi = mid;
    }
    size_t k = 0;
    int64_t left = (int64_t)lo - 1, right = lo;
    while (k < w && (left >= 0 || right < (int64_t)l->len)) {
        if (right < (int64_t)l->len) {
            if (l->e[right].acct != self) out[k++] = l->e[right].acct;
            right++;
        }
        if (k < w && left >= 0) {
            if (l->e[left].acct != self) out[k++] = l->e[left].acct;
            left--;
        }
    }
    return k;
}

void dw_lk_merge(dw_lk_index *x, uint64_t from, uint64_t to, uint64_t (*acct_hash)(void *, uint32_t), void *ud)
{
    if (from == to) return;
    dw_lk_slot *s = find(x, from);
    if (!s || !s->n) return;
    uint32_t n = s->n;
    /* copy out: adding under `to` may grow the table and move slots */
    dw_lk_entry one = {s->ref, s->prio};
    dw_lk_entry *tmp = NULL;
    uint32_t len = 1;
    if (n == 1) tmp = &one;
    else {
        const dw_lk_list *l = &x->lists[s->ref];
        len = l->len;
        tmp = dw_xmalloc((len ? len : 1) * sizeof *tmp);
        memcpy(tmp, l->e, len * sizeof *tmp);
        /* the list slot stays allocated (indices of other lists must not move); empty it */
        x->entry_bytes -= x->lists[s->ref].cap * sizeof(dw_lk_entry);
        free(x->lists[s->ref].e);
        x->lists[s->ref].e = NULL;
        x->lists[s->ref].len = x->lists[s->ref].cap = 0;
    }
    s->n = 0;
    s->ref = 0;
    for (uint32_t i = 0; i < len; i++) dw_lk_add(x, to, tmp[i].acct, dw_lk_prio(acct_hash(ud, tmp[i].acct), to));
    /* members beyond the sample are counted, not listed: carry the count */
    dw_lk_slot *t = find_or_add(x, to);
    if (n > len) t->n += n - len;
    if (tmp != &one) free(tmp);
}

size_t dw_lk_memory(const dw_lk_index *x)
{
    return (size_t)x->cap * sizeof *x->slots + (size_t)x->lists_cap * sizeof *x->lists + x->entry_bytes;
}
