/* texts.c -- bounded hash -> text store with a doorkeeper (see texts.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "link/texts.h"
#include "common/util.h"

#define DOOR_SLOTS (1u << 16)

void dw_texts_init(dw_texts *t)
{
    memset(t, 0, sizeof *t);
    t->door = dw_xcalloc(DOOR_SLOTS, sizeof *t->door);
    t->door_mask = DOOR_SLOTS - 1;
    t->cap = 256;
    t->slots = dw_xcalloc(t->cap, sizeof *t->slots);
}

void dw_texts_free(dw_texts *t)
{
    free(t->door);
    free(t->slots);
    free(t->arena);
    memset(t, 0, sizeof *t);
}

static const dw_text_slot *lookup(const dw_texts *t, uint64_t key)
{
    for (uint32_t i = (uint32_t)(key ^ (key >> 27)) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (t->slots[i].key == key) return &t->slots[i];
        if (!t->slots[i].key) return NULL;
    }
}

static void insert(dw_texts *t, dw_text_slot s)
{
    uint32_t i = (uint32_t)(s.key ^ (s.key >> 27)) & (t->cap - 1);
    while (t->slots[i].key) i = (i + 1) & (t->cap - 1);
    t->slots[i] = s;
}

void dw_texts_put(dw_texts *t, uint64_t key, const char *s, size_t n)
{
    if (!key || lookup(t, key)) return;
    if (n > DW_TEXTS_KEEP) {
        n = DW_TEXTS_KEEP;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) n--; /* cut on a character boundary */
    }
    if (t->len + n + 1 > DW_TEXTS_MAX_BYTES) return;
    if ((t->used + 1) * 2 > t->cap) {
        dw_text_slot *old = t->slots;
        uint32_t ocap = t->cap;
        t->cap *= 2;
        t->slots = dw_xcalloc(t->cap, sizeof *t->slots);
        for (uint32_t i = 0; i < ocap; i++)
            if (old[i].key) insert(t, old[i]);
        free(old);
    }
    if (t->len + n + 1 > t->arena_cap) {
        size_t nc = t->arena_cap ? t->arena_cap * 2 : 4096;
        while (nc < t->len + n + 1) nc *= 2;
        t->arena = dw_xrealloc(t->arena, nc);
        t->arena_cap = nc;
    }
    memcpy(t->arena + t->len, s, n);
    t->arena[t->len + n] = 0;
    insert(t, (dw_text_slot){key, (uint32_t)t->len, (uint32_t)n});
    t->used++;
    t->len += n + 1;
}

int dw_texts_wanted(dw_texts *t, uint64_t key)
{
    if (!key) return 0;
    uint64_t *d = &t->door[(key ^ (key >> 33)) & t->door_mask];
    if (*d != key) { *d = key; return 0; }
    return lookup(t, key) == NULL;
}

void dw_texts_offer(dw_texts *t, uint64_t key, const char *s, size_t n)
{
    if (s && dw_texts_wanted(t, key)) dw_texts_put(t, key, s, n);
}

const char *dw_texts_get(const dw_texts *t, uint64_t key)
{
    if (!key) return NULL;
    const dw_text_slot *s = lookup(t, key);
    return s ? t->arena + s->off : NULL;
}

size_t dw_texts_memory(const dw_texts *t)
{
    return DOOR_SLOTS * sizeof *t->door + (size_t)t->cap * sizeof *t->slots + t->arena_cap;
}
