/*
 * link.h -- the link stage: which accounts are one operator.
 *
 * Input: every observation, after account state (so the fingerprint can
 * read the account's own counters).  Output: weighted edges between
 * accounts, for the campaign stage to cluster.
 *
 * How a pair is judged.  This is record linkage in the Fellegi-Sunter
 * tradition: each kind of evidence the two accounts agree on adds a weight,
 * the log of how much likelier that agreement is for one operator than for
 * two strangers.  For an exact value the stranger probability is the share
 * of accounts holding it, so the weight is log(N / n) -- an IDF.  A card
 * two accounts in a million share weighs ~13 nats; "You are a helpful
 * assistant.", used by a third of all accounts, weighs ~1; a campus NAT
 * address, by 200 of 50,000 accounts, ~5.5.  For times (created in the same
 * hour, moved to a new model in the same hours, first active together) the
 * evidence is how far the accounts around that time exceed the background
 * rate (a burst), read off the index's counts.
 *
 * Corroboration: an edge needs `min_kinds` independent kinds, each with at
 * least `kind_min` nats, and `edge_min` nats in total, with no kind counting
 * more than `kind_cap`.  Kinds are grouped so that one fact cannot count
 * twice: an exact system prompt, its paraphrase family and the tools schema
 * sent with it are one kind (the harness; every user of a popular agent
 * sends that agent's prompt and tools together); creation bursts are one
 * kind (sign-up); first activity, model pivot and hourly activity pattern
 * are one kind (timing).  Two facts that follow geography -- the ASN and the
 * e-mail domain -- are not evidence at all: compatriots share a national
 * carrier and a national free-mail provider without sharing an operator.
 * A weight is also discounted when one operator's accounts agree on it only
 * part of the time (m < 1: a client build, a creation window).  So a campus
 * (network) whose students use the same client linking on two kinds is
 * possible -- it is then judged by what it sends, as one group, which is
 * benign -- while 500 strangers behind one NAT never link on the address.
 *
 * Which pairs are judged: candidates come from the index (index.h) -- when
 * an account registers a value, it meets the `compare_w` accounts nearest
 * to it in that value's sample -- and the pair is then judged on the two
 * full fingerprints, so corroboration from every kind is checked whatever
 * value produced the candidate.  Work per registration is bounded by
 * (values x compare_w); an account registers at 8, 12, 18, ... requests
 * (x1.5), so its total work is O(log requests).
 */
#ifndef DW_LINK_H
#define DW_LINK_H

#include <stddef.h>
#include <stdint.h>
#include "distillwatch.h"
#include "state/table.h"
#include "link/fingerprint.h"
#include "link/texts.h"

typedef enum {
    DW_LK_PAYMENT = 0,  /* payment fingerprint */
    DW_LK_NETWORK,      /* /24-/48 prefix */
    DW_LK_CLIENT,       /* user agent + SDK headers + header set */
    DW_LK_SYSTEM,       /* the harness: exact system prompt, its paraphrase family, tools schema */
    DW_LK_TEMPLATE,     /* prompt template signature */
    DW_LK_TOOLS,        /* (folded into DW_LK_SYSTEM; kept so kind names stay stable) */
    DW_LK_SIGNUP,       /* created in the same burst */
    DW_LK_TIMING,       /* first active together, pivoted together, same active hours */
    DW_LK_BANK,         /* distinct items drawn from one kind of question bank */
    DW_LK__COUNT
} dw_link_kind;

const char *dw_link_kind_name(dw_link_kind k);

typedef struct dw_link_params {
    double kind_min;        /* nats for a kind to count as corroboration */
    double kind_cap;        /* most nats one kind can add */
    double edge_min;        /* nats for an edge */
    int min_kinds;          /* independent kinds an edge needs */
    uint32_t sample_cap;    /* accounts listed per value */
    uint32_t compare_w;     /* comparisons per value per registration */
} dw_link_params;

void dw_link_params_default(dw_link_params *p);

typedef struct dw_link_pair {
    float w[DW_LK__COUNT];  /* nats per kind (capped) */
    float total;
    int kinds;              /* kinds with w >= kind_min */
} dw_link_pair;

typedef struct dw_link_edge {
    uint32_t a, b;          /* account indices, a < b */
    float w;                /* total nats */
    uint16_t mask;          /* kinds that counted (bit per dw_link_kind) */
} dw_link_edge;

typedef void (*dw_link_edge_fn)(void *ud, const dw_link_edge *e);

typedef struct dw_link dw_link;

/* An account gets a fingerprint at its this-many-th request; one with fewer
 * is unknown to the link stage (serve may evict it, see engine.c). */
#define DW_LINK_FP_REQUESTS 4

dw_link *dw_link_new(const dw_link_params *p);
void dw_link_free(dw_link *L);

/* Before reordering, while the event's text is in view: offer the texts of
 * its values (system prompt, template ends, user agent) to the text store. */
void dw_link_note_event(dw_link *L, const dw_event *ev, const dw_features *f);

/* Fold an observation into its account's fingerprint (the account state has
 * already been updated).  Returns 1 when the account is due to register. */
int dw_link_observe(dw_link *L, const dw_account_table *t, const dw_obs *o, const dw_link_ctx *ctx);

/* Register the account's current values and judge it against the
 * candidates its new values bring; every pair that passes goes to fn. */
void dw_link_register(dw_link *L, const dw_account_table *t, uint32_t acct, dw_link_edge_fn fn, void *ud);

/* Rebuild the index from the fingerprints alone and judge every account
 * against its candidates: a pure function of the fingerprints (and the
 * system-prompt registry), so final results do not depend on how the input
 * was split across runs.  Pairs may be reported twice. */
void dw_link_rebuild(dw_link *L, const dw_account_table *t, dw_link_edge_fn fn, void *ud);

/* When traffic began (first-activity bursts are only meaningful after it). */
void dw_link_set_traffic_start(dw_link *L, int64_t ms);
int64_t dw_link_traffic_start(const dw_link *L);

/* Judge one pair now.  Returns 1 when it makes an edge. */
int dw_link_compare(dw_link *L, const dw_account_table *t, uint32_t x, uint32_t y, dw_link_pair *out);

/* The account's fingerprint, or NULL when it has none (too few requests). */
const dw_link_fp *dw_link_fp_of(const dw_link *L, uint32_t acct);
/* Give account `acct` a fingerprint (restoring from a store). */
dw_link_fp *dw_link_fp_alloc(dw_link *L, uint32_t acct);

/* Values, for evidence and indicators. */
uint32_t dw_link_value_count(const dw_link *L, int kind_tag, uint64_t value);
uint32_t dw_link_population(const dw_link *L);          /* accounts with a fingerprint */
const dw_texts *dw_link_texts(const dw_link *L);
dw_texts *dw_link_texts_mut(dw_link *L);
/* Family id (registry root + 1) of a system prompt, 0 when none. */
uint32_t dw_link_family_of(dw_link *L, uint64_t sys_hash);
/* Distinct wordings in family `fid`. */
uint32_t dw_link_family_size(const dw_link *L, uint32_t fid);
/* The registry, in insertion order, for the store: hash and sketch of prompt i. */
uint32_t dw_link_registry_size(const dw_link *L);
void dw_link_registry_get(const dw_link *L, uint32_t i, uint64_t *hash, dw_minhash *mh);
void dw_link_registry_add(dw_link *L, uint64_t hash, const dw_minhash *mh);

/* The store (persist.c): tables, load (after the accounts), save (before
 * the accounts, whose dirty flags say which fingerprints changed). */
struct sqlite3;
struct dw_campaigns;
int dw_link_store_schema(struct sqlite3 *db, char *err, size_t errlen);
int dw_link_store_load(struct sqlite3 *db, dw_link *L, struct dw_campaigns *C, const dw_account_table *t, char *err,
                       size_t errlen);
int dw_link_store_save(struct sqlite3 *db, dw_link *L, const struct dw_campaigns *C, const dw_account_table *t, char *err,
                       size_t errlen);

/* Bytes held by the link stage (fingerprints, index, registry, texts). */
size_t dw_link_memory(const dw_link *L);
size_t dw_link_fp_memory(const dw_link *L);

/* Index tags, for dw_link_value_count. */
enum {
    DW_TAG_PAY = 1, DW_TAG_PFX, DW_TAG_ASN, DW_TAG_CLIENT, DW_TAG_SYS, DW_TAG_FAM, DW_TAG_TPL, DW_TAG_TOOLS,
    DW_TAG_CREATED, DW_TAG_EMAIL, DW_TAG_FIRST, DW_TAG_PIVOT, DW_TAG_BANK, DW_TAG__COUNT
};

#endif
