/*
 * family.c -- the system-prompt registry and its paraphrase families
 * (see family.h).  Union by size with path halving; the root of a family is
 * the representative the link index registers accounts under.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "link/family.h"
#include "common/util.h"

#define BANDS 16
#define ROWS (DW_MH_K / BANDS)

void dw_family_init(dw_family *f)
{
    memset(f, 0, sizeof *f);
    f->map_cap = 256;
    f->map = dw_xcalloc(f->map_cap, sizeof *f->map);
    dw_lk_init(&f->bands, 32);
}

void dw_family_free(dw_family *f)
{
    free(f->v);
    free(f->map);
    dw_lk_free(&f->bands);
    memset(f, 0, sizeof *f);
}

static uint32_t slot_of(const dw_family *f, uint64_t hash)
{
    return (uint32_t)(hash ^ (hash >> 31)) & (f->map_cap - 1);
}

uint32_t dw_family_find(const dw_family *f, uint64_t hash)
{
    for (uint32_t i = slot_of(f, hash);; i = (i + 1) & (f->map_cap - 1)) {
        uint32_t r = f->map[i];
        if (!r) return UINT32_MAX;
        if (f->v[r - 1].hash == hash) return r - 1;
    }
}

static void map_put(dw_family *f, uint64_t hash, uint32_t idx)
{
    uint32_t i = slot_of(f, hash);
    while (f->map[i]) i = (i + 1) & (f->map_cap - 1);
    f->map[i] = idx + 1;
}

uint32_t dw_family_root(dw_family *f, uint32_t i)
{
    while (f->v[i].parent != i) {
        f->v[i].parent = f->v[f->v[i].parent].parent;
        i = f->v[i].parent;
    }
    return i;
}

int dw_family_eligible(const dw_minhash *mh) { return mh->shingles >= DW_FAMILY_MIN_SHINGLES; }

static uint64_t band_key(const dw_minhash *mh, int b)
{
    uint64_t k = 0xFA3117ULL + (uint64_t)b;
    for (int r = 0; r < ROWS; r++) k = dw_mix64(k ^ mh->v[b * ROWS + r]);
    return k | 1;
}

uint32_t dw_family_add(dw_family *f, uint64_t hash, const dw_minhash *mh, dw_family_merge_fn fn, void *ud)
{
    uint32_t have = dw_family_find(f, hash);
    if (have != UINT32_MAX) return have;
    if ((f->n + 1) * 2 > f->map_cap) {
        free(f->map);
        f->map_cap *= 2;
        f->map = dw_xcalloc(f->map_cap, sizeof *f->map);
        for (uint32_t i = 0; i < f->n; i++) map_put(f, f->v[i].hash, i);
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 64;
        f->v = dw_xrealloc(f->v, f->cap * sizeof *f->v);
    }
    uint32_t idx = f->n++;
    dw_family_entry *e = &f->v[idx];
    e->hash = hash;
    e->mh = *mh;
    e->parent = idx;
    e->size = 1;
    map_put(f, hash, idx);
    if (!dw_family_eligible(mh)) return idx;
    for (int b = 0; b < BANDS; b++) {
        uint64_t key = band_key(mh, b);
        uint32_t cand[8];
        size_t nc = dw_lk_near(&f->bands, key, dw_lk_prio(hash, key), idx, 8, cand);
        for (size_t c = 0; c < nc; c++) {
            if (dw_minhash_jaccard(&f->v[idx].mh, &f->v[cand[c]].mh) < DW_FAMILY_J) continue;
            uint32_t ra = dw_family_root(f, idx), rb = dw_family_root(f, cand[c]);
            if (ra == rb) continue;
            /* union by size; the smaller family moves */
            if (f->v[ra].size > f->v[rb].size || (f->v[ra].size == f->v[rb].size && ra < rb)) {
                uint32_t t = ra; ra = rb; rb = t;
            }
            f->v[ra].parent = rb;
            f->v[rb].size += f->v[ra].size;
            if (fn) fn(ud, ra, rb);
        }
        dw_lk_add(&f->bands, key, idx, dw_lk_prio(hash, key));
    }
    return idx;
}

size_t dw_family_memory(const dw_family *f)
{
    return (size_t)f->cap * sizeof *f->v + (size_t)f->map_cap * sizeof *f->map + dw_lk_memory(&f->bands);
}
