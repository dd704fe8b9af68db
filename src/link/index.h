/*
 * index.h -- the link index: signal value -> the accounts that share it.
 *
 * Two numbers matter for a value: how many accounts have it (its rarity,
 * which is what a shared value is worth as evidence) and who they are (the
 * candidates to compare).  The count is exact.  The list of who is a
 * bounded sample: the `cap` accounts with the smallest priority, where an
 * account's priority for a value is a hash of (account, value).  So:
 *
 *  - a common value ("You are a helpful assistant.", a campus NAT address,
 *    the latest SDK) costs O(cap) memory, not O(accounts), and comparing a
 *    newcomer with its W nearest sample members in priority order costs
 *    O(W): no posting list is ever expanded pairwise, there is no
 *    O(accounts^2) step anywhere;
 *  - the sample is a pure function of the set of accounts that have the
 *    value, not of their arrival order, so a rebuild from saved state
 *    reproduces it exactly;
 *  - the nearest-in-priority neighbours of an account are a uniform random
 *    sample of the list, so a campaign that makes up 30% of a common value's
 *    accounts gets ~30% of the comparisons -- enough edges to hold it together.
 *
 * A value held by one account takes one 24-byte slot and no allocation,
 * which matters because most values (an account's own home address, its own
 * card) are never shared.
 */
#ifndef DW_LINK_INDEX_H
#define DW_LINK_INDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct dw_lk_entry {
    uint32_t acct;
    uint32_t prio;
} dw_lk_entry;

typedef struct dw_lk_slot {
    uint64_t key;        /* 0 = empty */
    uint32_t n;          /* accounts registered with this value */
    uint32_t ref;        /* n == 1: the account; n >= 2: index into lists */
    uint32_t prio;       /* n == 1: that account's priority */
    uint32_t pad_;
} dw_lk_slot;

typedef struct dw_lk_list {
    uint32_t len, cap;
    dw_lk_entry *e;      /* sorted by (prio, acct) */
} dw_lk_list;

typedef struct dw_lk_index {
    dw_lk_slot *slots;
    uint32_t cap, used;  /* cap is a power of two */
    dw_lk_list *lists;
    uint32_t nlists, lists_cap;
    uint32_t sample_cap;
    size_t entry_bytes;  /* bytes held by list entries, for memory reports */
} dw_lk_index;

void dw_lk_init(dw_lk_index *x, uint32_t sample_cap);
void dw_lk_free(dw_lk_index *x);
void dw_lk_clear(dw_lk_index *x);

/* The priority of account `acct_hash` for value `key`. */
static inline uint32_t dw_lk_prio(uint64_t acct_hash, uint64_t key)
{
    uint64_t z = acct_hash ^ (key * 0x9e3779b97f4a7c15ULL);
    z ^= z >> 33; z *= 0xff51afd7ed558ccdULL; z ^= z >> 33;
    return (uint32_t)(z >> 32);
}

/* Register account `acct` (priority `prio`) under `key`; returns the new count. */
uint32_t dw_lk_add(dw_lk_index *x, uint64_t key, uint32_t acct, uint32_t prio);
/* Accounts registered under key. */
uint32_t dw_lk_count(const dw_lk_index *x, uint64_t key);
/* Up to `w` sample members nearest to `prio` (excluding `self`), into out;
 * returns how many. */
size_t dw_lk_near(const dw_lk_index *x, uint64_t key, uint32_t prio, uint32_t self, size_t w, uint32_t *out);
/* Move everything registered under `from` to `to` (families merging). */
void dw_lk_merge(dw_lk_index *x, uint64_t from, uint64_t to, uint64_t (*acct_hash)(void *, uint32_t), void *ud);
size_t dw_lk_memory(const dw_lk_index *x);

#endif
