/*
 * explain.c -- a campaign's evidence in words, and its indicators.
 *
 * Edges say that two accounts are one operator; a reviewer needs to hear
 * what the whole group shares: "212 accounts use system prompts of one
 * paraphrase family (24 wordings)", "accounts created over 13 days",
 * "moved to a newly released model within 4 hours of each other".  Each
 * statement is computed from the members' fingerprints directly (counting
 * who holds the group's most common value of each kind), so it is true of
 * the campaign as it stands, not of whichever edges happened to be judged.
 * Statements are ordered by how many of the campaign's own edges that kind
 * of evidence carried, so the first one is what actually holds the group
 * together; the pooled behaviour ("together 40,230 requests: 42% of prompts
 * demand the full reasoning") comes last.
 *
 * Indicators are the values a provider can act on or share: member
 * addresses and prefixes, payment fingerprints, user agents, system-prompt
 * hashes and template signatures, most shared first.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "campaign/campaign.h"
#include "campaign/pool.h"
#include "link/link.h"

typedef struct kv {
    uint64_t key;
    uint32_t member;   /* index into c->members */
    uint32_t slot;
} kv;

static int cmp_kv(const void *x, const void *y)
{
    const kv *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    if (a->member != b->member) return a->member < b->member ? -1 : 1;
    return a->slot < b->slot ? -1 : a->slot > b->slot;
}

typedef struct top {
    uint64_t key;       /* most common value */
    uint32_t count;     /* members holding it */
    uint32_t any;       /* value of the first holder (member index) */
    uint32_t slot;
    uint32_t distinct;  /* distinct values */
} top;

/* In sorted v[0..n), the run of pairs with v[i]'s key: where it ends, and
 * how many members it holds (a member with the value in both slots counts
 * once). */
static size_t run_end(const kv *v, size_t n, size_t i, uint32_t *members)
{
    size_t j = i;
    uint32_t last = UINT32_MAX;
    *members = 0;
    for (; j < n && v[j].key == v[i].key; j++) {
        if (v[j].member != last) (*members)++;
        last = v[j].member;
    }
    return j;
}

/* Most common value among kv pairs (members counted once per value). */
static top top_value(kv *v, size_t n)
{
    top t = {0, 0, 0, 0, 0};
    qsort(v, n, sizeof *v, cmp_kv);
    for (size_t i = 0; i < n;) {
        uint32_t members;
        size_t j = run_end(v, n, i, &members);
        t.distinct++;
        if (members > t.count) { t.count = members; t.key = v[i].key; t.any = v[i].member; t.slot = v[i].slot; }
        i = j;
    }
    return t;
}

static void day(int64_t ms, char *out, size_t cap)
{
    char ts[40];
    dw_format_ts(ms, ts, sizeof ts);
    snprintf(out, cap, "%.10s", ts);
}

static void minute(int64_t ms, char *out, size_t cap)
{
    char ts[40];
    dw_format_ts(ms, ts, sizeof ts);
    snprintf(out, cap, "%.10s %.5s UTC", ts, ts + 11);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* Most values within a window of w, over sorted t[0..n): count and start. */
static uint32_t densest(const int64_t *t, size_t n, int64_t w, int64_t *start)
{
    uint32_t best = 0;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        while (t[i] - t[j] > w) j++;
        if (i - j + 1 > best) { best = (uint32_t)(i - j + 1); *start = t[j]; }
    }
    return best;
}

/* Short, printable excerpt of an untrusted text (escaped by the writers). */
static void excerpt(const char *s, size_t max, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; s && s[i] && n + 4 < cap && i < max; i++) {
        char c = s[i];
        out[n++] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    while (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0x80) n--; /* no cut character */
    if (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0xc0) n--;
    out[n] = 0;
    if (s && strlen(s) > max && n + 4 < cap) strcat(out, "...");
}

/* Whether most accounts that use a value are in the campaign (a value
 * shared with half the population describes nobody). */
static int concentrated(const dw_link *L, int tag, uint64_t value, uint32_t members)
{
    uint32_t pop = dw_link_value_count(L, tag, value);
    return pop == 0 || members * 2 >= pop;
}

static int add(dw_evidence *out, int n, int max, const char *signal, double weight, const char *detail)
{
    if (n >= max) return n;
    snprintf(out[n].signal, sizeof out[n].signal, "%s", signal);
    snprintf(out[n].detail, sizeof out[n].detail, "%s", detail);
    out[n].weight = weight;
    return n + 1;
}

static int cmp_ev(const void *x, const void *y)
{
    const dw_evidence *a = x, *b = y;
    if (a->weight != b->weight) return a->weight > b->weight ? -1 : 1;
    return strcmp(a->signal, b->signal);
}

/* Kinds of value gathered beyond the indicator kinds: the evidence also
 * compares clients whose user agent was not kept, and tools schemas. */
enum { KIND_CLIENT = DW_IND__COUNT, KIND_TOOLS };

/* Each member's dominant values of one kind, as (value, member, slot)
 * pairs: the ones its fingerprint saw often enough to call the account's
 * own (an address or prefix twice, a template three times, ...).  v holds
 * 2 per member.  Returns the number of pairs. */
static size_t gather(const dw_campaign *c, const dw_campaign_env *env, int kind, kv *v)
{
    const dw_link *L = env->link;
    size_t k = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        const dw_account *a = &env->accts->v[c->members[i]];
        const dw_link_fp *f = dw_link_fp_of(L, c->members[i]);
        switch (kind) {
        case DW_IND_IP:
            for (uint32_t s = 0; f && s < 2; s++)
                if (f->ip_c[s] >= 2) v[k++] = (kv){dw_hash(f->ip[s], 16), i, s};
            break;
        case DW_IND_PREFIX:
            for (uint32_t s = 0; f && s < 2; s++)
                if (f->ip_c[s] >= 2) v[k++] = (kv){dw_link_prefix_key(f->ip[s]), i, s};
            break;
        case DW_IND_PAYMENT:
            if (a->payment) v[k++] = (kv){dw_hash(a->payment, strlen(a->payment)), i, 0};
            break;
        case DW_IND_UA: /* an indicator needs the user agent itself */
        case KIND_CLIENT:
            if (f && f->client_c >= 2 && (kind == KIND_CLIENT || dw_texts_get(dw_link_texts(L), f->client)))
                v[k++] = (kv){f->client, i, 0};
            break;
        case DW_IND_SYSTEM:
            for (uint32_t s = 0; f && s < 2; s++)
                if (f->sys_c[s] >= 2) v[k++] = (kv){f->sys[s], i, s};
            break;
        case DW_IND_TEMPLATE:
            for (uint32_t s = 0; f && s < 2; s++)
                if (f->tpl_c[s] >= 3) v[k++] = (kv){f->tpl[s], i, s};
            break;
        case KIND_TOOLS:
            if (f && f->tools_c >= 2) v[k++] = (kv){f->tools, i, 0};
            break;
        default: break;
        }
    }
    return k;
}

int dw_campaign_evidence(const dw_campaign *c, const dw_campaign_env *env, dw_evidence *out, int max)
{
    int n = 0;
    if (!c->n || max <= 0) return 0;
    dw_link *L = env->link;
    const dw_account *acc = env->accts->v;
    kv *v = malloc(2 * c->n * sizeof *v + 16);
    int64_t *t = malloc(c->n * sizeof *t + 16);
    if (!v || !t) { free(v); free(t); return 0; }
    char d[400], x[200];
    double per_edge = c->edges ? 1.0 / c->edges : 0;
#define W(kind) ((double)c->kind_edges[kind] * per_edge + 0.01)
    size_t k;
    top tp;

    /* payment */
    k = gather(c, env, DW_IND_PAYMENT, v);
    tp = top_value(v, k);
    if (tp.count >= 2 && concentrated(L, DW_TAG_PAY, tp.key | 1, tp.count)) {
        snprintf(d, sizeof d, "%u of the %u accounts pay with one card (%s); %u cards among %zu accounts with a card on file",
                 tp.count, c->n, acc[c->members[tp.any]].payment, tp.distinct, k);
        n = add(out, n, max, "payment", W(DW_LK_PAYMENT), d);
    }

    /* network */
    k = gather(c, env, DW_IND_PREFIX, v);
    tp = top_value(v, k);
    if (tp.count >= 2 && concentrated(L, DW_TAG_PFX, tp.key, tp.count)) {
        const dw_link_fp *f = dw_link_fp_of(L, c->members[tp.any]);
        dw_link_prefix_text(f->ip[tp.slot], x, sizeof x);
        snprintf(d, sizeof d, "%u accounts send from one network prefix (%s); %u prefixes in all", tp.count, x, tp.distinct);
        n = add(out, n, max, "network", W(DW_LK_NETWORK), d);
    }

    /* client build */
    k = gather(c, env, KIND_CLIENT, v);
    tp = top_value(v, k);
    if (tp.count >= 2 && concentrated(L, DW_TAG_CLIENT, tp.key, tp.count)) {
        const char *ua = dw_texts_get(dw_link_texts(L), tp.key);
        excerpt(ua ? ua : "user agent not recorded", 120, x, sizeof x);
        snprintf(d, sizeof d, "%u accounts send with one client build (user agent \"%s\", same SDK headers)", tp.count, x);
        n = add(out, n, max, "client", W(DW_LK_CLIENT), d);
    }

    /* system prompts: grouped by paraphrase family (or the exact prompt when
     * it has none), keeping only groups concentrated in the campaign -- a
     * prompt most of whose users are members says something about the
     * campaign; "You are a helpful assistant." says nothing */
    k = gather(c, env, DW_IND_SYSTEM, v);
    for (size_t i = 0; i < k; i++) { /* group key: family (tagged) or exact hash */
        uint32_t fid = dw_link_family_of(L, v[i].key);
        if (fid) v[i].key = 0x8000000000000000ULL | fid;
    }
    qsort(v, k, sizeof *v, cmp_kv);
    {
        uint32_t accounts = 0, groups = 0, wordings = 0, best = 0;
        const char *example = NULL;
        uint8_t *seen = calloc(c->n ? c->n : 1, 1);
        for (size_t i = 0; seen && i < k;) {
            uint32_t members;
            size_t j = run_end(v, k, i, &members);
            uint64_t key = v[i].key;
            int is_fam = (key >> 63) != 0;
            uint32_t pop = is_fam ? dw_link_value_count(L, DW_TAG_FAM, (key & 0x7fffffffffffffffULL) - 1)
                                  : dw_link_value_count(L, DW_TAG_SYS, key);
            if (members >= 2 && members * 2 >= pop) {
                groups++;
                wordings += is_fam ? dw_link_family_size(L, (uint32_t)(key & 0xffffffffu)) : 1;
                for (size_t q = i; q < j; q++)
                    if (!seen[v[q].member]) { seen[v[q].member] = 1; accounts++; }
                if (members > best) {
                    best = members;
                    const dw_link_fp *f = dw_link_fp_of(L, c->members[v[i].member]);
                    example = dw_texts_get(dw_link_texts(L), f->sys[v[i].slot]);
                }
            }
            i = j;
        }
        free(seen);
        if (accounts >= 2) {
            excerpt(example ? example : "text not recorded", 110, x, sizeof x);
            if (wordings > 1)
                snprintf(d, sizeof d, "%u accounts use %u wordings of %s system prompt%s (paraphrases, not copies), e.g. \"%s\"",
                         accounts, wordings, groups > 1 ? "a few" : "one", groups > 1 ? "s" : "", x);
            else
                snprintf(d, sizeof d, "%u accounts use the same system prompt, which few other accounts use: \"%s\"", accounts, x);
            n = add(out, n, max, "system_prompt", W(DW_LK_SYSTEM), d);
        }
    }

    /* template */
    k = gather(c, env, DW_IND_TEMPLATE, v);
    tp = top_value(v, k);
    if (tp.count >= 2 && concentrated(L, DW_TAG_TPL, tp.key, tp.count)) {
        const char *txt = dw_texts_get(dw_link_texts(L), tp.key);
        excerpt(txt ? txt : "text not recorded", 80, x, sizeof x);
        snprintf(d, sizeof d, "%u accounts fill one prompt template (\"%s\")", tp.count, x);
        n = add(out, n, max, "template", W(DW_LK_TEMPLATE), d);
    }

    /* tools */
    k = gather(c, env, KIND_TOOLS, v);
    tp = top_value(v, k);
    if (tp.count >= 2 && concentrated(L, DW_TAG_TOOLS, tp.key, tp.count)) {
        snprintf(d, sizeof d, "%u accounts send the same tools schema (%016llx)", tp.count, (unsigned long long)tp.key);
        n = add(out, n, max, "tools", W(DW_LK_TOOLS), d);
    }

    /* sign-up: creation spread and bursts, e-mail domain */
    k = 0;
    for (uint32_t i = 0; i < c->n; i++)
        if (acc[c->members[i]].created_ms != DW_TS_NONE) t[k++] = acc[c->members[i]].created_ms;
    if (k >= 2) {
        qsort(t, k, sizeof *t, cmp_i64);
        int64_t start = t[0];
        uint32_t burst = densest(t, k, 3 * 3600000LL, &start);
        char a[16], b[16];
        day(t[0], a, sizeof a);
        day(t[k - 1], b, sizeof b);
        double span = (double)(t[k - 1] - t[0]) / 86400000.0;
        /* a creation window says something when it is narrow or holds a
         * burst; "created over three years" describes any group */
        if (burst >= 3 && burst * 10 >= k) {
            char m[40];
            minute(start, m, sizeof m);
            snprintf(d, sizeof d, "%zu accounts created over %.0f days (%s to %s); %u of them within 3 hours from %s", k,
                     span, a, b, burst, m);
            n = add(out, n, max, "signup", W(DW_LK_SIGNUP), d);
        } else if (span <= 31) {
            snprintf(d, sizeof d, "%zu accounts created within %.0f days (%s to %s)", k, span < 1 ? 1 : span, a, b);
            n = add(out, n, max, "signup", W(DW_LK_SIGNUP), d);
        }
    }

    /* timing: pivot together, first request together */
    k = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        const dw_link_fp *f = dw_link_fp_of(L, c->members[i]);
        if (f && f->pivot_min != DW_LINK_NO_TIME && f->pivot_all >= 3 && f->pivot_new * 10 >= f->pivot_all * 3)
            t[k++] = (int64_t)f->pivot_min * 60000;
    }
    if (k >= 2) {
        qsort(t, k, sizeof *t, cmp_i64);
        int64_t start = t[0];
        uint32_t together = densest(t, k, 6 * 3600000LL, &start);
        if (together >= 2) {
            char m[40];
            minute(start, m, sizeof m);
            snprintf(d, sizeof d, "%u accounts moved a third or more of their traffic to a newly released model within the same 6 hours (from %s)",
                     together, m);
            n = add(out, n, max, "timing", W(DW_LK_TIMING), d);
        }
    }
    /* first requests together -- not those of accounts already active when
     * the log began, which all "start" at its first hour */
    k = 0;
    int64_t t0 = dw_link_traffic_start(L);
    for (uint32_t i = 0; i < c->n; i++)
        if (t0 == DW_TS_NONE || acc[c->members[i]].first_ms - t0 >= 24 * 3600000LL) t[k++] = acc[c->members[i]].first_ms;
    if (k >= 3) {
        qsort(t, k, sizeof *t, cmp_i64);
        int64_t start = t[0];
        uint32_t together = densest(t, k, 3600000LL, &start);
        if (together >= 3 && together * 2 >= k) {
            char m[40];
            minute(start, m, sizeof m);
            snprintf(d, sizeof d, "%u accounts made their first request within the same hour (from %s)", together, m);
            n = add(out, n, max, "timing", W(DW_LK_TIMING) * 0.5, d);
        }
    }

    /* question bank */
    k = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        const dw_link_fp *f = dw_link_fp_of(L, c->members[i]);
        uint32_t cell = f ? dw_link_bank_cell(f, &acc[c->members[i]]) : 0;
        if (cell) v[k++] = (kv){cell, i, 0};
    }
    tp = top_value(v, k);
    if (tp.count >= 2) {
        uint64_t chars = 0, prompts = 0, digits = 0, questions = 0;
        for (size_t i = 0; i < k; i++) {
            if (v[i].key != tp.key) continue;
            const dw_link_fp *f = dw_link_fp_of(L, c->members[v[i].member]);
            chars += f->len_log;
            prompts += f->prompts;
            digits += f->digits;
            questions += f->questions;
        }
        double mean_chars = prompts ? exp2((double)chars / prompts / 8.0) - 1 : 0;
        snprintf(d, sizeof d, "%u accounts each draw never-repeated questions of one kind (typically ~%.0f characters, %.0f%% with numbers, %.0f%% phrased as questions): one question bank split between them",
                 tp.count, mean_chars, prompts ? 100.0 * digits / prompts : 0, prompts ? 100.0 * questions / prompts : 0);
        n = add(out, n, max, "question_bank", W(DW_LK_BANK), d);
    }

    /* behaviour, pooled */
    dw_pool pool;
    dw_campaign_pool(c, env, &pool);
    dw_config cfg;
    dw_campaign_pooled_config(env->cfg, &pool.acc, &cfg);
    dw_campaign_ctx self;
    dw_campaign_self_ctx(c, &self);
    dw_assessment as;
    dw_assess_ctx(&cfg, &pool.acc, env->pop, &self, &as);
    char why[300];
    dw_assessment_reasons(&as, &pool.acc, 3, why, sizeof why);
    snprintf(d, sizeof d, "together %llu requests over %.1f days from %u accounts%s%s", (unsigned long long)c->requests,
             c->last_ms > c->first_ms ? (double)(c->last_ms - c->first_ms) / 86400000.0 : 0.0, c->n, why[0] ? ": " : "",
             why);
    n = add(out, n, max, "behaviour", -1, d);
#undef W
    free(v);
    free(t);
    qsort(out, (size_t)n, sizeof *out, cmp_ev);
    return n;
}

/* ---- indicators ------------------------------------------------------------------ */

static const char *const ind_names[DW_IND__COUNT] = {
    "ips", "ip_prefixes", "payment_fingerprints", "user_agents", "system_prompt_hashes", "template_signatures",
};

const char *dw_indicator_kind_name(dw_indicator_kind k) { return (unsigned)k < DW_IND__COUNT ? ind_names[k] : "?"; }

static int cmp_ind(const void *x, const void *y)
{
    const dw_indicator *a = x, *b = y;
    if (a->accounts != b->accounts) return a->accounts > b->accounts ? -1 : 1;
    return strcmp(a->value, b->value);
}

int dw_campaign_indicators(const dw_campaign *c, const dw_campaign_env *env, dw_indicator_kind kind, dw_indicator *out,
                           int max)
{
    if (!c->n || max <= 0) return 0;
    dw_link *L = env->link;
    kv *v = malloc(2 * c->n * sizeof *v + 16);
    if (!v) return 0;
    size_t k = gather(c, env, kind, v);
    qsort(v, k, sizeof *v, cmp_kv);
    dw_indicator *tmp = malloc((k ? k : 1) * sizeof *tmp);
    size_t nt = 0;
    for (size_t i = 0; tmp && i < k;) {
        uint32_t members;
        size_t j = run_end(v, k, i, &members);
        dw_indicator *ind = &tmp[nt++];
        ind->accounts = members;
        const dw_account *a = &env->accts->v[c->members[v[i].member]];
        const dw_link_fp *f = dw_link_fp_of(L, c->members[v[i].member]);
        switch (kind) {
        case DW_IND_IP: dw_link_ip_text(f->ip[v[i].slot], ind->value, sizeof ind->value); break;
        case DW_IND_PREFIX: dw_link_prefix_text(f->ip[v[i].slot], ind->value, sizeof ind->value); break;
        case DW_IND_PAYMENT: snprintf(ind->value, sizeof ind->value, "%s", a->payment); break;
        case DW_IND_UA: snprintf(ind->value, sizeof ind->value, "%s", dw_texts_get(dw_link_texts(L), v[i].key)); break;
        default: snprintf(ind->value, sizeof ind->value, "%016llx", (unsigned long long)v[i].key); break;
        }
        i = j;
    }
    if (tmp) qsort(tmp, nt, sizeof *tmp, cmp_ind);
    int n = (int)(nt < (size_t)max ? nt : (size_t)max);
    if (tmp) memcpy(out, tmp, (size_t)n * sizeof *out);
    free(tmp);
    free(v);
    return n;
}
