/*
 * tupset.c -- open addressing over an arena of tuples; the table doubles at
 * half load so probes stay short.
 */
#include "prove/tupset.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void dw_tupset_init(dw_tupset *s, uint32_t len)
{
    memset(s, 0, sizeof *s);
    s->len = len ? len : 1;
}

void dw_tupset_free(dw_tupset *s)
{
    free(s->arena);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

void dw_tupset_clear(dw_tupset *s)
{
    if (s->slots && s->n) memset(s->slots, 0, (s->mask + 1) * sizeof *s->slots);
    s->n = 0;
}

static size_t tup_hash(const dw_tupset *s, const uint32_t *t)
{
    return (size_t)dw_hash(t, s->len * sizeof *t);
}

static size_t find_slot(const dw_tupset *s, const uint32_t *t, bool *found)
{
    size_t i = tup_hash(s, t) & s->mask;
    for (;; i = (i + 1) & s->mask) {
        uint32_t e = s->slots[i];
        if (!e) { *found = false; return i; }
        if (!memcmp(s->arena + (size_t)(e - 1) * s->len, t, s->len * sizeof *t)) { *found = true; return i; }
    }
}

bool dw_tupset_has(const dw_tupset *s, const uint32_t *t)
{
    if (!s->slots || !s->n) return false;
    bool found;
    find_slot(s, t, &found);
    return found;
}

static void grow(dw_tupset *s)
{
    size_t cap = s->slots ? (s->mask + 1) * 2 : 256;
    uint32_t *slots = dw_xcalloc(cap, sizeof *slots);
    free(s->slots);
    s->slots = slots;
    s->mask = cap - 1;
    for (size_t k = 0; k < s->n; k++) {
        size_t i = tup_hash(s, s->arena + k * s->len) & s->mask;
        while (s->slots[i]) i = (i + 1) & s->mask;
        s->slots[i] = (uint32_t)(k + 1);
    }
}

bool dw_tupset_add(dw_tupset *s, const uint32_t *t)
{
    if (!s->slots || (s->n + 1) * 2 > s->mask + 1) grow(s);
    bool found;
    size_t i = find_slot(s, t, &found);
    if (found) return false;
    if ((s->n + 1) * s->len > s->arena_cap) {
        size_t cap = s->arena_cap ? s->arena_cap * 2 : 256 * s->len;
        uint32_t *a = dw_xrealloc(s->arena, cap * sizeof *a);
        s->arena = a;
        s->arena_cap = cap;
    }
    memcpy(s->arena + s->n * s->len, t, s->len * sizeof *t);
    s->slots[i] = (uint32_t)(++s->n);
    return true;
}
