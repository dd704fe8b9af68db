/*
 * family.h -- paraphrase families of system prompts.
 *
 * An exact system-prompt hash links the accounts that use one wording; an
 * operator who gives each account its own wording defeats it.  Wordings of
 * one harness still share most of their words, so the registry groups the
 * distinct system prompts it has seen into families: two prompts whose
 * MinHash sketches estimate a Jaccard similarity >= DW_FAMILY_J join one
 * family (0.4: one clause of a three-clause prompt reworded gives ~0.45 on
 * word 3-shingles; two prompts that share only a stock phrase give < 0.2) (union-find, so a family is a connected set of paraphrases, each
 * close to at least one other).  The family is then a signal value like any
 * other: accounts register under it, and its rarity is the number of
 * accounts using any member wording.
 *
 * Which prompts are compared: locality-sensitive hashing over the sketch
 * (16 bands of 2 positions), so a new prompt meets the few earlier prompts
 * that collide with it in some band -- a pair at J = 0.5 collides with
 * probability 0.99, at J = 0.1 with 0.15 -- and the candidates are checked
 * with the full 32-position estimate.
 *
 * Short prompts ("You are a helpful assistant.") join no family: with fewer
 * than 8 shingles, a two-word edit changes half of them, and chains of such
 * edits would weld every short prompt into one family.  They still link by
 * exact hash.  Only prompts that are dominant in some account enter the
 * registry, so its size is bounded by the accounts, not by the requests.
 */
#ifndef DW_LINK_FAMILY_H
#define DW_LINK_FAMILY_H

#include <stddef.h>
#include <stdint.h>
#include "link/index.h"
#include "link/minhash.h"

#define DW_FAMILY_J 0.4
#define DW_FAMILY_MIN_SHINGLES 8

typedef struct dw_family_entry {
    uint64_t hash;
    dw_minhash mh;
    uint32_t parent;        /* union-find */
    uint32_t size;          /* prompts in the family (at the root) */
} dw_family_entry;

typedef struct dw_family {
    dw_family_entry *v;
    uint32_t n, cap;
    uint32_t *map;          /* open addressing: hash -> index + 1 */
    uint32_t map_cap;
    dw_lk_index bands;      /* band key -> prompts */
} dw_family;

/* Called when two families merge: `from` root is now under `to` root. */
typedef void (*dw_family_merge_fn)(void *ud, uint32_t from, uint32_t to);

void dw_family_init(dw_family *f);
void dw_family_free(dw_family *f);
/* Index of prompt `hash`, or UINT32_MAX when not registered. */
uint32_t dw_family_find(const dw_family *f, uint64_t hash);
/* Register a prompt (no-op when present); returns its index. */
uint32_t dw_family_add(dw_family *f, uint64_t hash, const dw_minhash *mh, dw_family_merge_fn fn, void *ud);
/* Root of prompt `i` (its family id). */
uint32_t dw_family_root(dw_family *f, uint32_t i);
/* Whether a sketch has enough shingles to join a family. */
int dw_family_eligible(const dw_minhash *mh);
size_t dw_family_memory(const dw_family *f);

#endif
