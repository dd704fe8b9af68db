/*
 * account.c -- folding one request into an account's state.
 *
 * Every branch here is O(1) and touches only the account's own struct.  The
 * choices that matter for detection quality:
 *  - Timing regularity is measured only on gaps shorter than 30 minutes, so
 *    that a human's nights and weekends do not make their in-session pacing
 *    look irregular, nor a bot's pause between batches make it look human.
 *  - "Budget filled" counts completions that used >= 90% of max_tokens or
 *    stopped on length: a harvester sets a large budget and the model fills it.
 *  - Topics count once seen twice, so that a single stray keyword does not
 *    widen an account's apparent coverage.
 */
#include <math.h>
#include <string.h>
#include "state/account.h"

#define SESSION_GAP_MS (30 * 60 * 1000)
#define BUDGET_LARGE   4000

void dw_account_init(dw_account *a)
{
    memset(a, 0, sizeof *a);
    a->created_ms = DW_TS_NONE;
    a->verified = 0xff;
    a->first_ms = a->last_ms = DW_TS_NONE;
    a->last_day = -1;
    a->next_eval = 8;
}

int dw_account_distinct_asns(const dw_account *a)
{
    int n = 0;
    for (int i = 0; i < DW_ACCT_ASNS; i++) n += a->asns[i] != 0;
    return n + a->asn_overflow;
}

static inline void sat_inc(uint32_t *x) { if (*x != UINT32_MAX) (*x)++; }

/* Distinct sampling (Gibbons): a prompt is in the sample when the top
 * `level` bits of its hash are zero, and then all its occurrences are
 * counted.  When the sample overflows, the level rises and the values that no
 * longer qualify leave.  The repeat share among sampled values estimates the
 * repeat share of the whole stream without bias, and is exactly 0 for an
 * account that never repeats -- unlike a HyperLogLog ratio, whose noise would
 * invent repeats for a harvester. */
static void repeat_sample(dw_account *a, uint64_t h)
{
    uint32_t fp = (uint32_t)(h >> 32);
    if (a->rep_level && (fp >> (32 - a->rep_level)) != 0) return;
    for (unsigned i = 0; i < a->rep_n; i++)
        if (a->rep_fp[i] == fp) { if (a->rep_cnt[i] != UINT16_MAX) a->rep_cnt[i]++; return; }
    while (a->rep_n == DW_REP_SLOTS && a->rep_level < 31) {
        a->rep_level++;
        unsigned w = 0;
        for (unsigned i = 0; i < a->rep_n; i++)
            if ((a->rep_fp[i] >> (32 - a->rep_level)) == 0) { a->rep_fp[w] = a->rep_fp[i]; a->rep_cnt[w++] = a->rep_cnt[i]; }
        a->rep_n = (uint8_t)w;
        if ((fp >> (32 - a->rep_level)) != 0) return;
    }
    if (a->rep_n < DW_REP_SLOTS) { a->rep_fp[a->rep_n] = fp; a->rep_cnt[a->rep_n++] = 1; }
}

double dw_account_repeat_share(const dw_account *a)
{
    uint64_t occ = 0, rep = 0;
    for (unsigned i = 0; i < a->rep_n; i++) { occ += a->rep_cnt[i]; rep += a->rep_cnt[i] - 1u; }
    return occ ? (double)rep / (double)occ : 0;
}

void dw_account_observe(dw_account *a, const dw_obs *o, const dw_obs_ctx *ctx)
{
    a->dirty = 1;
    int64_t t = o->ts_ms;
    if (a->requests == 0) a->first_ms = t;
    if (a->last_ms != DW_TS_NONE) {
        int64_t gap = t - a->last_ms;
        if (gap >= 0 && gap < SESSION_GAP_MS) {
            double g = (double)gap / 1000.0;
            a->gaps++;
            double d = g - a->gap_mean;
            a->gap_mean += (float)(d / a->gaps);
            a->gap_m2 += (float)(d * (g - a->gap_mean));
        }
        if (gap >= 0 && gap < 1000) sat_inc(&a->bursts);
        if (t < a->busy_until_ms) sat_inc(&a->overlapped);
    }
    if (a->last_ms == DW_TS_NONE || t > a->last_ms) a->last_ms = t;
    if (o->latency_ms > 0) {
        int64_t end = t + o->latency_ms;
        if (end > a->busy_until_ms) a->busy_until_ms = end;
    }
    int32_t day = (int32_t)(t >= 0 ? t / 86400000 : -1);
    if (day != a->last_day) { a->days_active++; a->last_day = day; }
    int hour = (int)((t / 3600000) % 24);
    if (hour < 0) hour += 24;
    if (a->hours[hour] == UINT8_MAX) /* keep the shape, lose the scale: halve every bin */
        for (int h = 0; h < 24; h++) a->hours[h] = (uint8_t)(a->hours[h] / 2);
    a->hours[hour]++;
    sat_inc(&a->requests);
    if (o->prompt_tokens > 0) a->prompt_tokens += (uint64_t)o->prompt_tokens;
    if (o->completion_tokens > 0) a->completion_tokens += (uint64_t)o->completion_tokens;

    const dw_pattern_hits *h = &o->f.hits;
    if (h->cats & (1u << DW_PAT_COT)) { sat_inc(&a->cot); a->cot_langs |= (uint16_t)h->cot_langs; }
    if (h->cats & (1u << DW_PAT_RUBRIC)) sat_inc(&a->rubric);
    if (h->cats & (1u << DW_PAT_DATASET)) sat_inc(&a->dataset);
    if (h->cats & (1u << DW_PAT_JAILBREAK)) sat_inc(&a->jailbreak);
    if (h->cats & (1u << DW_PAT_CENSOR)) sat_inc(&a->censor);
    a->topics_twice |= a->topics_once & h->topics;
    a->topics_once |= h->topics;

    if (o->logprobs == 1 || o->top_logprobs > 0) sat_inc(&a->logprobs);
    if (o->n > 1) sat_inc(&a->multi_n);
    if (o->max_tokens >= BUDGET_LARGE) sat_inc(&a->budget_large);
    if (o->finish_length || (o->max_tokens > 0 && o->completion_tokens >= 0 &&
                             (int64_t)o->completion_tokens * 10 >= (int64_t)o->max_tokens * 9))
        sat_inc(&a->budget_filled);
    if (o->single_turn) sat_inc(&a->single_turn);
    if (o->f.system_hash) sat_inc(&a->with_system);
    if (o->has_reasoning) sat_inc(&a->reasoning_resp);
    if (o->has_tools) sat_inc(&a->tools_used);
    if (o->asn_hosting) sat_inc(&a->hosting);
    if (o->f.prompt_hash) {
        sat_inc(&a->prompts_seen);
        dw_hll_add(&a->prompts, o->f.prompt_hash);
        repeat_sample(a, o->f.prompt_hash);
        /* a template's fixed text is at one end or the other; the number of
         * templates is the smaller of the two distinct-signature counts */
        dw_hll16_add(&a->prefix_sigs, o->f.prefix_sig);
        dw_hll16_add(&a->suffix_sigs, o->f.suffix_sig);
    }
    if (o->end_user_hash) dw_hll_add(&a->end_users, o->end_user_hash);
    if (o->f.ip_prefix_hash) dw_hll_add(&a->prefixes, o->f.ip_prefix_hash);
    if (o->asn) {
        int i;
        for (i = 0; i < DW_ACCT_ASNS && a->asns[i] && a->asns[i] != o->asn; i++) {}
        if (i < DW_ACCT_ASNS) a->asns[i] = o->asn;
        else if (a->asn_overflow < 255) a->asn_overflow++;
    }
    if (o->model) {
        if (a->last_model && a->last_model != o->model && a->model_switches < UINT16_MAX) a->model_switches++;
        a->last_model = o->model;
    }
    /* pivot: in the 24 h after a release, did this established account move to it? */
    if (ctx->last_release_ms != DW_TS_NONE && t - ctx->last_release_ms < 86400000 &&
        a->first_ms < ctx->last_release_ms) {
        sat_inc(&a->post_release);
        if (ctx->model_is_release && ctx->model_first_seen == ctx->last_release_ms) sat_inc(&a->pivot_early);
    }
}
