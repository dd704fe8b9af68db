/* pool.c -- merging account states into one (see pool.h for why each part merges as it does). */
#include <string.h>
#include "campaign/pool.h"

void dw_pool_init(dw_pool *p)
{
    memset(p, 0, sizeof *p);
    dw_account_init(&p->acc);
}

static inline uint32_t add32(uint32_t a, uint32_t b) { return a > UINT32_MAX - b ? UINT32_MAX : a + b; }

static void hll_merge(uint8_t *dst, const uint8_t *src, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++) {
        unsigned lo = (dst[i] & 15u) > (src[i] & 15u) ? dst[i] & 15u : src[i] & 15u;
        unsigned hi = (dst[i] >> 4) > (src[i] >> 4) ? dst[i] >> 4 : src[i] >> 4;
        dst[i] = (uint8_t)(lo | hi << 4);
    }
}

static void rep_merge(dw_account *p, const dw_account *a)
{
    uint8_t level = p->rep_level > a->rep_level ? p->rep_level : a->rep_level;
    uint32_t fp[2 * DW_REP_SLOTS];
    uint32_t cnt[2 * DW_REP_SLOTS];
    unsigned n = 0;
    for (int s = 0; s < 2; s++) {
        const dw_account *src = s ? a : p;
        for (unsigned i = 0; i < src->rep_n; i++) {
            uint32_t f = src->rep_fp[i];
            if (level && (f >> (32 - level)) != 0) continue;
            unsigned j = 0;
            while (j < n && fp[j] != f) j++;
            if (j == n) { fp[n] = f; cnt[n++] = 0; }
            cnt[j] += src->rep_cnt[i];
        }
    }
    /* too many distinct values: raise the level as the sampler would */
    while (n > DW_REP_SLOTS && level < 31) {
        level++;
        unsigned w = 0;
        for (unsigned i = 0; i < n; i++)
            if ((fp[i] >> (32 - level)) == 0) { fp[w] = fp[i]; cnt[w++] = cnt[i]; }
        n = w;
    }
    if (n > DW_REP_SLOTS) n = DW_REP_SLOTS;
    p->rep_level = level;
    p->rep_n = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        p->rep_fp[i] = fp[i];
        p->rep_cnt[i] = (uint16_t)(cnt[i] > UINT16_MAX ? UINT16_MAX : cnt[i]);
    }
}

void dw_pool_add(dw_pool *pool, const dw_account *a) { dw_pool_add_scaled(pool, a, 1.0); }

static inline uint32_t sc(uint32_t v, double w) { return w >= 1 ? v : (uint32_t)(v * w + 0.5); }

void dw_pool_add_scaled(dw_pool *pool, const dw_account *a_in, double w)
{
    dw_account scaled;
    const dw_account *a = a_in;
    if (w < 1) {
        /* the same account, as if it had sent w of its traffic */
        scaled = *a_in;
        uint32_t *c[] = {&scaled.requests, &scaled.gaps, &scaled.overlapped, &scaled.bursts, &scaled.cot, &scaled.rubric,
                         &scaled.dataset, &scaled.jailbreak, &scaled.censor, &scaled.logprobs, &scaled.multi_n,
                         &scaled.budget_large, &scaled.budget_filled, &scaled.single_turn, &scaled.with_system,
                         &scaled.reasoning_resp, &scaled.prompts_seen, &scaled.tools_used, &scaled.hosting,
                         &scaled.post_release, &scaled.pivot_early};
        for (size_t i = 0; i < sizeof c / sizeof *c; i++) *c[i] = sc(*c[i], w);
        if (!scaled.requests) scaled.requests = 1;
        scaled.gap_m2 = (float)(scaled.gap_m2 * w);
        scaled.prompt_tokens = (uint64_t)(scaled.prompt_tokens * w);
        scaled.completion_tokens = (uint64_t)(scaled.completion_tokens * w);
        for (unsigned i = 0; i < scaled.rep_n; i++) scaled.rep_cnt[i] = (uint16_t)(scaled.rep_cnt[i] * w + 0.5 > 1 ? scaled.rep_cnt[i] * w + 0.5 : 1);
        a = &scaled;
    }
    dw_account *p = &pool->acc;
    if (!a->requests) return;
    pool->members++;
    if (p->first_ms == DW_TS_NONE || (a->first_ms != DW_TS_NONE && a->first_ms < p->first_ms)) p->first_ms = a->first_ms;
    if (p->last_ms == DW_TS_NONE || a->last_ms > p->last_ms) p->last_ms = a->last_ms;
    /* creation: the earliest member's (the campaign began no later) */
    if (a->created_ms != DW_TS_NONE && (p->created_ms == DW_TS_NONE || a->created_ms < p->created_ms))
        p->created_ms = a->created_ms;
    uint32_t n0 = p->requests;
    p->requests = add32(p->requests, a->requests);
    if (a->days_active > p->days_active) p->days_active = a->days_active;
    p->prompt_tokens += a->prompt_tokens;
    p->completion_tokens += a->completion_tokens;
    /* gap statistics: Chan et al.'s parallel merge of Welford accumulators */
    if (a->gaps) {
        double na = p->gaps, nb = a->gaps, n = na + nb;
        double d = (double)a->gap_mean - p->gap_mean;
        p->gap_m2 = (float)(p->gap_m2 + a->gap_m2 + d * d * na * nb / n);
        p->gap_mean = (float)(p->gap_mean + d * nb / n);
        p->gaps = add32(p->gaps, a->gaps);
    }
    p->overlapped = add32(p->overlapped, a->overlapped);
    p->bursts = add32(p->bursts, a->bursts);
    double hsum = 0;
    for (int h = 0; h < 24; h++) hsum += a->hours[h];
    if (hsum > 0)
        for (int h = 0; h < 24; h++) pool->hours[h] += a->hours[h] * (double)a->requests / hsum;
    p->cot = add32(p->cot, a->cot);
    p->rubric = add32(p->rubric, a->rubric);
    p->dataset = add32(p->dataset, a->dataset);
    p->jailbreak = add32(p->jailbreak, a->jailbreak);
    p->censor = add32(p->censor, a->censor);
    p->logprobs = add32(p->logprobs, a->logprobs);
    p->multi_n = add32(p->multi_n, a->multi_n);
    p->budget_large = add32(p->budget_large, a->budget_large);
    p->budget_filled = add32(p->budget_filled, a->budget_filled);
    p->single_turn = add32(p->single_turn, a->single_turn);
    p->with_system = add32(p->with_system, a->with_system);
    p->reasoning_resp = add32(p->reasoning_resp, a->reasoning_resp);
    p->prompts_seen = add32(p->prompts_seen, a->prompts_seen);
    p->tools_used = add32(p->tools_used, a->tools_used);
    p->hosting = add32(p->hosting, a->hosting);
    p->cot_langs |= a->cot_langs;
    p->model_switches = (uint16_t)(p->model_switches + a->model_switches > UINT16_MAX ? UINT16_MAX
                                                                                       : p->model_switches + a->model_switches);
    p->topics_twice |= a->topics_twice | (p->topics_once & a->topics_once);
    p->topics_once |= a->topics_once;
    hll_merge(p->prompts.r, a->prompts.r, sizeof p->prompts.r);
    hll_merge(p->prefixes.r, a->prefixes.r, sizeof p->prefixes.r);
    hll_merge(p->end_users.r, a->end_users.r, sizeof p->end_users.r);
    hll_merge(p->prefix_sigs.r, a->prefix_sigs.r, sizeof p->prefix_sigs.r);
    hll_merge(p->suffix_sigs.r, a->suffix_sigs.r, sizeof p->suffix_sigs.r);
    if (n0 == 0) {
        p->rep_level = a->rep_level;
        p->rep_n = a->rep_n;
        memcpy(p->rep_fp, a->rep_fp, sizeof p->rep_fp);
        memcpy(p->rep_cnt, a->rep_cnt, sizeof p->rep_cnt);
    } else {
        rep_merge(p, a);
    }
    for (int i = 0; i < DW_ACCT_ASNS && a->asns[i]; i++) {
        int j;
        for (j = 0; j < DW_ACCT_ASNS && p->asns[j] && p->asns[j] != a->asns[i]; j++) {}
        if (j < DW_ACCT_ASNS) p->asns[j] = a->asns[i];
        else if (p->asn_overflow < 255) p->asn_overflow++;
    }
    p->post_release = add32(p->post_release, a->post_release);
    p->pivot_early = add32(p->pivot_early, a->pivot_early);
}

void dw_pool_done(dw_pool *pool)
{
    double mx = 0;
    for (int h = 0; h < 24; h++)
        if (pool->hours[h] > mx) mx = pool->hours[h];
    for (int h = 0; h < 24; h++) pool->acc.hours[h] = (uint8_t)(mx > 0 ? pool->hours[h] * 255.0 / mx + 0.5 : 0);
}
