/*
 * campaign.c -- campaign records, the evaluation schedule, pooled verdicts
 * (see campaign.h for the design).
 *
 * Records are allocated one by one and never freed before the end (a
 * dissolved campaign is marked not live), so pointers handed to the
 * engine's assessments and alerts stay valid.  A record is found again by
 * its id, so re-clustering a component updates the campaigns it already
 * had instead of creating new ones, and a campaign alerted once is not
 * alerted again at the same level.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "campaign/campaign.h"
#include "campaign/cluster.h"
#include "campaign/pool.h"
#include "common/util.h"

#define NONE UINT32_MAX
/* kinds that say who an account is, rather than what it does */
#define IDENTITY_KINDS ((1u << DW_LK_PAYMENT) | (1u << DW_LK_NETWORK) | (1u << DW_LK_SIGNUP))

struct dw_campaigns {
    dw_campaign_params p;
    dw_graph g;
    dw_campaign **v;
    uint32_t n, cap;
    uint32_t *camp_of;          /* account -> record + 1 */
    uint32_t camp_cap;
    uint32_t *ev_since;         /* per root: member requests since its last evaluation */
    uint32_t *eval_size;        /* per root: members at its last evaluation (0 = never) */
    uint32_t *eval_req;         /* per root: member requests at its last evaluation */
    uint32_t sched_cap;
    uint32_t *idmap;            /* open addressing: hash of id -> record + 1 */
    uint32_t idmap_cap;
};

void dw_campaign_params_default(dw_campaign_params *p)
{
    p->resolution = 0.25;
    p->min_accounts = 3;
    p->growth = 0.25;
}

dw_campaigns *dw_campaigns_new(const dw_campaign_params *p)
{
    dw_campaigns *C = dw_xcalloc(1, sizeof *C);
    if (p) C->p = *p;
    else dw_campaign_params_default(&C->p);
    if (C->p.min_accounts < 2) C->p.min_accounts = 2;
    dw_graph_init(&C->g);
    return C;
}

static void record_free(dw_campaign *c)
{
    if (!c) return;
    free(c->members);
    free(c->link);
    free(c->own);
    free(c->own_link);
    free(c);
}

void dw_campaigns_free(dw_campaigns *C)
{
    if (!C) return;
    for (uint32_t i = 0; i < C->n; i++) record_free(C->v[i]);
    free(C->v);
    free(C->camp_of);
    free(C->ev_since);
    free(C->eval_size);
    free(C->eval_req);
    free(C->idmap);
    dw_graph_free(&C->g);
    free(C);
}

static void sched_reserve(dw_campaigns *C, uint32_t n)
{
    if (n <= C->sched_cap) return;
    uint32_t nc = C->sched_cap ? C->sched_cap : 1024;
    while (nc < n) nc *= 2;
    C->ev_since = dw_xrealloc(C->ev_since, nc * sizeof *C->ev_since);
    C->eval_size = dw_xrealloc(C->eval_size, nc * sizeof *C->eval_size);
    C->eval_req = dw_xrealloc(C->eval_req, nc * sizeof *C->eval_req);
    memset(C->ev_since + C->sched_cap, 0, (nc - C->sched_cap) * sizeof *C->ev_since);
    memset(C->eval_size + C->sched_cap, 0, (nc - C->sched_cap) * sizeof *C->eval_size);
    memset(C->eval_req + C->sched_cap, 0, (nc - C->sched_cap) * sizeof *C->eval_req);
    C->sched_cap = nc;
}

static void camp_reserve(dw_campaigns *C, uint32_t n)
{
    if (n <= C->camp_cap) return;
    uint32_t nc = C->camp_cap ? C->camp_cap : 1024;
    while (nc < n) nc *= 2;
    C->camp_of = dw_xrealloc(C->camp_of, nc * sizeof *C->camp_of);
    memset(C->camp_of + C->camp_cap, 0, (nc - C->camp_cap) * sizeof *C->camp_of);
    C->camp_cap = nc;
}

void dw_campaigns_edge(dw_campaigns *C, const dw_link_edge *e)
{
    uint32_t hi = e->a > e->b ? e->a : e->b;
    dw_graph_reserve(&C->g, hi + 1);
    sched_reserve(C, C->g.n);
    uint32_t ra = dw_graph_find(&C->g, e->a), rb = dw_graph_find(&C->g, e->b);
    int merged = 0;
    dw_graph_add(&C->g, e->a, e->b, e->w, e->mask, &merged);
    if (merged) {
        /* the new root inherits both schedules: requests since evaluation
         * add up; the larger past evaluation is the yardstick for growth */
        uint32_t r = dw_graph_find(&C->g, e->a), o = r == ra ? rb : ra;
        C->ev_since[r] += C->ev_since[o];
        if (C->eval_size[o] > C->eval_size[r]) C->eval_size[r] = C->eval_size[o];
        C->eval_req[r] = C->eval_req[r] > UINT32_MAX - C->eval_req[o] ? UINT32_MAX : C->eval_req[r] + C->eval_req[o];
    }
}

uint32_t dw_campaigns_tick(dw_campaigns *C, uint32_t acct)
{
    if (acct >= C->g.n) return NONE;
    uint32_t r = dw_graph_find(&C->g, acct);
    uint32_t size = C->g.size[r];
    /* An account linked to nothing is no campaign and keeps no schedule:
     * whether its requests were counted must not depend on whether its
     * table index happens to lie inside the graph (serve reuses the slots of
     * evicted accounts), so a component's count starts when it forms. */
    if (size < 2) return NONE;
    if (C->ev_since[r] < UINT32_MAX) C->ev_since[r]++;
    if (size < C->p.min_accounts) return NONE;
    if (!C->eval_size[r]) return r;
    if (size >= C->eval_size[r] + 1 && size >= C->eval_size[r] * (1 + C->p.growth)) return r;
    double due = C->eval_req[r] * C->p.growth;
    if (due < 16) due = 16;
    return C->ev_since[r] >= due ? r : NONE;
}

void dw_campaigns_forget(dw_campaigns *C, uint32_t acct)
{
    if (acct >= C->g.n || acct >= C->sched_cap) return;
    if (dw_graph_find(&C->g, acct) != acct || C->g.size[acct] != 1) return;
    C->ev_since[acct] = C->eval_size[acct] = C->eval_req[acct] = 0;
}

/* ---- evaluation ------------------------------------------------------------ */

static uint32_t id_slot(const dw_campaigns *C, const char *id)
{
    return (uint32_t)dw_hash(id, strlen(id)) & (C->idmap_cap - 1);
}

static uint32_t find_record(const dw_campaigns *C, const char *id)
{
    if (!C->idmap_cap) return NONE;
    for (uint32_t i = id_slot(C, id);; i = (i + 1) & (C->idmap_cap - 1)) {
        uint32_t r = C->idmap[i];
        if (!r) return NONE;
        if (strcmp(C->v[r - 1]->id, id) == 0) return r - 1;
    }
}

static void idmap_put(dw_campaigns *C, uint32_t r)
{
    uint32_t i = id_slot(C, C->v[r]->id);
    while (C->idmap[i]) i = (i + 1) & (C->idmap_cap - 1);
    C->idmap[i] = r + 1;
}

static uint32_t new_record(dw_campaigns *C, const char *id)
{
    if ((C->n + 1) * 2 > C->idmap_cap) {
        /* a record is never removed, so the map only grows */
        free(C->idmap);
        C->idmap_cap = C->idmap_cap ? C->idmap_cap * 2 : 64;
        C->idmap = dw_xcalloc(C->idmap_cap, sizeof *C->idmap);
        for (uint32_t r = 0; r < C->n; r++) idmap_put(C, r);
    }
    if (C->n == C->cap) {
        C->cap = C->cap ? C->cap * 2 : 32;
        C->v = dw_xrealloc(C->v, C->cap * sizeof *C->v);
    }
    dw_campaign *c = dw_xcalloc(1, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    c->group = C->n;
    C->v[C->n] = c;
    idmap_put(C, C->n);
    return C->n++;
}

static uint32_t gfind(const dw_campaigns *C, uint32_t r)
{
    while (C->v[r]->group != r) r = C->v[r]->group;
    return r;
}

static int earlier(const dw_account *a, const dw_account *b)
{
    if (a->first_ms != b->first_ms) return a->first_ms < b->first_ms;
    return strcmp(a->id, b->id) < 0;
}

static int cmp_u32v(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* Members weigh at most four median members (see pool.h). */
void dw_campaign_pool(const dw_campaign *c, const dw_campaign_env *env, dw_pool *pool)
{
    dw_pool_init(pool);
    uint32_t *r = dw_xmalloc((c->n ? c->n : 1) * sizeof *r);
    for (uint32_t i = 0; i < c->n; i++) r[i] = env->accts->v[c->members[i]].requests;
    qsort(r, c->n, sizeof *r, cmp_u32v);
    double cap = c->n ? 4.0 * (r[c->n / 2] ? r[c->n / 2] : 1) : 1;
    free(r);
    for (uint32_t i = 0; i < c->n; i++) {
        const dw_account *a = &env->accts->v[c->members[i]];
        dw_pool_add_scaled(pool, a, a->requests > cap ? cap / a->requests : 1.0);
    }
    dw_pool_done(pool);
}

/* Judge the pooled state: the campaign as one account.  Some signals mean
 * something for one account and nothing for a union of accounts, and are
 * off here: volume (a group of accounts is large by construction), account
 * age, round-the-clock activity, ASN churn and subject breadth (people in
 * several time zones, networks and jobs show all three without any
 * automation -- and so does a hydra built to look like them), and the
 * reasoning-demand languages unless the group demands reasoning in earnest
 * (a few stray matches in eight languages are eight people, not a
 * multilingual harvest).  The per-member coordination signals are off; the
 * campaign's own one (disguised_coordination) is on. */
void dw_campaign_pooled_config(const dw_config *base, const dw_account *pooled, dw_config *cfg)
{
    *cfg = *base;
    cfg->sig[S_VOLUME].enabled = cfg->sig[S_TOKEN_VOLUME].enabled = 0;
    cfg->sig[S_NEW_ACCOUNT].enabled = 0;
    cfg->sig[S_ROUND_THE_CLOCK].enabled = 0;
    cfg->sig[S_ASN_CHURN].enabled = 0;
    cfg->sig[S_COVERAGE].enabled = 0;
    if (pooled->requests == 0 || pooled->cot * 10 < pooled->requests) cfg->sig[S_MULTILINGUAL_REASONING].enabled = 0;
}

/* What the campaign asks for and collects -- reasoning traces, grading,
 * training-data formats, probabilities, the largest answers, jailbreaks.
 * A linked group of accounts is a campaign only with some of this: timing
 * and network signals of a union of accounts (round the clock, many
 * networks, many languages) are what any group of people spread over the
 * world shows, and the link stage also finds benign groups (an office, a
 * campus, the users of one app's templated system prompt). */
static double content_evidence(const dw_assessment *as)
{
    static const dw_signal_id content[] = {S_REASONING, S_RUBRIC, S_DATASET, S_LOGPROBS, S_MAX_TOKENS, S_JAILBREAK, S_CENSOR};
    double best = 0;
    for (size_t i = 0; i < sizeof content / sizeof *content; i++) {
        const dw_signal_result *r = &as->sig[content[i]];
        double e = r->strength * r->confidence;
        if (e > best) best = e;
    }
    return best;
}

#define CONTENT_MIN 0.1

void dw_campaign_self_ctx(const dw_campaign *c, dw_campaign_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->id = c->id;
    ctx->members = c->n;
    ctx->pooled = 1;
    ctx->disguise = c->edges ? (double)c->covert_edges / c->edges : 0;
}

static void pooled_assessment(const dw_campaign *c, const dw_campaign_env *env, dw_pool *pool, dw_assessment *as)
{
    dw_campaign_pool(c, env, pool);
    dw_config cfg;
    dw_campaign_pooled_config(env->cfg, &pool->acc, &cfg);
    dw_campaign_ctx self;
    dw_campaign_self_ctx(c, &self);
    dw_assess_ctx(&cfg, &pool->acc, env->pop, &self, as);
    if (content_evidence(as) < CONTENT_MIN) as->verdict = DW_ALLOW;
}

static void summarize(dw_campaign *c, const dw_campaign_env *env, const dw_account *pooled_acc, const dw_assessment *pooled)
{
    dw_evidence ev[DW_LK__COUNT + 2];
    int n = dw_campaign_evidence(c, env, ev, (int)(sizeof ev / sizeof *ev));
    size_t k = 0;
    c->summary[0] = 0;
    int linked = 0;
    for (int i = 0; i < n && linked < 2 && k + 8 < sizeof c->summary; i++) {
        if (strcmp(ev[i].signal, "behaviour") == 0) continue;
        k += (size_t)snprintf(c->summary + k, sizeof c->summary - k, "%s%s", linked ? "; " : "", ev[i].detail);
        linked++;
    }
    if (k >= sizeof c->summary) k = sizeof c->summary - 1;
    char why[400];
    dw_assessment_reasons(pooled, pooled_acc, 2, why, sizeof why);
    if (why[0] && k + 16 < sizeof c->summary)
        snprintf(c->summary + k, sizeof c->summary - k, "%stogether %llu requests: %s", k ? "; " : "",
                 (unsigned long long)c->requests, why);
}

/* The edges of community `rec` inside itself: each member's tie strength,
 * and which kinds of evidence carry the community. */
static void own_edges(dw_campaigns *C, dw_campaign *rec, uint32_t ri)
{
    for (uint32_t i = 0; i < rec->own_n; i++) {
        uint32_t a = rec->own[i];
        rec->own_link[i] = 0;
        for (uint32_t ei = C->g.head[a]; ei != NONE; ei = C->g.e[ei].a == a ? C->g.e[ei].next_a : C->g.e[ei].next_b) {
            const dw_gedge *e = &C->g.e[ei];
            uint32_t o = e->a == a ? e->b : e->a;
            if (C->camp_of[o] == ri + 1) rec->own_link[i] += e->w;
        }
    }
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Most common non-zero value among v[0..n) held by at least a third of `of`. */
static uint64_t dominant(uint64_t *v, size_t n, uint32_t of)
{
    qsort(v, n, sizeof *v, cmp_u64);
    uint64_t best = 0;
    size_t bc = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j] == v[i]) j++;
        if (v[i] && j - i > bc) { bc = j - i; best = v[i]; }
        i = j;
    }
    return bc * 3 >= of && bc >= 2 ? best : 0;
}

/* What consolidation compares: the campaign's pooled question-bank profile,
 * when its members moved to a new release, and its dominant values. */
static void group_traits(dw_campaign *c, const dw_campaign_env *env)
{
    /* the profile is the mean of the members' profiles, each member one
     * vote: a heavy bystander must not make a cohort look different */
    double sum[DW_BANK_DIMS] = {0};
    uint64_t prompts = 0;
    uint32_t voters = 0;
    int64_t *piv = dw_xmalloc((c->n ? c->n : 1) * sizeof *piv);
    uint64_t *vals = dw_xmalloc((c->n ? c->n : 1) * sizeof *vals);
    c->pivoted = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        const dw_account *a = &env->accts->v[c->members[i]];
        const dw_link_fp *f = dw_link_fp_of(env->link, c->members[i]);
        if (!f) continue;
        double p[DW_BANK_DIMS];
        uint32_t np = dw_link_bank_profile(f, a, p);
        if (np) {
            for (int d = 0; d < DW_BANK_DIMS; d++) sum[d] += p[d];
            prompts += np;
            voters++;
        }
        if (f->pivot_min != DW_LINK_NO_TIME && f->pivot_all >= 3 && f->pivot_new * 10 >= f->pivot_all * 3)
            piv[c->pivoted++] = (int64_t)f->pivot_min;
    }
    c->prof_n = prompts > UINT32_MAX ? UINT32_MAX : (uint32_t)prompts;
    for (int d = 0; d < DW_BANK_DIMS; d++) c->prof[d] = voters ? sum[d] / voters : 0;
    if (voters * 2 < c->n) c->prof_n = 0; /* most members draw from no bank: no profile */
    qsort(piv, c->pivoted, sizeof *piv, cmp_i64);
    c->pivot_median_min = c->pivoted ? piv[c->pivoted / 2] : 0;
    for (int k = 0; k < 6; k++) {
        size_t n = 0;
        for (uint32_t i = 0; i < c->n; i++) {
            const dw_account *a = &env->accts->v[c->members[i]];
            const dw_link_fp *f = dw_link_fp_of(env->link, c->members[i]);
            uint64_t v = 0;
            switch (k) {
            case 0: v = a->payment ? dw_hash(a->payment, strlen(a->payment)) | 1 : 0; break;
            case 1: v = f && f->ip_c[0] >= 2 ? dw_link_prefix_key(f->ip[0]) : 0; break;
            case 2: v = f && f->client_c >= 2 ? f->client : 0; break;
            case 3: v = f && f->sys_c[0] >= 2 ? dw_link_family_of(env->link, f->sys[0]) : 0; break;
            case 4: v = f && f->tools_c >= 2 ? f->tools : 0; break;
            default: v = f && f->tpl_c[0] >= 3 ? f->tpl[0] : 0; break;
            }
            vals[n++] = v;
        }
        c->top[k] = dominant(vals, n, c->n);
    }
    free(piv);
    free(vals);
}

/* Rebuild campaign `root` from the communities of its group. */
/* Requests, first and last activity and the earliest member, over the
 * campaign's current members. */
static void member_totals(dw_campaign *c, const dw_campaign_env *env)
{
    c->requests = 0;
    c->first_ms = c->last_ms = DW_TS_NONE;
    c->earliest = NONE;
    for (uint32_t i = 0; i < c->n; i++) {
        const dw_account *a = &env->accts->v[c->members[i]];
        c->requests += a->requests;
        if (c->first_ms == DW_TS_NONE || a->first_ms < c->first_ms) c->first_ms = a->first_ms;
        if (c->last_ms == DW_TS_NONE || a->last_ms > c->last_ms) c->last_ms = a->last_ms;
        if (c->earliest == NONE || earlier(a, &env->accts->v[c->earliest])) c->earliest = c->members[i];
    }
}

static void assemble(dw_campaigns *C, uint32_t root, const dw_campaign_env *env)
{
    dw_campaign *c = C->v[root];
    uint32_t total = 0, parts = 0;
    for (uint32_t i = 0; i < C->n; i++)
        if (C->v[i]->own_n && gfind(C, i) == root) { total += C->v[i]->own_n; parts++; }
    c->members = dw_xrealloc(c->members, (total ? total : 1) * sizeof *c->members);
    c->link = dw_xrealloc(c->link, (total ? total : 1) * sizeof *c->link);
    c->n = 0;
    c->merged = parts;
    c->requests = 0;
    c->first_ms = c->last_ms = DW_TS_NONE;
    c->earliest = NONE;
    memset(c->kind_edges, 0, sizeof c->kind_edges);
    c->edges = 0;
    c->covert_edges = 0;
    c->edge_weight = 0;
    /* members in account order: merge the parts' sorted lists by insertion
     * (parts are few), keeping each member's tie strength in its community */
    for (uint32_t i = 0; i < C->n; i++) {
        dw_campaign *p = C->v[i];
        if (!p->own_n || gfind(C, i) != root) continue;
        for (uint32_t k = 0; k < p->own_n; k++) {
            uint32_t j = c->n;
            while (j > 0 && c->members[j - 1] > p->own[k]) {
                c->members[j] = c->members[j - 1];
                c->link[j] = c->link[j - 1];
                j--;
            }
            c->members[j] = p->own[k];
            c->link[j] = p->own_link[k];
            c->n++;
        }
        for (int k = 0; k < DW_LK__COUNT; k++) c->kind_edges[k] += p->own_kind_edges[k];
        c->edges += p->own_edges;
        c->covert_edges += p->own_covert;
        c->edge_weight += p->own_edge_weight;
    }
    if (!c->n) { c->live = 0; return; }
    float *lk = dw_xmalloc(c->n * sizeof *lk);
    memcpy(lk, c->link, c->n * sizeof *lk);
    for (uint32_t i = 1; i < c->n; i++)
        for (uint32_t j = i; j > 0 && lk[j] < lk[j - 1]; j--) { float t = lk[j]; lk[j] = lk[j - 1]; lk[j - 1] = t; }
    c->link_median = lk[c->n / 2];
    free(lk);
    /* a campaign's members are the accounts tied to it: an account whose
     * edges into it weigh less than a tenth of the median member's is a
     * bystander that chance coincidences attached to the community */
    uint32_t kept = 0;
    for (uint32_t i = 0; i < c->n; i++)
        if (c->link[i] >= 0.2 * c->link_median) { c->members[kept] = c->members[i]; c->link[kept++] = c->link[i]; }
    if (kept < C->p.min_accounts) kept = 0;
    c->n = kept;
    member_totals(c, env);
    if (!c->n) { c->live = 0; return; }
    dw_assessment pooled;
    dw_pool pool;
    pooled_assessment(c, env, &pool, &pooled);
    c->score = pooled.score;
    c->verdict = pooled.verdict;
    c->live = 1;
    group_traits(c, env);
    summarize(c, env, &pool.acc, &pooled);
}

/* Two campaigns are one operation when they run one harness -- pooled
 * question-bank profiles equal within sampling error, every dimension --
 * and also act in concert: their members moved to a new release in the
 * same hours, or they share a dominant card, prefix, client build,
 * system-prompt family, tools schema or template.  Consolidation starts
 * from a campaign judged suspicious, so no benign group grows this way.
 * This is what reunites an operation that gave each cohort of accounts its
 * own wording: no account pair shares a value, but the cohorts are run by
 * one machine. */
static int one_operation(const dw_campaign *a, const dw_campaign *b)
{
    if (a->prof_n < 50 || b->prof_n < 50) return 0;
    for (int d = 0; d < DW_BANK_DIMS; d++) {
        double diff = fabs(a->prof[d] - b->prof[d]);
        if (d == DW_BANK_DIMS - 1) { if (diff > 0.02) return 0; continue; }
        double p = (a->prof[d] + b->prof[d]) / 2;
        double tol = 0.05 + 2.5 * sqrt(p * (1 - p) * (1.0 / a->prof_n + 1.0 / b->prof_n));
        if (diff > (tol < 0.1 ? tol : 0.1)) return 0;
    }
    if (a->pivoted * 10 >= a->n * 3 && b->pivoted * 10 >= b->n * 3 &&
        llabs(a->pivot_median_min - b->pivot_median_min) <= 3 * 60)
        return 1;
    for (int k = 0; k < 6; k++)
        if (a->top[k] && a->top[k] == b->top[k]) return 1;
    return 0;
}

/* Merge suspicious campaign `root` with every other it is one operation
 * with; returns the surviving root. */
static uint32_t consolidate(dw_campaigns *C, uint32_t root, const dw_campaign_env *env)
{
    for (int changed = 1; changed;) {
        changed = 0;
        dw_campaign *c = C->v[root];
        if (!c->live || c->verdict < DW_REVIEW || c->n < C->p.min_accounts) return root;
        for (uint32_t j = 0; j < C->n; j++) {
            if (j == root || gfind(C, j) != j) continue;
            dw_campaign *o = C->v[j];
            /* the other need not be suspicious on its own: a cohort that runs
             * the same harness as a suspicious campaign and acts in concert
             * with it is part of it */
            if (!o->live || !o->n || o->n < C->p.min_accounts) continue;
            if (!one_operation(c, o)) continue;
            /* the earlier campaign keeps its id */
            const dw_account *ea = &env->accts->v[c->earliest], *eb = &env->accts->v[o->earliest];
            uint32_t keep = earlier(eb, ea) ? j : root, gone = keep == j ? root : j;
            C->v[gone]->group = keep;
            C->v[gone]->n = 0;
            C->v[gone]->live = 0;
            root = keep;
            assemble(C, root, env);
            changed = 1;
            break;
        }
    }
    return root;
}

void dw_campaigns_evaluate(dw_campaigns *C, uint32_t v, const dw_campaign_env *env, dw_campaign_fn fn, void *ud)
{
    if (v >= C->g.n) return;
    uint32_t *m = NULL, *lab = NULL, ncomm = 0;
    size_t n = dw_cluster_component(&C->g, v, C->p.resolution, &m, &lab, &ncomm);
    camp_reserve(C, C->g.n);
    /* records this component's accounts belonged to */
    uint32_t *old = dw_xmalloc((n ? n : 1) * sizeof *old);
    size_t nold = 0;
    uint64_t req = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = C->camp_of[m[i]];
        if (r) {
            size_t j = 0;
            while (j < nold && old[j] != r - 1) j++;
            if (j == nold) old[nold++] = r - 1;
        }
        C->camp_of[m[i]] = 0;
        req += env->accts->v[m[i]].requests;
    }
    uint32_t *cnt = dw_xcalloc(ncomm ? ncomm : 1, sizeof *cnt);
    for (size_t i = 0; i < n; i++) cnt[lab[i]]++;
    uint32_t *touched = dw_xmalloc((ncomm + nold + 1) * sizeof *touched);
    size_t ntouch = 0;
    for (uint32_t c = 0; c < ncomm; c++) {
        if (cnt[c] < C->p.min_accounts) continue;
        uint32_t earliest = NONE;
        for (size_t i = 0; i < n; i++)
            if (lab[i] == c && (earliest == NONE || earlier(&env->accts->v[m[i]], &env->accts->v[earliest])))
                earliest = m[i];
        const char *eid = env->accts->v[earliest].id;
        char id[DW_CAMPAIGN_ID];
        snprintf(id, sizeof id, "cmp-%012llx", (unsigned long long)(dw_hash(eid, strlen(eid)) & 0xffffffffffffULL));
        uint32_t ri = find_record(C, id);
        if (ri == NONE) ri = new_record(C, id);
        dw_campaign *rec = C->v[ri];
        rec->own = dw_xrealloc(rec->own, cnt[c] * sizeof *rec->own);
        rec->own_link = dw_xrealloc(rec->own_link, cnt[c] * sizeof *rec->own_link);
        rec->own_n = 0;
        for (size_t i = 0; i < n; i++) {
            if (lab[i] != c) continue;
            rec->own[rec->own_n++] = m[i];
            C->camp_of[m[i]] = ri + 1;
        }
        own_edges(C, rec, ri);
        /* edges inside the community, by the kinds that counted */
        memset(rec->own_kind_edges, 0, sizeof rec->own_kind_edges);
        rec->own_edges = 0;
        rec->own_covert = 0;
        rec->own_edge_weight = 0;
        for (uint32_t i = 0; i < rec->own_n; i++) {
            uint32_t a = rec->own[i];
            for (uint32_t ei = C->g.head[a]; ei != NONE; ei = C->g.e[ei].a == a ? C->g.e[ei].next_a : C->g.e[ei].next_b) {
                const dw_gedge *e = &C->g.e[ei];
                if (e->a != a || C->camp_of[e->b] != ri + 1) continue;
                rec->own_edges++;
                rec->own_edge_weight += e->w;
                if (!(e->mask & IDENTITY_KINDS)) rec->own_covert++;
                for (int k = 0; k < DW_LK__COUNT; k++)
                    if (e->mask & (1u << k)) rec->own_kind_edges[k]++;
            }
        }
        touched[ntouch++] = ri;
    }
    /* communities of this component that no community continues */
    for (size_t j = 0; j < nold; j++) {
        size_t k = 0;
        while (k < ntouch && touched[k] != old[j]) k++;
        if (k == ntouch) { C->v[old[j]]->own_n = 0; touched[ntouch++] = old[j]; }
    }
    /* re-judge the campaigns these communities belong to, consolidate the
     * suspicious ones, and report each campaign once */
    uint32_t *roots = dw_xmalloc((ntouch + 1) * sizeof *roots);
    size_t nroot = 0;
    for (size_t k = 0; k < ntouch; k++) {
        uint32_t r = gfind(C, touched[k]);
        size_t j = 0;
        while (j < nroot && roots[j] != r) j++;
        if (j == nroot) roots[nroot++] = r;
    }
    for (size_t k = 0; k < nroot; k++) assemble(C, roots[k], env);
    for (size_t k = 0; k < nroot; k++) roots[k] = consolidate(C, gfind(C, roots[k]), env);
    uint32_t root = dw_graph_find(&C->g, v);
    C->eval_size[root] = (uint32_t)n;
    C->ev_since[root] = 0;
    C->eval_req[root] = req > UINT32_MAX ? UINT32_MAX : (uint32_t)req;
    if (fn)
        for (size_t k = 0; k < nroot; k++) {
            uint32_t r = gfind(C, roots[k]);
            size_t j = 0;
            while (j < k && gfind(C, roots[j]) != r) j++;
            if (j == k && C->v[r]->live && C->v[r]->n) fn(ud, C->v[r]);
        }
    free(roots);
    free(touched);
    free(cnt);
    free(old);
    free(m);
    free(lab);
}

void dw_campaigns_reset_graph(dw_campaigns *C)
{
    dw_graph_clear(&C->g);
    if (C->camp_of) memset(C->camp_of, 0, C->camp_cap * sizeof *C->camp_of);
    if (C->ev_since) {
        memset(C->ev_since, 0, C->sched_cap * sizeof *C->ev_since);
        memset(C->eval_size, 0, C->sched_cap * sizeof *C->eval_size);
        memset(C->eval_req, 0, C->sched_cap * sizeof *C->eval_req);
    }
    /* the final clustering starts from nothing but the fingerprints; only
     * what was alerted is remembered (by id) */
    for (uint32_t i = 0; i < C->n; i++) {
        C->v[i]->live = 0;
        C->v[i]->n = C->v[i]->own_n = 0;
        C->v[i]->group = i;
    }
}

void dw_campaigns_evaluate_all(dw_campaigns *C, const dw_campaign_env *env, dw_campaign_fn fn, void *ud)
{
    for (uint32_t v = 0; v < C->g.n; v++)
        if (dw_graph_find(&C->g, v) == v && C->g.size[v] >= C->p.min_accounts) dw_campaigns_evaluate(C, v, env, fn, ud);
}

void dw_campaigns_restore_alerted(dw_campaigns *C, const char *id, int alerted)
{
    uint32_t r = find_record(C, id);
    if (r == NONE) r = new_record(C, id);
    if (alerted > C->v[r]->alerted) C->v[r]->alerted = (uint8_t)alerted;
}

int dw_campaigns_alerted_at(const dw_campaigns *C, uint32_t i, const char **id, int *alerted)
{
    if (i >= C->n) return 0;
    *id = C->v[i]->id;
    *alerted = C->v[i]->alerted;
    return 1;
}

const dw_campaign *dw_campaign_of(const dw_campaigns *C, uint32_t acct, double *link)
{
    if (link) *link = 0;
    if (acct >= C->camp_cap || !C->camp_of[acct]) return NULL;
    const dw_campaign *c = C->v[gfind(C, C->camp_of[acct] - 1)];
    if (!c->live || !c->n) return NULL;
    uint32_t lo = 0, hi = c->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (c->members[mid] < acct) lo = mid + 1;
        else hi = mid;
    }
    if (lo >= c->n || c->members[lo] != acct) return NULL; /* a bystander, not a member (see assemble) */
    if (link) *link = c->link[lo];
    return c;
}

void dw_campaign_member_ctx(const dw_campaign *c, double link, dw_campaign_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    if (!c) return;
    ctx->id = c->id;
    ctx->reason = c->summary;
    ctx->members = c->n;
    /* a linked group judged benign (an office, a campus) lends nothing */
    ctx->score = c->verdict >= DW_REVIEW ? c->score : 0;
    ctx->link = link;
    ctx->link_median = c->link_median;
}

static int by_rank(const void *x, const void *y)
{
    const dw_campaign *a = *(const dw_campaign *const *)x, *b = *(const dw_campaign *const *)y;
    if (a->verdict != b->verdict) return a->verdict > b->verdict ? -1 : 1;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return strcmp(a->id, b->id);
}

size_t dw_campaigns_list(const dw_campaigns *C, const dw_campaign ***out)
{
    const dw_campaign **l = dw_xmalloc((C->n ? C->n : 1) * sizeof *l);
    size_t k = 0;
    for (uint32_t i = 0; i < C->n; i++)
        if (C->v[i]->live && C->v[i]->n && gfind(C, i) == i) l[k++] = C->v[i];
    qsort(l, k, sizeof *l, by_rank);
    *out = l;
    return k;
}

static int by_str(const void *x, const void *y) { return strcmp(*(const char *const *)x, *(const char *const *)y); }

const char **dw_campaign_member_ids(const dw_campaign *c, const dw_account_table *t)
{
    const char **ids = dw_xmalloc((c->n ? c->n : 1) * sizeof *ids);
    for (uint32_t k = 0; k < c->n; k++) ids[k] = t->v[c->members[k]].id;
    qsort(ids, c->n, sizeof *ids, by_str);
    return ids;
}

const dw_graph *dw_campaigns_graph(const dw_campaigns *C) { return &C->g; }

size_t dw_campaigns_memory(const dw_campaigns *C)
{
    size_t m = dw_graph_memory(&C->g) + (size_t)C->camp_cap * sizeof *C->camp_of + (size_t)C->sched_cap * 12 +
               (size_t)C->idmap_cap * sizeof *C->idmap;
    for (uint32_t i = 0; i < C->n; i++)
        m += sizeof *C->v[i] + (C->v[i]->n + C->v[i]->own_n) * (sizeof(uint32_t) + sizeof(float));
    return m;
}
