/* table.c -- account table, model table, string arena (see table.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "state/table.h"
#include "common/util.h"

#define ARENA_BLOCK (1u << 20)

struct dw_arena_block {
    dw_arena_block *next;
    char data[];
};

const char *dw_arena_strndup(dw_arena *a, const char *s, size_t n)
{
    if (!a->head || a->used + n + 1 > a->cap) {
        size_t cap = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;
        dw_arena_block *b = dw_xmalloc(sizeof *b + cap);
        b->next = a->head;
        a->head = b;
        a->used = 0;
        a->cap = cap;
    }
    char *p = a->head->data + a->used;
    memcpy(p, s, n);
    p[n] = 0;
    a->used += n + 1;
    a->total += n + 1;
    return p;
}

void dw_arena_free(dw_arena *a)
{
    dw_arena_block *b = a->head;
    while (b) {
        dw_arena_block *next = b->next;
        free(b);
        b = next;
    }
    memset(a, 0, sizeof *a);
}

void dw_accounts_init(dw_account_table *t)
{
    memset(t, 0, sizeof *t);
    t->index_cap = 1024;
    t->index = dw_xcalloc(t->index_cap, sizeof *t->index);
}

static void free_strings(dw_account *a)
{
    if (a->slot & DW_SLOT_ID_HEAP) free((char *)a->id);
    if (a->slot & DW_SLOT_PAY_HEAP) free((char *)a->payment);
    a->slot &= (uint8_t)~(DW_SLOT_ID_HEAP | DW_SLOT_PAY_HEAP);
}

void dw_accounts_free(dw_account_table *t)
{
    for (uint32_t i = 0; i < t->n; i++) free_strings(&t->v[i]);
    free(t->free_slots);
    free(t->v);
    free(t->ids);
    free(t->index);
    dw_arena_free(&t->strings);
    memset(t, 0, sizeof *t);
}

/* Is the stored id `key` (NUL-terminated) the n bytes at id?  Lengths
 * first: on a hash collision with a shorter id, a word compare of n bytes
 * would read past the end of that id. */
static inline bool id_is(const char *key, const char *id, size_t n)
{
    return strnlen(key, n + 1) == n && dw_bytes_eq(key, id, n);
}

static void reindex(dw_account_table *t, uint32_t cap)
{
    uint64_t *idx = dw_xcalloc(cap, sizeof *idx);
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->v[i].slot & DW_SLOT_VACANT) continue;
        uint32_t s = (uint32_t)t->v[i].id_hash & (cap - 1);
        while (idx[s]) s = (s + 1) & (cap - 1);
        idx[s] = dw_index_entry(t->v[i].id_hash, i);
    }
    free(t->index);
    t->index = idx;
    t->index_cap = cap;
}

uint32_t dw_accounts_find(const dw_account_table *t, const char *id, size_t n)
{
    uint64_t h = dw_hash(id, n);
    uint32_t s = (uint32_t)h & (t->index_cap - 1);
    for (uint64_t e; (e = t->index[s]) != 0; s = (s + 1) & (t->index_cap - 1)) {
        if (!dw_index_tag_is(e, h)) continue;
        if (id_is(t->ids[(uint32_t)e - 1], id, n)) return (uint32_t)e - 1;
    }
    return UINT32_MAX;
}

uint32_t dw_accounts_intern(dw_account_table *t, const char *id, size_t n, int *created)
{
    return dw_accounts_intern_hashed(t, id, n, dw_hash(id, n), created);
}

uint32_t dw_accounts_intern_hashed(dw_account_table *t, const char *id, size_t n, uint64_t h, int *created)
{
    uint32_t s = (uint32_t)h & (t->index_cap - 1);
    for (uint64_t e; (e = t->index[s]) != 0; s = (s + 1) & (t->index_cap - 1)) {
        if (!dw_index_tag_is(e, h)) continue;
        if (id_is(t->ids[(uint32_t)e - 1], id, n)) {
            if (created) *created = 0;
            return (uint32_t)e - 1;
        }
    }
    if (t->nfree) { /* a released slot: its index is free to mean this account now */
        uint32_t i = t->free_slots[--t->nfree];
        dw_account *a = &t->v[i];
        dw_account_init(a);
        char *copy = dw_xmalloc(n + 1);
        memcpy(copy, id, n);
        copy[n] = 0;
        a->id = t->ids[i] = copy;
        a->slot = DW_SLOT_ID_HEAP;
        a->id_hash = h;
        t->index[s] = dw_index_entry(h, i);
        if (created) *created = 1;
        return i;
    }
    if (t->n == t->cap) {
        /* grow by 1.5x: the array dominates memory at millions of accounts */
        t->cap = t->cap ? t->cap + t->cap / 2 : 1024;
        t->v = dw_xrealloc(t->v, (size_t)t->cap * sizeof *t->v);
        t->ids = dw_xrealloc(t->ids, (size_t)t->cap * sizeof *t->ids);
    }
    uint32_t i = t->n++;
    dw_account *a = &t->v[i];
    dw_account_init(a);
    a->id = t->ids[i] = dw_arena_strndup(&t->strings, id, n);
    a->id_hash = h;
    t->index[s] = dw_index_entry(h, i);
    if ((uint64_t)t->n * 4 > (uint64_t)t->index_cap * 3) reindex(t, t->index_cap * 2);
    if (created) *created = 1;
    return i;
}

/* Linear probing without tombstones: after emptying a slot, later entries of
 * the same probe run move back into it, so every lookup still finds its key
 * before the first empty slot. */
void dw_accounts_release(dw_account_table *t, uint32_t i)
{
    dw_account *a = &t->v[i];
    if (a->slot & DW_SLOT_VACANT) return;
    uint32_t mask = t->index_cap - 1, s = (uint32_t)a->id_hash & mask;
    while ((uint32_t)t->index[s] != i + 1) {
        if (!t->index[s]) abort(); /* not indexed: the table is corrupt */
        s = (s + 1) & mask;
    }
    t->index[s] = 0;
    for (uint32_t j = (s + 1) & mask; t->index[j]; j = (j + 1) & mask) {
        uint32_t home = (uint32_t)t->v[(uint32_t)t->index[j] - 1].id_hash & mask;
        /* the entry at j may move to the hole at s unless its home lies cyclically in (s, j] */
        int stays = s <= j ? (home > s && home <= j) : (home > s || home <= j);
        if (stays) continue;
        t->index[s] = t->index[j];
        t->index[j] = 0;
        s = j;
    }
    free_strings(a);
    dw_account_init(a);
    a->id = t->ids[i] = "";
    a->slot = DW_SLOT_VACANT;
    if (t->nfree == t->free_cap) {
        t->free_cap = t->free_cap ? t->free_cap * 2 : 256;
        t->free_slots = dw_xrealloc(t->free_slots, (size_t)t->free_cap * sizeof *t->free_slots);
    }
    t->free_slots[t->nfree++] = i;
}

void dw_accounts_set_payment(dw_account_table *t, uint32_t i, const char *s, size_t n)
{
    dw_account *a = &t->v[i];
    if (a->slot & DW_SLOT_PAY_HEAP) free((char *)a->payment);
    char *copy = dw_xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = 0;
    a->payment = copy;
    a->slot |= DW_SLOT_PAY_HEAP;
}

size_t dw_accounts_memory(const dw_account_table *t)
{
    /* what the accounts use, not the capacity reserved for the next ones */
    return (size_t)t->n * (sizeof *t->v + sizeof *t->ids) + (size_t)t->index_cap * sizeof *t->index +
           t->strings.total;
}

void dw_models_init(dw_model_table *m)
{
    memset(m, 0, sizeof *m);
    m->n = 1;
}

static inline bool model_is(const dw_model *x, const char *name, size_t n)
{
    return x->len == n && dw_bytes_eq(x->name, name, n);
}

uint16_t dw_models_intern(dw_model_table *m, dw_arena *strings, const char *name, size_t n)
{
    if (!name || !n) return 0;
    if (n > 200) n = 200; /* model names are short; bound what a hostile log can make us keep */
    if (m->last && model_is(&m->v[m->last], name, n)) return m->last;
    uint64_t h = dw_hash(name, n);
    const uint32_t mask = 2 * DW_MAX_MODELS - 1;
    uint32_t s = (uint32_t)h & mask;
    for (uint16_t i; (i = m->index[s]) != 0; s = (s + 1) & mask)
        if (m->v[i].hash == h && model_is(&m->v[i], name, n)) return m->last = i;
    if (m->n >= DW_MAX_MODELS) return 0;
    m->index[s] = (uint16_t)m->n;
    dw_model *x = &m->v[m->n];
    x->name = dw_arena_strndup(strings, name, n);
    x->len = (uint32_t)n;
    x->hash = h;
    x->first_seen = DW_TS_NONE;
    x->requests = 0;
    return m->last = (uint16_t)m->n++;
}
