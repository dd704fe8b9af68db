/*
 * link.c -- fingerprints, registration and candidate generation (the pair
 * judgement is in evidence.c; see link.h for the method).
 *
 * Lifecycle of an account here:
 *  - from its 4th request it has a fingerprint (before that it has no
 *    dominant values, and a million one-off accounts must cost nothing);
 *  - at 8, 12, 18, ... requests (x1.5) it registers the values that have
 *    become dominant since the last time, and each newly registered value
 *    brings the account face to face with the value's nearest sample
 *    members; every such pair is judged on the full fingerprints;
 *  - values that stop being dominant are not withdrawn from the index: the
 *    count then means "accounts that used this value", which is what its
 *    rarity should measure anyway, and withdrawing would need a copy of
 *    every registered value per account.
 *
 * The final verdicts use dw_link_rebuild(), which forgets the index and
 * registers every fingerprint afresh in account order, so that they depend
 * on the fingerprints only, never on when registrations happened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "link/link_int.h"
#include "common/util.h"


/* reg_flags: slots registered (cleared when the slot changes value) */
enum {
    RF_SYS0 = 1u << 0, RF_SYS1 = 1u << 1, RF_TPL0 = 1u << 2, RF_TPL1 = 1u << 3, RF_IP0 = 1u << 4,
    RF_IP1 = 1u << 5, RF_CLIENT = 1u << 6, RF_TOOLS = 1u << 7, RF_ASN = 1u << 8, RF_PAY = 1u << 9,
    RF_EMAIL = 1u << 10, RF_CREATED = 1u << 11, RF_FIRST = 1u << 12, RF_PIVOT = 1u << 13,
};
#define RF_TAG(tag) (1u << (16 + (tag)))

static const char *const kind_names[DW_LK__COUNT] = {
    "payment", "network", "client", "system_prompt", "template", "tools", "signup", "timing", "question_bank",
};

const char *dw_link_kind_name(dw_link_kind k) { return (unsigned)k < DW_LK__COUNT ? kind_names[k] : "?"; }

void dw_link_params_default(dw_link_params *p)
{
    p->kind_min = 1.0;
    p->kind_cap = 6.0;
    p->edge_min = 5.0;
    p->min_kinds = 2;
    p->sample_cap = 64;
    p->compare_w = 12;
}

dw_link *dw_link_new(const dw_link_params *p)
{
    dw_link *L = dw_xcalloc(1, sizeof *L);
    if (p) L->p = *p;
    else dw_link_params_default(&L->p);
    dw_lk_init(&L->idx, L->p.sample_cap);
    dw_family_init(&L->fam);
    L->traffic_start_ms = DW_TS_NONE;
    for (int i = 0; i < DW_TAG__COUNT; i++) { L->bmin[i] = INT64_MAX; L->bmax[i] = INT64_MIN; }
    dw_texts_init(&L->texts);
    return L;
}

void dw_link_free(dw_link *L)
{
    if (!L) return;
    free(L->fp);
    free(L->slot_of);
    free(L->acct_of);
    free(L->cand);
    dw_lk_free(&L->idx);
    dw_family_free(&L->fam);
    dw_texts_free(&L->texts);
    free(L);
}

const dw_link_fp *dw_link_fp_of(const dw_link *L, uint32_t acct) { return dw_link_fp_at(L, acct); }
uint32_t dw_link_population(const dw_link *L) { return L->nfp; }
const dw_texts *dw_link_texts(const dw_link *L) { return &L->texts; }
dw_texts *dw_link_texts_mut(dw_link *L) { return &L->texts; }

dw_link_fp *dw_link_fp_alloc(dw_link *L, uint32_t acct)
{
    dw_link_fp *have = dw_link_fp_at(L, acct);
    if (have) return have;
    if (acct >= L->slot_cap) {
        uint32_t nc = L->slot_cap ? L->slot_cap : 1024;
        while (nc <= acct) nc *= 2;
        L->slot_of = dw_xrealloc(L->slot_of, nc * sizeof *L->slot_of);
        memset(L->slot_of + L->slot_cap, 0, (nc - L->slot_cap) * sizeof *L->slot_of);
        L->slot_cap = nc;
    }
    if (L->nfp == L->fp_cap) {
        /* x1.5 like the account table: fingerprints dominate at scale */
        L->fp_cap = L->fp_cap ? L->fp_cap + L->fp_cap / 2 : 1024;
        L->fp = dw_xrealloc(L->fp, L->fp_cap * sizeof *L->fp);
        L->acct_of = dw_xrealloc(L->acct_of, L->fp_cap * sizeof *L->acct_of);
    }
    dw_link_fp *fp = &L->fp[L->nfp];
    dw_link_fp_init(fp);
    L->acct_of[L->nfp] = acct;
    L->slot_of[acct] = ++L->nfp;
    return fp;
}

/* ---- texts ---------------------------------------------------------------- */

/* The first or last `words` words of a text, as a view. */
static void words_view(const char *s, size_t n, int from_end, int words, const char **out, size_t *len)
{
    size_t i, k = 0;
    if (!from_end) {
        i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) i++;
        size_t start = i;
        int in = 0;
        for (; i < n; i++) {
            int sp = s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r';
            if (!sp && !in) { if (k == (size_t)words) break; k++; }
            in = !sp;
        }
        while (i > start && (s[i - 1] == ' ' || s[i - 1] == '\n' || s[i - 1] == '\t' || s[i - 1] == '\r')) i--;
        *out = s + start;
        *len = i - start;
    } else {
        i = n;
        while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\n' || s[i - 1] == '\t' || s[i - 1] == '\r')) i--;
        size_t end = i;
        int in = 0;
        for (; i > 0; i--) {
            int sp = s[i - 1] == ' ' || s[i - 1] == '\n' || s[i - 1] == '\t' || s[i - 1] == '\r';
            if (!sp && !in) { if (k == (size_t)words) break; k++; }
            in = !sp;
        }
        while (i < end && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) i++;
        *out = s + i;
        *len = end - i;
    }
}

void dw_link_note_event(dw_link *L, const dw_event *ev, const dw_features *f)
{
    if (f->system_hash && ev->system_prompt.p) dw_texts_offer(&L->texts, f->system_hash, ev->system_prompt.p, ev->system_prompt.n);
    if (f->client_fp && ev->user_agent.p) dw_texts_offer(&L->texts, f->client_fp, ev->user_agent.p, ev->user_agent.n);
    if (f->prompt_hash && ev->prompt.p) {
        /* the template's words are cut out only when they are to be kept */
        const char *p;
        size_t n;
        if (dw_texts_wanted(&L->texts, f->prefix_sig)) {
            words_view(ev->prompt.p, ev->prompt.n, 0, 6, &p, &n);
            dw_texts_put(&L->texts, f->prefix_sig, p, n);
        }
        if (dw_texts_wanted(&L->texts, f->suffix_sig)) {
            words_view(ev->prompt.p, ev->prompt.n, 1, 6, &p, &n);
            dw_texts_put(&L->texts, f->suffix_sig, p, n);
        }
    }
}

/* ---- observation ------------------------------------------------------------ */

static void family_merged(void *ud, uint32_t from, uint32_t to);

int dw_link_observe(dw_link *L, const dw_account_table *t, const dw_obs *o, const dw_link_ctx *ctx)
{
    const dw_account *a = &t->v[o->account];
    L->t = t;
    if (L->traffic_start_ms == DW_TS_NONE) L->traffic_start_ms = ctx->traffic_start_ms;
    dw_link_fp *fp = dw_link_fp_at(L, o->account);
    if (!fp) {
        if (a->requests < DW_LINK_FP_REQUESTS) return 0;
        fp = dw_link_fp_alloc(L, o->account);
    }
    dw_link_fp old = *fp;
    dw_link_fp_observe(fp, a, o, ctx);
    /* a slot that changed value must register again */
    for (int i = 0; i < 2; i++) {
        if (fp->sys[i] != old.sys[i] || !fp->sys_c[i]) { fp->reg_flags &= ~(RF_SYS0 << i); fp->family[i] = 0; }
        if (fp->tpl[i] != old.tpl[i] || !fp->tpl_c[i]) fp->reg_flags &= ~(RF_TPL0 << i);
        if (dw_link_prefix_key(fp->ip[i]) != dw_link_prefix_key(old.ip[i]) || !fp->ip_c[i]) fp->reg_flags &= ~(RF_IP0 << i);
    }
    if (fp->client != old.client) fp->reg_flags &= ~RF_CLIENT;
    if (fp->tools != old.tools) fp->reg_flags &= ~RF_TOOLS;
    /* a system prompt seen twice by one account enters the registry, with
     * the sketch this request carries */
    uint64_t sh = o->f.system_hash;
    if (sh)
        for (int i = 0; i < 2; i++)
            if (fp->sys[i] == sh && fp->sys_c[i] == 2 && dw_family_find(&L->fam, sh) == UINT32_MAX)
                dw_family_add(&L->fam, sh, &o->f.sys_mh, family_merged, L);
    if (a->requests < DW_LINK_MIN_REQUESTS) return 0;
    return a->requests >= fp->reg_at + (fp->reg_at >> 1) + (fp->reg_at ? 0 : DW_LINK_MIN_REQUESTS);
}

/* ---- registration ------------------------------------------------------------ */

typedef struct value {
    uint64_t key;
    int tag;
    int64_t bucket;       /* time tags: the hour bucket (neighbours are candidates too) */
} value;

#define MAX_VALUES 24

static int64_t bucket_of(int tag, int64_t hour)
{
    int w = tag == DW_TAG_CREATED ? DW_CREATED_WINDOW_H : tag == DW_TAG_PIVOT ? DW_PIVOT_WINDOW_H : DW_FIRST_WINDOW_H;
    return hour >= 0 ? hour / w : -((-hour + w - 1) / w);
}

static uint64_t time_key(int tag, int64_t bucket) { return dw_link_key(tag, (uint64_t)bucket); }

uint32_t dw_link_near_count(const dw_link *L, int tag, int64_t h, int w)
{
    int64_t b = bucket_of(tag, h);
    uint32_t n = 0;
    for (int64_t k = b - w; k <= b + w; k++) n += dw_lk_count(&L->idx, time_key(tag, k));
    return n;
}

void dw_link_set_traffic_start(dw_link *L, int64_t ms)
{
    if (ms != DW_TS_NONE && (L->traffic_start_ms == DW_TS_NONE || ms < L->traffic_start_ms)) L->traffic_start_ms = ms;
}

int64_t dw_link_traffic_start(const dw_link *L) { return L->traffic_start_ms; }

uint32_t dw_link_value_count(const dw_link *L, int tag, uint64_t v) { return dw_lk_count(&L->idx, dw_link_key(tag, v)); }

static uint64_t str_hash(const char *s) { return s ? dw_hash(s, strlen(s)) | 1 : 0; }

/* The account's current registrable values.  With `only_new`, only those not
 * registered yet, and their flags are set. */
static int list_values(dw_link *L, dw_link_fp *fp, const dw_account *a, int only_new, value *out)
{
    int n = 0;
#define ADD(flag, tag_, v_) do { \
        if (!only_new || !(fp->reg_flags & (flag))) { \
            out[n].key = dw_link_key((tag_), (v_)); out[n].tag = (tag_); out[n].bucket = INT64_MIN; n++; \
            fp->reg_flags |= (flag); \
        } } while (0)
#define ADD_TIME(flag, tag_, hour_) do { \
        if (!only_new || !(fp->reg_flags & (flag))) { \
            out[n].bucket = bucket_of((tag_), (hour_)); out[n].key = time_key((tag_), out[n].bucket); \
            out[n].tag = (tag_); n++; fp->reg_flags |= (flag); \
        } } while (0)
    if (a->payment) ADD(RF_PAY, DW_TAG_PAY, str_hash(a->payment));
    if (a->created_ms != DW_TS_NONE) ADD_TIME(RF_CREATED, DW_TAG_CREATED, dw_link_hour(a->created_ms));
    /* accounts active when the log began did not start then */
    if (a->first_ms != DW_TS_NONE && L->traffic_start_ms != DW_TS_NONE && a->first_ms - L->traffic_start_ms >= DW_FIRST_AFTER_MS)
        ADD_TIME(RF_FIRST, DW_TAG_FIRST, dw_link_hour(a->first_ms));
    for (int i = 0; i < 2; i++) {
        if (fp->sys_c[i] >= 2) {
            ADD(RF_SYS0 << i, DW_TAG_SYS, fp->sys[i]);
            uint32_t e = dw_family_find(&L->fam, fp->sys[i]);
            if (e != UINT32_MAX && dw_family_eligible(&L->fam.v[e].mh)) {
                uint32_t root = dw_family_root(&L->fam, e);
                int fresh = !fp->family[i] || dw_family_root(&L->fam, fp->family[i] - 1) != root;
                if (!only_new || fresh) {
                    out[n].key = dw_link_key(DW_TAG_FAM, root);
                    out[n].tag = DW_TAG_FAM;
                    out[n].bucket = INT64_MIN;
                    n++;
                    fp->family[i] = root + 1;
                }
            }
        }
        if (fp->tpl_c[i] >= 3) ADD(RF_TPL0 << i, DW_TAG_TPL, fp->tpl[i]);
        if (fp->ip_c[i] >= 2) ADD(RF_IP0 << i, DW_TAG_PFX, dw_link_prefix_key(fp->ip[i]));
    }
    if (fp->client_c >= 2) ADD(RF_CLIENT, DW_TAG_CLIENT, fp->client);
    if (fp->tools_c >= 2) ADD(RF_TOOLS, DW_TAG_TOOLS, fp->tools);
    if (fp->pivot_min != DW_LINK_NO_TIME && fp->pivot_all >= 3)
        ADD_TIME(RF_PIVOT, DW_TAG_PIVOT, (int64_t)fp->pivot_min / 60);
    uint32_t cell = dw_link_bank_cell(fp, a);
    if (cell && (!only_new || cell != fp->bank_cell)) {
        out[n].key = dw_link_key(DW_TAG_BANK, cell);
        out[n].tag = DW_TAG_BANK;
        out[n].bucket = INT64_MIN;
        n++;
        fp->bank_cell = cell;
    }
#undef ADD
#undef ADD_TIME
    return n;
}

static void cand_reserve(dw_link *L, size_t n)
{
    if (n <= L->cand_cap) return;
    L->cand_cap = n * 2;
    L->cand = dw_xrealloc(L->cand, L->cand_cap * sizeof *L->cand);
}

/* Candidates for account acct from value v, appended at L->cand[*nc]. */
static void collect(dw_link *L, const value *v, uint32_t acct, uint64_t ahash, size_t *nc)
{
    size_t w = L->p.compare_w;
    if (v->bucket == INT64_MIN) {
        cand_reserve(L, *nc + w);
        *nc += dw_lk_near(&L->idx, v->key, dw_lk_prio(ahash, v->key), acct, w, L->cand + *nc);
        return;
    }
    /* a time value: its own bucket and both neighbours */
    for (int64_t b = v->bucket - 1; b <= v->bucket + 1; b++) {
        uint64_t key = time_key(v->tag, b);
        size_t ww = b == v->bucket ? w : w / 2;
        cand_reserve(L, *nc + ww);
        *nc += dw_lk_near(&L->idx, key, dw_lk_prio(ahash, key), acct, ww, L->cand + *nc);
    }
}

/* How many accounts have a question-bank profile close to this one: the
 * close share of the cell's sample, scaled to the cell's count.  This is
 * the rarity that matters for a profile match (the cell is only coarse). */
static void bank_density(dw_link *L, dw_link_fp *fp, uint32_t acct, const dw_account *a)
{
    fp->bank_near = 0;
    double px[DW_BANK_DIMS], py[DW_BANK_DIMS];
    uint32_t nx = dw_link_bank_profile(fp, a, px);
    if (!nx) return;
    uint64_t key = dw_link_key(DW_TAG_BANK, dw_link_bank_cell(fp, a));
    uint32_t n_cell = dw_lk_count(&L->idx, key);
    uint32_t cand[64];
    size_t k = dw_lk_near(&L->idx, key, dw_lk_prio(a->id_hash, key), acct, 64, cand), close = 0;
    for (size_t i = 0; i < k; i++) {
        const dw_link_fp *g = dw_link_fp_at(L, cand[i]);
        uint32_t ny = g ? dw_link_bank_profile(g, &L->t->v[cand[i]], py) : 0;
        close += ny && dw_link_bank_close(px, nx, py, ny);
    }
    double est = k ? (double)(close + 1) * n_cell / (double)(k + 1) : 1;
    fp->bank_near = est < 1 ? 1 : est > UINT32_MAX ? UINT32_MAX : (uint32_t)(est + 0.5);
}

static void add_values(dw_link *L, dw_link_fp *fp, uint32_t acct, uint64_t ahash, const value *vals, int n)
{
    for (int i = 0; i < n; i++) {
        dw_lk_add(&L->idx, vals[i].key, acct, dw_lk_prio(ahash, vals[i].key));
        if (vals[i].bucket != INT64_MIN) {
            if (vals[i].bucket < L->bmin[vals[i].tag]) L->bmin[vals[i].tag] = vals[i].bucket;
            if (vals[i].bucket > L->bmax[vals[i].tag]) L->bmax[vals[i].tag] = vals[i].bucket;
        }
        if (!(fp->reg_flags & RF_TAG(vals[i].tag))) {
            fp->reg_flags |= RF_TAG(vals[i].tag);
            L->tag_n[vals[i].tag]++;
        }
    }
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static void judge(dw_link *L, const dw_account_table *t, uint32_t acct, size_t nc, dw_link_edge_fn fn, void *ud)
{
    qsort(L->cand, nc, sizeof *L->cand, cmp_u32);
    for (size_t i = 0; i < nc; i++) {
        if (i && L->cand[i] == L->cand[i - 1]) continue;
        uint32_t y = L->cand[i];
        if (y == acct || !dw_link_fp_at(L, y)) continue;
        dw_link_pair pr;
        if (!dw_link_compare(L, t, acct, y, &pr)) continue;
        dw_link_edge e = {acct < y ? acct : y, acct < y ? y : acct, pr.total, 0};
        for (int k = 0; k < DW_LK__COUNT; k++)
            if (pr.w[k] >= L->p.kind_min) e.mask |= (uint16_t)(1u << k);
        fn(ud, &e);
    }
}

void dw_link_register(dw_link *L, const dw_account_table *t, uint32_t acct, dw_link_edge_fn fn, void *ud)
{
    dw_link_fp *fp = dw_link_fp_at(L, acct);
    if (!fp) return;
    L->t = t;
    const dw_account *a = &t->v[acct];
    if (!fp->reg_at) L->registered++;
    fp->reg_at = a->requests;
    value vals[MAX_VALUES];
    int n = list_values(L, fp, a, 1, vals);
    size_t nc = 0;
    for (int i = 0; i < n; i++) collect(L, &vals[i], acct, a->id_hash, &nc);
    add_values(L, fp, acct, a->id_hash, vals, n);
    bank_density(L, fp, acct, a);
    if (nc && fn) judge(L, t, acct, nc, fn, ud);
}

void dw_link_rebuild(dw_link *L, const dw_account_table *t, dw_link_edge_fn fn, void *ud)
{
    L->t = t;
    dw_lk_clear(&L->idx);
    memset(L->tag_n, 0, sizeof L->tag_n);
    L->registered = 0;
    for (int i = 0; i < DW_TAG__COUNT; i++) { L->bmin[i] = INT64_MAX; L->bmax[i] = INT64_MIN; }
    value vals[MAX_VALUES];
    /* pass 1: every account's values, in account order */
    for (uint32_t acct = 0; acct < t->n && acct < L->slot_cap; acct++) {
        dw_link_fp *fp = dw_link_fp_at(L, acct);
        if (!fp) continue;
        const dw_account *a = &t->v[acct];
        fp->reg_flags = 0;
        fp->family[0] = fp->family[1] = 0;
        fp->bank_cell = 0;
        if (a->requests < DW_LINK_MIN_REQUESTS) continue;
        L->registered++;
        int n = list_values(L, fp, a, 0, vals);
        add_values(L, fp, acct, a->id_hash, vals, n);
    }
    for (uint32_t acct = 0; acct < t->n && acct < L->slot_cap; acct++) {
        dw_link_fp *fp = dw_link_fp_at(L, acct);
        if (fp && t->v[acct].requests >= DW_LINK_MIN_REQUESTS) bank_density(L, fp, acct, &t->v[acct]);
    }
    if (!fn) return;
    /* pass 2: judge every account against its candidates */
    for (uint32_t acct = 0; acct < t->n && acct < L->slot_cap; acct++) {
        dw_link_fp *fp = dw_link_fp_at(L, acct);
        const dw_account *a = &t->v[acct];
        if (!fp || a->requests < DW_LINK_MIN_REQUESTS) continue;
        uint32_t flags = fp->reg_flags;
        uint32_t fam[2] = {fp->family[0], fp->family[1]};
        uint32_t cell = fp->bank_cell;
        int n = list_values(L, fp, a, 0, vals);
        fp->reg_flags = flags;
        fp->family[0] = fam[0];
        fp->family[1] = fam[1];
        fp->bank_cell = cell;
        size_t nc = 0;
        for (int i = 0; i < n; i++) collect(L, &vals[i], acct, a->id_hash, &nc);
        if (nc) judge(L, t, acct, nc, fn, ud);
    }
}

/* ---- families ------------------------------------------------------------------ */

static uint64_t acct_hash_of(void *ud, uint32_t acct)
{
    dw_link *L = ud;
    return L->t ? L->t->v[acct].id_hash : acct;
}

static void family_merged(void *ud, uint32_t from, uint32_t to)
{
    dw_link *L = ud;
    /* accounts registered under the absorbed family now count for the whole */
    dw_lk_merge(&L->idx, dw_link_key(DW_TAG_FAM, from), dw_link_key(DW_TAG_FAM, to), acct_hash_of, L);
}

uint32_t dw_link_family_of(dw_link *L, uint64_t sys_hash)
{
    uint32_t e = dw_family_find(&L->fam, sys_hash);
    if (e == UINT32_MAX || !dw_family_eligible(&L->fam.v[e].mh)) return 0;
    return dw_family_root(&L->fam, e) + 1;
}

uint32_t dw_link_family_size(const dw_link *L, uint32_t fid)
{
    return fid && fid - 1 < L->fam.n ? L->fam.v[fid - 1].size : 1;
}

uint32_t dw_link_registry_size(const dw_link *L) { return L->fam.n; }

void dw_link_registry_get(const dw_link *L, uint32_t i, uint64_t *hash, dw_minhash *mh)
{
    *hash = L->fam.v[i].hash;
    *mh = L->fam.v[i].mh;
}

void dw_link_registry_add(dw_link *L, uint64_t hash, const dw_minhash *mh)
{
    dw_family_add(&L->fam, hash, mh, family_merged, L);
}

size_t dw_link_fp_memory(const dw_link *L)
{
    return (size_t)L->fp_cap * (sizeof *L->fp + sizeof *L->acct_of) + (size_t)L->slot_cap * sizeof *L->slot_of;
}

size_t dw_link_memory(const dw_link *L)
{
    return dw_link_fp_memory(L) + dw_lk_memory(&L->idx) + dw_family_memory(&L->fam) + dw_texts_memory(&L->texts) +
           L->cand_cap * sizeof *L->cand;
}
