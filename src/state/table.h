/*
 * table.h -- the account table, the model table and the string arena.
 *
 * Accounts live in one growable array and are found through an
 * open-addressing index keyed by the xxh3 of the id; everything else refers
 * to an account by its array index, which never changes (pointers would be
 * invalidated by growth).  Account ids and other interned strings live in an
 * append-only arena of large blocks: one allocation per 1 MiB instead of one
 * per account, and no per-string header, which is what keeps an idle
 * account within its memory budget.
 *
 * A long-running daemon may release an account (serve's eviction, see
 * engine.c): its slot leaves the hash index and goes on a free list, and the
 * next new account reuses the slot -- and so its index, which is why only an
 * account nothing else refers to may be released.  Strings of a reused slot
 * are malloc'd rather than taken from the arena, so that releasing and
 * reusing slots forever does not grow the arena.  A batch run never
 * releases, and then nothing here differs from a table without the feature.
 */
#ifndef DW_TABLE_H
#define DW_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "state/account.h"

typedef struct dw_arena_block dw_arena_block;
typedef struct dw_arena {
    dw_arena_block *head;
    size_t used, cap;
    size_t total;            /* bytes handed out, for memory reports */
} dw_arena;

const char *dw_arena_strndup(dw_arena *a, const char *s, size_t n);
void dw_arena_free(dw_arena *a);

typedef struct dw_account_table {
    dw_account *v;
    const char **ids;        /* v[i].id again, packed: a lookup compares ids
                              * without touching the 440-byte account, which
                              * the event will need only a reorder window later */
    uint32_t n, cap;
    uint64_t *index;         /* slot -> account index + 1 (0 = empty), and in the
                              * high half the high half of the id's hash: a probe
                              * rejects another account without reading it */
    uint32_t index_cap;      /* power of two */
    dw_arena strings;
    uint32_t *free_slots;    /* released slots, reused first */
    uint32_t nfree, free_cap;
} dw_account_table;

/* dw_account.slot bits */
#define DW_SLOT_ID_HEAP 1u      /* id is malloc'd (a reused slot) */
#define DW_SLOT_PAY_HEAP 2u     /* payment is malloc'd */
#define DW_SLOT_VACANT 0x80u    /* released: no account here */

void dw_accounts_init(dw_account_table *t);
void dw_accounts_free(dw_account_table *t);
/* Index of account `id`, creating it when absent (then *created = 1). */
uint32_t dw_accounts_intern(dw_account_table *t, const char *id, size_t n, int *created);
/* The same, for a caller that already holds dw_hash(id, n). */
uint32_t dw_accounts_intern_hashed(dw_account_table *t, const char *id, size_t n, uint64_t h, int *created);
/* An index entry: account i + 1 in the low half, the high half of the id's
 * hash in the high half (its tag). */
static inline uint64_t dw_index_entry(uint64_t h, uint32_t i) { return (h >> 32 << 32) | (uint64_t)(i + 1); }
static inline int dw_index_tag_is(uint64_t e, uint64_t h) { return (uint32_t)(e >> 32) == (uint32_t)(h >> 32); }

/* Start loading the index slot of hash h (the first step of a lookup). */
static inline __attribute__((always_inline)) void dw_accounts_prefetch_slot(const dw_account_table *t, uint64_t h)
{
    __builtin_prefetch(&t->index[(uint32_t)h & (t->index_cap - 1)]);
}
/* Start loading the id that hash h most likely names (the first one its
 * probe meets), so that an intern a little later finds it in cache: among
 * millions of accounts, the probe would otherwise wait on memory for every
 * event.  Always inlined, because GCC deletes calls to a function whose
 * only effect is a prefetch (it finds it "pure"). */
static inline __attribute__((always_inline)) void dw_accounts_prefetch(const dw_account_table *t, uint64_t h)
{
    uint32_t mask = t->index_cap - 1;
    for (uint32_t s = (uint32_t)h & mask;; s = (s + 1) & mask) {
        uint64_t e = t->index[s];
        if (!e) return;
        if (dw_index_tag_is(e, h)) {
            __builtin_prefetch(t->ids[(uint32_t)e - 1]);
            return;
        }
    }
}
/* Index of account `id`, or UINT32_MAX. */
uint32_t dw_accounts_find(const dw_account_table *t, const char *id, size_t n);
/* Release account i: out of the index, its slot free for the next new
 * account.  The caller makes sure nothing refers to index i any more. */
void dw_accounts_release(dw_account_table *t, uint32_t i);
/* Accounts present (slots in use). */
static inline uint32_t dw_accounts_live(const dw_account_table *t) { return t->n - t->nfree; }
/* Set account i's payment fingerprint to a malloc'd copy (a reloaded account). */
void dw_accounts_set_payment(dw_account_table *t, uint32_t i, const char *s, size_t n);
/* Bytes the accounts use (states, index, id strings). */
size_t dw_accounts_memory(const dw_account_table *t);

#define DW_MAX_MODELS 4096
typedef struct dw_model {
    const char *name;
    uint32_t len;
    uint64_t hash;
    int64_t first_seen;      /* event time of its first request (after reorder) */
    uint64_t requests;
} dw_model;

typedef struct dw_model_table {
    dw_model v[DW_MAX_MODELS];
    uint32_t n;              /* v[0] is "no model" */
    uint16_t last;           /* the model named last (0 = none): logs name one model again and again */
    /* open addressing by name hash, model index (0 = empty): a log that names
     * thousands of models must not make every event scan them all */
    uint16_t index[2 * DW_MAX_MODELS];
} dw_model_table;

void dw_models_init(dw_model_table *m);
/* Index of model `name` (0 when absent or the table is full). */
uint16_t dw_models_intern(dw_model_table *m, dw_arena *strings, const char *name, size_t n);

#endif
