/* link_int.h -- the link stage's insides, shared by link.c and evidence.c. */
#ifndef DW_LINK_INT_H
#define DW_LINK_INT_H

#include "link/link.h"
#include "link/index.h"
#include "link/family.h"

/* Time windows (hours) within which two accounts "coincide". */
#define DW_CREATED_WINDOW_H 3
#define DW_FIRST_WINDOW_H   1
#define DW_PIVOT_WINDOW_H   3

struct dw_link {
    dw_link_params p;
    dw_link_fp *fp;
    uint32_t nfp, fp_cap;
    uint32_t *slot_of;          /* account -> fingerprint index + 1 (0 = none) */
    uint32_t slot_cap;
    uint32_t *acct_of;          /* fingerprint index -> account */
    dw_lk_index idx;
    dw_family fam;
    dw_texts texts;
    uint32_t tag_n[DW_TAG__COUNT];  /* accounts registered with a value of each tag */
    uint32_t registered;        /* accounts registered at all */
    int64_t bmin[DW_TAG__COUNT], bmax[DW_TAG__COUNT];  /* time tags: range of registered buckets */
    int64_t traffic_start_ms;   /* first event time (DW_TS_NONE before any) */
    const dw_account_table *t;  /* valid during a call */
    uint32_t reg_saved;         /* registry entries already in the store */
    size_t texts_saved;         /* text bytes already in the store */
    uint32_t *cand;
    size_t cand_cap;
};

static inline uint64_t dw_link_key(int tag, uint64_t v)
{
    uint64_t z = v * 0x9e3779b97f4a7c15ULL + (uint64_t)tag * 0xbf58476d1ce4e5b9ULL;
    z ^= z >> 31; z *= 0x94d049bb133111ebULL; z ^= z >> 29;
    return z | 1;
}

static inline dw_link_fp *dw_link_fp_at(const dw_link *L, uint32_t acct)
{
    return acct < L->slot_cap && L->slot_of[acct] ? &L->fp[L->slot_of[acct] - 1] : NULL;
}

/* Hour index of a time in ms (floor). */
static inline int64_t dw_link_hour(int64_t ms) { return ms >= 0 ? ms / 3600000 : -((-ms + 3599999) / 3600000); }

/* First activity this long after traffic began is a start, not the log's edge. */
#define DW_FIRST_AFTER_MS (24LL * 3600 * 1000)

/* Accounts registered under tag within +-w hour buckets of hour h. */
uint32_t dw_link_near_count(const dw_link *L, int tag, int64_t h, int w);

#endif
