/*
 * engine.c -- the pipeline, one event at a time.
 *
 *   line -> decode -> enrich -> reorder -> account state -> score -> alert
 *
 * This file is the only place that knows the order of the stages; each stage
 * owns its data and none calls back into an earlier one.  Batch (`scan`) and
 * the daemon run exactly this code: batch is a stream that happens to end,
 * which is why alerts are decided on arrival, from the state as it stands at
 * that event's time, and final verdicts are a separate pass at the end.
 *
 * Scoring an account costs a few hundred nanoseconds, so it is not done on
 * every request: an account is re-assessed when its request count has grown
 * by a quarter (and at least 8) since the last assessment.  That bounds the
 * work per account to O(log requests) assessments while an escalation is
 * still caught within 25% of the traffic that caused it.
 *
 * Eviction (serve only).  A daemon that sees a steady stream of new account
 * ids would keep every one of them in memory forever, so serve caps the
 * accounts held in memory ([state] max_accounts).  Over the cap, the least
 * recently seen accounts *that nothing else refers to* move to the store:
 * allowed and never alerted (so no alert, verdict or throttle depends on
 * them), without a link fingerprint (fewer than DW_LINK_FP_REQUESTS
 * requests, so no link index entry, graph edge or campaign holds their
 * index), and with no event waiting in the reorder buffer.  Their slot is
 * then reused.  When such an id is seen again, its state is read back before
 * the event is applied, so the account continues exactly where it left off;
 * /v1/check reads an evicted account's verdict from the store without
 * reloading it.  A fixed-size Bloom filter of evicted ids keeps new ids from
 * costing a store look-up each.  Accounts that do have a fingerprint stay in
 * memory: the link index samples them by index, and taking them out would
 * change which pairs are compared, so the cap bounds light and one-off
 * accounts -- the ones a flood of fresh ids is made of -- and not accounts
 * with a history.  scan never evicts.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "pipeline/engine_int.h"
#include "source/reader.h"
#include "common/buf.h"
#include "common/util.h"

dw_engine *dw_engine_new(const dw_config *cfg, char *err, size_t errlen)
{
    dw_engine *e = dw_xcalloc(1, sizeof *e);
    if (cfg) e->cfg = *cfg;
    else {
        dw_config *d = dw_config_new();
        e->cfg = *d;
        dw_config_free(d);
    }
    e->pats = dw_patterns_load(NULL, err, errlen);
    if (!e->pats) { free(e); return NULL; }
    e->en = dw_enricher_new(e->pats);
    if (!e->en) { snprintf(err, errlen, "cannot create pattern scratch"); dw_patterns_free(e->pats); free(e); return NULL; }
    dw_enricher_set_link(e->en, e->cfg.link_enabled);
    dw_accounts_init(&e->accts);
    dw_models_init(&e->models);
    dw_reorder_init(&e->ro, (int64_t)(e->cfg.reorder_window_s * 1000), e->cfg.max_buffered_events);
    e->traffic_start_ms = DW_TS_NONE;
    e->last_release_ms = DW_TS_NONE;
    /* issue 4: link and campaign stages, parameters from the configuration */
    dw_link_params lp;
    dw_link_params_default(&lp);
    lp.kind_min = e->cfg.link_kind_min;
    lp.kind_cap = e->cfg.link_kind_cap;
    lp.edge_min = e->cfg.link_edge_min;
    lp.min_kinds = e->cfg.link_min_kinds;
    e->link = dw_link_new(&lp);
    dw_campaign_params cp;
    dw_campaign_params_default(&cp);
    cp.resolution = e->cfg.campaign_resolution;
    cp.min_accounts = (uint32_t)e->cfg.campaign_min_accounts;
    e->camps = dw_campaigns_new(&cp);
    return e;
}

void dw_engine_free(dw_engine *e)
{
    if (!e) return;
    if (e->store) dw_store_close(e->store);
    for (size_t i = 0; i < e->nalerts; i++) {
        free(e->alerts[i].request_id);
        free(e->alerts[i].reason);
        free(e->alerts[i].campaign_id);
    }
    dw_campaigns_free(e->camps);
    dw_link_free(e->link);
    free(e->alerts);
    if (e->q_jsonl) fclose(e->q_jsonl);
    if (e->q_raw) fclose(e->q_raw);
    dw_reorder_free(&e->ro);
    dw_accounts_free(&e->accts);
    dw_enricher_free(e->en);
    dw_patterns_free(e->pats);
    dw_decoder_free(e->acct_decoder);
    free(e->bloom);
    free(e);
}

dw_stats dw_engine_stats(const dw_engine *e)
{
    dw_stats s = e->st;
    s.accounts = 0;
    for (uint32_t i = 0; i < e->accts.n; i++) s.accounts += e->accts.v[i].requests > 0;
    s.events_late = e->ro.late;
    s.alerts = e->nalerts;
    return s;
}

int dw_engine_lookup(const dw_engine *e, const char *id, dw_verdict *verdict, double *score)
{
    uint32_t i = dw_accounts_find(&e->accts, id, strlen(id));
    if (i == UINT32_MAX) return -1;
    if (verdict) *verdict = (dw_verdict)e->accts.v[i].verdict;
    if (score) *score = e->accts.v[i].score;
    return 0;
}

void dw_engine_assess(const dw_engine *e, const dw_account *a, dw_assessment *as)
{
    /* issue 4: the account's campaign, if any, enters as coordination evidence */
    double link = 0;
    const dw_campaign *c = dw_campaign_of(e->camps, (uint32_t)(a - e->accts.v), &link);
    dw_campaign_ctx ctx;
    dw_campaign_member_ctx(c, link, &ctx);
    dw_assess_ctx(&e->cfg, a, &e->pop, &ctx, as);
}

void dw_engine_campaign_env(const dw_engine *e, dw_campaign_env *env)
{
    env->cfg = &e->cfg;
    env->accts = &e->accts;
    env->pop = &e->pop;
    env->link = e->link;
}

static dw_alert *new_alert(dw_engine *e, const dw_obs *o, uint32_t acct, int verdict, double score, const char *reason,
                           const char *campaign_id)
{
    if (e->nalerts == e->alerts_cap) {
        e->alerts_cap = e->alerts_cap ? e->alerts_cap * 2 : 256;
        e->alerts = dw_xrealloc(e->alerts, e->alerts_cap * sizeof *e->alerts);
    }
    dw_alert *al = &e->alerts[e->nalerts++];
    memset(al, 0, sizeof *al);
    al->ts_ms = o->ts_ms;
    al->seq = o->seq;
    al->account = acct;
    al->verdict = (uint8_t)verdict;
    al->score = (float)score;
    al->request_id = strdup(dw_obs_request_id(o));
    al->reason = strdup(reason);
    al->campaign_id = campaign_id ? strdup(campaign_id) : NULL;
    return al;
}

/* An account's verdict rose at request o (o may be another member's request
 * when a campaign verdict lifts the whole campaign). */
static void raise_alert(dw_engine *e, const dw_obs *o, uint32_t acct, const dw_account *a, const dw_assessment *as)
{
    char reason[2048];
    dw_assessment_reasons(as, a, 0, reason, sizeof reason);
    /* a benign group (an office) is one operator but no campaign */
    new_alert(e, o, acct, as->verdict, as->score, reason, as->camp.score >= e->cfg.review ? as->camp.id : NULL);
}

/* ---- issue 4: link and campaign stages ------------------------------------ */

static void on_edge(void *ud, const dw_link_edge *ed) { dw_campaigns_edge(((dw_engine *)ud)->camps, ed); }

typedef struct campaign_event {
    dw_engine *e;
    const dw_obs *o;              /* the request that triggered the evaluation */
} campaign_event;

/* A campaign was (re)judged while traffic streams: alert on the campaign
 * when its verdict rises, and re-judge its members now rather than at their
 * next scheduled assessment, so that every member's alert fires at the
 * moment the campaign is recognized. */
static void on_campaign(void *ud, dw_campaign *c)
{
    campaign_event *ce = ud;
    dw_engine *e = ce->e;
    if (c->verdict > c->alerted) {
        c->alerted = (uint8_t)c->verdict;
        char reason[1024];
        snprintf(reason, sizeof reason, "campaign %s: %u accounts judged %.2f as one operation: %s", c->id, c->n, c->score,
                 c->summary);
        dw_alert *al = new_alert(e, ce->o, ce->o->account, c->verdict, c->score, reason, c->id);
        al->is_campaign = 1;
    }
    if (c->verdict < DW_REVIEW) return;
    for (uint32_t i = 0; i < c->n; i++) {
        dw_account *a = &e->accts.v[c->members[i]];
        dw_assessment as;
        dw_engine_assess(e, a, &as);
        a->score = (float)as.score;
        a->verdict = (uint8_t)as.verdict;
        if (as.verdict > a->alerted) {
            a->alerted = (uint8_t)as.verdict;
            raise_alert(e, ce->o, c->members[i], a, &as);
        }
    }
}

static void link_and_campaigns(dw_engine *e, const dw_obs *o, const dw_obs_ctx *ctx)
{
    dw_link_ctx lctx = {ctx->model_is_release, ctx->model_first_seen, e->traffic_start_ms};
    if (dw_link_observe(e->link, &e->accts, o, &lctx)) dw_link_register(e->link, &e->accts, o->account, on_edge, e);
    uint32_t due = dw_campaigns_tick(e->camps, o->account);
    if (due != UINT32_MAX) {
        dw_campaign_env env;
        dw_engine_campaign_env(e, &env);
        campaign_event ce = {e, o};
        dw_campaigns_evaluate(e->camps, due, &env, on_campaign, &ce);
    }
}

/* The final graph: rebuilt from the fingerprints alone, so final verdicts do
 * not depend on how the input was split across runs (also run after a store
 * is loaded, so streaming resumes with the campaigns already known). */
void dw_engine_rebuild_campaigns(dw_engine *e)
{
    dw_campaign_env env;
    dw_engine_campaign_env(e, &env);
    dw_campaigns_reset_graph(e->camps);
    dw_link_set_traffic_start(e->link, e->traffic_start_ms);
    dw_link_rebuild(e->link, &e->accts, on_edge, e);
    dw_campaigns_evaluate_all(e->camps, &env, NULL, NULL);
}

/* Account state, population, then (on schedule) score and alert. */
static void process(dw_engine *e, const dw_obs *o)
{
    if (e->traffic_start_ms == DW_TS_NONE) e->traffic_start_ms = o->ts_ms;
    dw_obs_ctx ctx = {DW_TS_NONE, 0, e->last_release_ms};
    if (o->model) {
        dw_model *m = &e->models.v[o->model];
        if (m->first_seen == DW_TS_NONE) {
            m->first_seen = o->ts_ms;
            if (o->ts_ms - e->traffic_start_ms > DW_RELEASE_AFTER_MS) e->last_release_ms = ctx.last_release_ms = o->ts_ms;
        }
        m->requests++;
        ctx.model_first_seen = m->first_seen;
        ctx.model_is_release = m->first_seen - e->traffic_start_ms > DW_RELEASE_AFTER_MS;
    }
    dw_account *a = &e->accts.v[o->account];
    uint64_t req0 = a->requests, tok0 = a->completion_tokens;
    dw_account_observe(a, o, &ctx);
    dw_pop_move(e->pop.req, req0, a->requests);
    if (a->completion_tokens != tok0) dw_pop_move(e->pop.tok, tok0, a->completion_tokens);
    if (e->cfg.link_enabled) link_and_campaigns(e, o, &ctx); /* issue 4 */
    if (a->requests >= a->next_eval) {
        dw_assessment as;
        dw_engine_assess(e, a, &as);
        a->score = (float)as.score;
        a->verdict = (uint8_t)as.verdict;
        uint32_t step = a->requests / 4;
        a->next_eval = a->requests + (step < 8 ? 8 : step);
        if (as.verdict > a->alerted) {
            a->alerted = (uint8_t)as.verdict;
            raise_alert(e, o, o->account, a, &as);
        }
    }
}

/* An observation leaves the reorder buffer a whole window after it was
 * made, long after it and its account left the cache: waiting on them costs
 * more than everything else process() does.  So ask for both a few releases
 * ahead -- the observation first, then, once it has arrived, the account it
 * names.  Prefetches are hints: a wrong or late one costs nothing. */
#define PREFETCH_OBS_AHEAD  16
#define PREFETCH_ACCT_AHEAD 8

/* Every cache line of the n bytes at p, for reading (rw 0) or writing (1):
 * a line every 64 bytes from p, and the last byte's line, which those miss
 * when p is not line-aligned. */
#define PREFETCH_LINES(p, n, rw)                                               \
    do {                                                                       \
        const char *b_ = (const char *)(p);                                    \
        for (size_t off_ = 0; off_ < (n); off_ += 64) __builtin_prefetch(b_ + off_, rw); \
        __builtin_prefetch(b_ + (n) - 1, rw);                                  \
    } while (0)

/* Always inlined: a function that only prefetches has no effect GCC can
 * see, so it marks it pure and deletes every call to it. */
static inline __attribute__((always_inline)) void prefetch_ahead(const dw_engine *e)
{
    const dw_obs *o = dw_reorder_ahead(&e->ro, PREFETCH_OBS_AHEAD);
    if (o) PREFETCH_LINES(o, sizeof *o, 0);
    o = dw_reorder_ahead(&e->ro, PREFETCH_ACCT_AHEAD);
    if (o && o->account < e->accts.n) PREFETCH_LINES(&e->accts.v[o->account], sizeof(dw_account), 1);
}

static void drain(dw_engine *e, int flush)
{
    dw_obs *o;
    while ((o = dw_reorder_pop(&e->ro, flush))) {
        prefetch_ahead(e);
        process(e, o);
        dw_reorder_recycle(&e->ro, o);
    }
}

/* ---- eviction (see the top of this file) ------------------------------------ */

#define BLOOM_BITS (1u << 25) /* 4 MiB: ~1% false positives at 3.5M evicted ids, more beyond, never wrong */

void dw_engine_set_max_accounts(dw_engine *e, uint32_t cap) { e->max_accounts = cap; }

void dw_engine_bloom_add(dw_engine *e, uint64_t h)
{
    if (!e->bloom) e->bloom = dw_xcalloc(BLOOM_BITS / 64, sizeof *e->bloom);
    uint32_t h1 = (uint32_t)h, h2 = (uint32_t)(h >> 32) | 1;
    for (uint32_t k = 0; k < 3; k++) {
        uint32_t b = (h1 + k * h2) & (BLOOM_BITS - 1);
        e->bloom[b / 64] |= 1ull << (b % 64);
    }
}

int dw_engine_bloom_maybe(const dw_engine *e, uint64_t h)
{
    if (!e->bloom) return 0;
    uint32_t h1 = (uint32_t)h, h2 = (uint32_t)(h >> 32) | 1;
    for (uint32_t k = 0; k < 3; k++) {
        uint32_t b = (h1 + k * h2) & (BLOOM_BITS - 1);
        if (!(e->bloom[b / 64] & (1ull << (b % 64)))) return 0;
    }
    return 1;
}

int dw_engine_evictable_state(const dw_engine *e, const dw_account *a)
{
    return a->verdict == DW_ALLOW && !a->alerted && (!e->cfg.link_enabled || a->requests < DW_LINK_FP_REQUESTS);
}

/* Account i was just created for an id the store may hold: continue from the
 * stored state.  Only the id and the slot bookkeeping are the new slot's. */
static void reload(dw_engine *e, uint32_t i)
{
    dw_account *a = &e->accts.v[i];
    if (!e->store || !dw_engine_bloom_maybe(e, a->id_hash)) return;
    dw_account st;
    char pay[1024];
    int from_spill = 0;
    if (dw_store_fetch(e->store, a->id, strlen(a->id), &st, pay, sizeof pay, &from_spill) != 1) return;
    const char *id = a->id;
    uint64_t h = a->id_hash;
    uint8_t slot = a->slot;
    *a = st;
    a->id = id;
    a->id_hash = h;
    a->slot = slot;
    a->payment = NULL;
    if (pay[0]) dw_accounts_set_payment(&e->accts, i, pay, strlen(pay));
    a->dirty = from_spill; /* a spilled state is newer than the saved one */
    e->reloaded++;
}

uint32_t dw_engine_find_or_reload(dw_engine *e, const char *id, size_t n)
{
    uint32_t i = dw_accounts_find(&e->accts, id, n);
    if (i != UINT32_MAX || !e->store || !dw_engine_bloom_maybe(e, dw_hash(id, n))) return i;
    dw_account st;
    char pay[8];
    int from_spill;
    if (dw_store_fetch(e->store, id, n, &st, pay, sizeof pay, &from_spill) != 1) return UINT32_MAX;
    i = dw_accounts_intern(&e->accts, id, n, NULL);
    reload(e, i);
    return i;
}

int dw_engine_peek_stored(dw_engine *e, const char *id, size_t n, dw_verdict *v, double *score)
{
    if (!e->store || !dw_engine_bloom_maybe(e, dw_hash(id, n))) return 0;
    dw_account st;
    char pay[1024];
    int from_spill;
    if (dw_store_fetch(e->store, id, n, &st, pay, sizeof pay, &from_spill) != 1) return 0;
    *v = (dw_verdict)st.verdict;
    *score = st.score;
    return 1;
}

typedef struct lru_item { int64_t last_ms; uint32_t i; } lru_item;

static int by_last_seen(const void *x, const void *y)
{
    const lru_item *a = x, *b = y;
    if (a->last_ms != b->last_ms) return a->last_ms < b->last_ms ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Put the k least recently seen items first, in no order (quickselect):
 * a full sort of every candidate was the largest cost of a pass. */
static void select_oldest(lru_item *c, uint32_t n, uint32_t k)
{
    uint32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        lru_item pivot = c[lo + (hi - lo) / 2];
        uint32_t i = lo, j = hi;
        while (i <= j) {
            while (by_last_seen(&c[i], &pivot) < 0) i++;
            while (by_last_seen(&c[j], &pivot) > 0) j--;
            if (i <= j) {
                lru_item t = c[i];
                c[i] = c[j];
                c[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        /* now c[lo..j] <= pivot <= c[i..hi] */
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return;
    }
}

long dw_engine_trim(dw_engine *e, char *err, size_t errlen)
{
    dw_account_table *t = &e->accts;
    uint32_t live = dw_accounts_live(t);
    if (!e->store || !dw_engine_trim_due(e)) return 0;
    /* down to 15/16 of the cap, so that the scan below runs once per cap/16
     * new accounts rather than once per account */
    uint32_t target = e->max_accounts - e->max_accounts / 16;
    uint32_t want = live - target;
    /* what refers to an account by index, besides the link and campaign stages */
    uint8_t *pinned = dw_xcalloc(t->n ? t->n : 1, 1);
    for (size_t k = 0; k < dw_reorder_size(&e->ro); k++) pinned[dw_reorder_waiting(&e->ro, k)->account] = 1;
    for (size_t k = 0; k < e->nalerts; k++) pinned[e->alerts[k].account] = 1;
    lru_item *c = dw_xcalloc(t->n ? t->n : 1, sizeof *c);
    uint32_t nc = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        const dw_account *a = &t->v[i];
        if ((a->slot & DW_SLOT_VACANT) || pinned[i] || !dw_engine_evictable_state(e, a)) continue;
        if (dw_link_fp_of(e->link, i) || dw_campaign_of(e->camps, i, NULL)) continue;
        c[nc].last_ms = a->last_ms == DW_TS_NONE ? INT64_MIN : a->last_ms;
        c[nc++].i = i;
    }
    free(pinned);
    if (nc > want) {
        select_oldest(c, nc, want);
        nc = want;
    }
    uint32_t *idx = dw_xcalloc(nc ? nc : 1, sizeof *idx);
    for (uint32_t k = 0; k < nc; k++) idx[k] = c[k].i;
    free(c);
    if (nc && dw_store_spill(e->store, e, idx, nc, err, errlen) < 0) { free(idx); return -1; }
    for (uint32_t k = 0; k < nc; k++) {
        dw_engine_bloom_add(e, t->v[idx[k]].id_hash);
        dw_campaigns_forget(e->camps, idx[k]);
        dw_accounts_release(t, idx[k]);
    }
    free(idx);
    e->evicted += nc;
    /* when too few could go (the rest are pinned, fingerprinted or flagged),
     * wait for cap/16 more accounts before scanning again, or every chunk
     * would pay a full pass for nothing */
    uint32_t after = live - nc;
    e->trim_at = after > target ? after + e->max_accounts / 16 + 1 : 0;
    return nc;
}

int dw_engine_trim_due(const dw_engine *e)
{
    if (!e->max_accounts) return 0;
    uint32_t at = e->trim_at > e->max_accounts ? e->trim_at : e->max_accounts;
    return dw_accounts_live(&e->accts) > at;
}

/* Is asn a hosting network (hosting.pack)?  Asked for every event; the last
 * answer per slot is remembered.  asn != 0, so an empty slot never matches. */
static inline int asn_hosting(dw_engine *e, uint32_t asn)
{
    uint64_t *m = &e->hosting_memo[asn % 64];
    if ((*m >> 1) == asn) return (int)(*m & 1);
    int hosting = dw_asn_is_hosting(e->pats, asn) != 0;
    *m = (uint64_t)asn << 1 | (uint64_t)hosting;
    return hosting;
}

int dw_engine_feed_event(dw_engine *e, const dw_event *ev)
{
    dw_obs *o = dw_reorder_obtain(&e->ro);
    /* The account's id is looked up last.  Its index slot, the slot's id and
     * the id's bytes are three loads that each wait for the one before: ask
     * memory for the slot now, for the id once enrichment is done. */
    uint64_t id_hash = dw_hash(ev->account_id.p, ev->account_id.n);
    dw_accounts_prefetch_slot(&e->accts, id_hash);
    if (dw_enrich(e->en, ev, &o->f) < 0) memset(&o->f, 0, sizeof o->f); /* pattern engine failure: keep the rest */
    dw_accounts_prefetch(&e->accts, id_hash);
    if (e->cfg.link_enabled) dw_link_note_event(e->link, ev, &o->f); /* issue 4: texts behind the hashes, while in view */
    o->ts_ms = ev->ts_ms;
    o->seq = e->seq++;
    o->model = dw_models_intern(&e->models, &e->accts.strings, ev->model.p, ev->model.n);
    o->single_turn = ev->user_turns <= 1 && ev->assistant_turns == 0 && ev->prompt.p;
    o->has_tools = ev->tools_fp != 0 || ev->tool_messages > 0;
    o->asn = ev->asn;
    o->asn_hosting = ev->asn && asn_hosting(e, ev->asn);
    o->max_tokens = ev->max_tokens;
    o->completion_tokens = ev->completion_tokens;
    o->prompt_tokens = ev->prompt_tokens;
    o->latency_ms = ev->latency_ms;
    o->n = ev->n;
    o->top_logprobs = ev->top_logprobs;
    o->logprobs = ev->logprobs;
    o->has_reasoning = ev->has_reasoning;
    o->finish_length = ev->finish_length;
    o->end_user_hash = ev->end_user.p && ev->end_user.n ? dw_hash(ev->end_user.p, ev->end_user.n) | 1 : 0;
    size_t rn = ev->request_id.p ? ev->request_id.n : 0;
    if (rn < sizeof o->rid_inline) {
        if (rn) memcpy(o->rid_inline, ev->request_id.p, rn);
        o->rid_inline[rn] = 0;
    } else {
        o->rid_heap = strndup(ev->request_id.p, rn);
    }
    int created = 0;
    o->account = dw_accounts_intern_hashed(&e->accts, ev->account_id.p, ev->account_id.n, id_hash, &created);
    if (created && e->bloom) reload(e, o->account);
    e->st.events++;
    if (dw_reorder_push(&e->ro, o)) { /* late: process now rather than lose it */
        process(e, o);
        dw_reorder_recycle(&e->ro, o);
        return 0;
    }
    drain(e, 0);
    return 0;
}

static int on_event(void *ud, const dw_event *ev) { return dw_engine_feed_event(ud, ev); }

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return 0;
    return 1;
}

int dw_engine_feed_line(dw_engine *e, dw_decoder *dec, const char *src, uint64_t lineno, const char *line, size_t len)
{
    if (blank(line, len)) { e->st.lines_blank++; return 0; }
    e->st.lines_read++;
    char err[256];
    size_t off = 0;
    int rc = dw_decode_line(dec, line, len, on_event, e, err, sizeof err, &off);
    if (rc < 0) {
        dw_engine_quarantine(e, src, lineno, off, err, line, len, 0);
        e->st.lines_quarantined++;
    } else {
        e->st.lines_accepted++;
    }
    return 0;
}

int dw_engine_feed_file(dw_engine *e, dw_decoder *dec, const char *path, char *err, size_t errlen)
{
    dw_reader *r = dw_reader_open(path, e->cfg.max_line_bytes, err, errlen);
    if (!r) return -1;
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    const char *line;
    size_t len;
    int flags;
    uint64_t lineno;
    int rc;
    while ((rc = dw_reader_next(r, &line, &len, &flags, &lineno, err, errlen)) > 0) {
        if (flags & (DW_LINE_PARTIAL | DW_LINE_CONT)) {
            /* an over-long line goes to quarantine piece by piece, never held whole */
            char why[96];
            snprintf(why, sizeof why, "line longer than max_line_bytes (%zu)", e->cfg.max_line_bytes);
            dw_engine_quarantine(e, name, lineno, 0, why, line, len, flags);
            if (!(flags & DW_LINE_CONT)) { e->st.lines_read++; e->st.lines_quarantined++; }
            continue;
        }
        dw_engine_feed_line(e, dec, name, lineno, line, len);
    }
    e->st.bytes += dw_reader_bytes(r);
    dw_reader_close(r);
    if (rc < 0) {
        /* keep what was read; tell the caller which file broke and where */
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s: after line %llu: %s", name, (unsigned long long)lineno, err);
        snprintf(err, errlen, "%s", tmp);
        return -1;
    }
    return 0;
}

int dw_engine_set_quarantine_dir(dw_engine *e, const char *dir, char *err, size_t errlen)
{
    char p[4096];
    if (dw_mkdir_p(dir) < 0) { snprintf(err, errlen, "%s: %s", dir, strerror(errno)); return -1; }
    snprintf(p, sizeof p, "%s/quarantine.jsonl", dir);
    if (!(e->q_jsonl = fopen(p, "w"))) { snprintf(err, errlen, "%s: %s", p, strerror(errno)); return -1; }
    snprintf(p, sizeof p, "%s/quarantine.raw", dir);
    if (!(e->q_raw = fopen(p, "w"))) { snprintf(err, errlen, "%s: %s", p, strerror(errno)); return -1; }
    return 0;
}

void dw_engine_quarantine(dw_engine *e, const char *src, uint64_t lineno, size_t off, const char *why,
                          const char *line, size_t len, int flags)
{
    int first_piece = !(flags & DW_LINE_CONT);
    int last_piece = !(flags & DW_LINE_PARTIAL);
    if (first_piece) {
        if (e->q_reported < 20) fprintf(stderr, "distillwatch: %s:%llu: quarantined: %s%s\n", src,
                                        (unsigned long long)lineno, why, off ? "" : "");
        else if (e->q_reported == 20) fprintf(stderr, "distillwatch: more quarantined lines: see quarantine.jsonl\n");
        e->q_reported++;
        if (e->q_jsonl) {
            dw_buf b = {0};
            dw_jw w;
            dw_jw_init(&w, &b);
            dw_jw_obj_begin(&w);
            dw_jw_key(&w, "source"); dw_jw_str(&w, src);
            dw_jw_key(&w, "line"); dw_jw_uint(&w, lineno);
            dw_jw_key(&w, "offset"); dw_jw_uint(&w, off);
            dw_jw_key(&w, "error"); dw_jw_str(&w, why);
            dw_jw_key(&w, "bytes"); if (flags) dw_jw_null(&w); else dw_jw_uint(&w, len);
            dw_jw_obj_end(&w);
            dw_buf_putc(&b, '\n');
            dw_buf_write(&b, e->q_jsonl);
            dw_buf_free(&b);
        }
    }
    if (e->q_raw) {
        fwrite(line, 1, len, e->q_raw);
        if (last_piece) fputc('\n', e->q_raw);
    }
}

int dw_engine_finish(dw_engine *e, char *err, size_t errlen)
{
    drain(e, 1);
    if (e->cfg.link_enabled) dw_engine_rebuild_campaigns(e); /* issue 4 */
    memset(e->st.verdicts, 0, sizeof e->st.verdicts);
    for (uint32_t i = 0; i < e->accts.n; i++) {
        dw_account *a = &e->accts.v[i];
        if (!a->requests) continue;
        dw_assessment as;
        dw_engine_assess(e, a, &as);
        a->score = (float)as.score;
        a->verdict = (uint8_t)as.verdict;
        e->st.verdicts[as.verdict]++;
    }
    if (e->q_jsonl) fflush(e->q_jsonl);
    if (e->q_raw) fflush(e->q_raw);
    e->finished = 1;
    if (e->store && dw_store_save(e->store, e, err, errlen) < 0) return -1;
    return 0;
}

int dw_engine_open_store(dw_engine *e, const char *path, char *err, size_t errlen)
{
    if (e->store) { snprintf(err, errlen, "a store is already open"); return -1; }
    e->store = dw_store_open(e, path, err, errlen);
    return e->store ? 0 : -1;
}

int dw_engine_write_outputs(dw_engine *e, const char *dir, char *err, size_t errlen)
{
    if (!e->finished) { snprintf(err, errlen, "dw_engine_finish() first"); return -1; }
    if (dw_mkdir_p(dir) < 0) { snprintf(err, errlen, "%s: %s", dir, strerror(errno)); return -1; }
    char p[4096];
    snprintf(p, sizeof p, "%s/accounts.jsonl", dir);
    if (dw_write_accounts(e, p, err, errlen) < 0) return -1;
    snprintf(p, sizeof p, "%s/alerts.jsonl", dir);
    if (dw_write_alerts(e, p, err, errlen) < 0) return -1;
    /* issue 4 */
    snprintf(p, sizeof p, "%s/campaigns.json", dir);
    if (dw_write_campaigns(e, p, err, errlen) < 0) return -1;
    snprintf(p, sizeof p, "%s/report.html", dir);
    if (dw_write_report(e, p, err, errlen) < 0) return -1;
    snprintf(p, sizeof p, "%s/stix-bundle.json", dir);
    if (dw_write_stix(e, p, err, errlen) < 0) return -1;
    return 0;
}
