/*
 * fingerprint.h -- what one account looks like to the link stage.
 *
 * Two accounts are run by one operator when they share things an operator
 * shares across its accounts and strangers rarely share: a payment card, an
 * egress network, a client build, a system prompt (or a paraphrase of it),
 * a prompt template, a private tools schema, the hour they were created or
 * first used, the hour they moved to a new model, a way of drawing questions
 * from a bank.  The fingerprint keeps, per kind of evidence, the account's
 * *dominant* values only -- the ones that make up a real share of its
 * traffic -- because a value seen once is noise, and a fixed number of slots
 * keeps the state small whatever the account sends.
 *
 * Dominant values are tracked with Misra-Gries summaries (k = 1 or 2 slots):
 * a value that makes up more than 1/(k+1) of the stream is guaranteed to be
 * in a slot, in O(1) per update and with no allocation.  The network slots
 * track the /24 (IPv4) or /48 (IPv6) prefix and remember the latest full
 * address in it, so that campaigns can list addresses as indicators.
 *
 * Things the account state already holds (payment fingerprint, creation
 * time, first request, the reasoning-demand count, single-turn share) are
 * read from dw_account rather than copied.  Size: see DW_LINK_FP_BYTES and
 * docs/benchmarks.md; the state is allocated only for accounts that reach
 * DW_LINK_MIN_REQUESTS requests, because an account with a handful of
 * requests has no dominant values to compare.
 */
#ifndef DW_LINK_FINGERPRINT_H
#define DW_LINK_FINGERPRINT_H

#include <stdint.h>
#include "state/account.h"

#define DW_LINK_MIN_REQUESTS 8
#define DW_LINK_NO_TIME INT32_MIN

typedef struct dw_link_fp {
    uint64_t sys[2];            /* dominant system prompts (normalized hash) */
    uint64_t tpl[2];            /* dominant template signatures (prefix or suffix) */
    uint64_t client;            /* dominant client fingerprint (UA + SDK + header set) */
    uint64_t tools;             /* dominant tools schema */
    uint64_t act[2];            /* activity: one bit per hour, a ring of 128 hours */
    uint8_t  ip[2][16];         /* latest address seen in each dominant prefix */
    int32_t  act_hour;          /* hour (since the epoch) of the newest bit in act */
    int32_t  pivot_min;         /* first request to a newly released model, minutes since the epoch */
    uint32_t reg_at;            /* request count at the last registration */
    uint32_t len_log;           /* sum over prompts of 8 x log2(characters + 1) */
    uint16_t sys_c[2], tpl_c[2], client_c, tools_c, ip_c[2];
    uint16_t prompts;           /* prompts seen (saturating), and of those: */
    uint16_t digits, questions, lines;
    uint16_t pivot_new, pivot_all;  /* requests in the 24 h after the pivot, and to the new model */
    uint32_t reg_flags;         /* which values are registered in the index (link.c) */
    uint32_t bank_cell;         /* question-bank cell registered (0 = none) */
    uint32_t bank_near;         /* accounts with a profile close to this one (estimate) */
    uint32_t family[2];         /* system-prompt family registered for sys[0..1] (registry root + 1) */
} dw_link_fp;

#define DW_LINK_FP_BYTES sizeof(dw_link_fp)

/* Context an update needs from the rest of the engine. */
typedef struct dw_link_ctx {
    int model_is_release;       /* the request's model appeared after traffic began */
    int64_t model_first_seen;   /* when it appeared */
    int64_t traffic_start_ms;   /* when traffic began */
} dw_link_ctx;

void dw_link_fp_init(dw_link_fp *fp);
void dw_link_fp_observe(dw_link_fp *fp, const dw_account *a, const dw_obs *o, const dw_link_ctx *ctx);

/* The /24 (IPv4) or /48 (IPv6) prefix of an address as a key (0 = none). */
uint64_t dw_link_prefix_key(const uint8_t ip[16]);
static inline int dw_link_ip_is_v4(const uint8_t ip[16])
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    for (int i = 0; i < 12; i++)
        if (ip[i] != mapped[i]) return 0;
    return 1;
}
/* Text form of an address / its prefix ("203.0.113.0/24"). */
void dw_link_ip_text(const uint8_t ip[16], char *out, size_t cap);
void dw_link_prefix_text(const uint8_t ip[16], char *out, size_t cap);

/* Question-bank profile.  An operator who splits one bank of questions
 * between accounts runs one harness on all of them: the same share of
 * one-shot requests, of items with numbers, phrased as questions, demanding
 * the reasoning, with a system prompt, with a large budget, of the same
 * length -- while the items themselves never repeat.  The profile is that
 * vector of shares (length as log2 characters / 12); it exists only for an
 * account that looks like it draws from a bank (>= 16 prompts, nearly all
 * distinct).  Returns the number of prompts it rests on, 0 when none. */
#define DW_BANK_DIMS 7
uint32_t dw_link_bank_profile(const dw_link_fp *fp, const dw_account *a, double out[DW_BANK_DIMS]);
/* Coarse cell of the profile, for finding candidates (0 = no profile). */
uint32_t dw_link_bank_cell(const dw_link_fp *fp, const dw_account *a);
/* Whether two profiles agree within sampling error on every dimension. */
int dw_link_bank_close(const double x[DW_BANK_DIMS], uint32_t nx, const double y[DW_BANK_DIMS], uint32_t ny);

/* Activity similarity of two accounts over the hours both rings cover, from
 * hour `since` on (both accounts existed): returns the number of hours
 * compared and sets *both / *either / the hours each was active. */
int dw_link_activity_overlap(const dw_link_fp *x, const dw_link_fp *y, int32_t since, int *both, int *either, int *active_x,
                             int *active_y);

#endif
