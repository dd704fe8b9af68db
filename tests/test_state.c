/* test_state.c -- account state: the repeat sampler, timing, pivot context;
 * and verdict rules that protect legitimate heavy users. */
#include "testutil.h"
#include <math.h>
#include "state/account.h"
#include "score/score.h"
#include "state/population.h"
#include "state/reorder.h"
#include "state/table.h"

static dw_obs obs_at(int64_t ts, uint64_t prompt_hash)
{
    dw_obs o;
    memset(&o, 0, sizeof o);
    o.ts_ms = ts;
    o.f.prompt_hash = prompt_hash;
    o.f.prefix_sig = o.f.suffix_sig = 77;
    o.max_tokens = o.completion_tokens = o.prompt_tokens = o.latency_ms = o.n = o.top_logprobs = -1;
    o.logprobs = -1;
    return o;
}

static const dw_obs_ctx no_ctx = {INT64_MIN, 0, INT64_MIN};

static void test_repeat_share(void **state)
{
    (void)state;
    dw_account a;
    dw_account_init(&a);
    /* 5000 distinct prompts: exactly no repeats, whatever the sampling level */
    for (uint64_t i = 0; i < 5000; i++) {
        dw_obs o = obs_at((int64_t)i * 1000, dw_mix64(i + 1));
        dw_account_observe(&a, &o, &no_ctx);
    }
    assert_true(dw_account_repeat_share(&a) == 0.0);
    assert_true(a.rep_level > 0); /* the sample adapted */
    /* every prompt twice: half the requests are repeats */
    dw_account b;
    dw_account_init(&b);
    for (uint64_t i = 0; i < 4000; i++) {
        dw_obs o = obs_at((int64_t)i * 1000, dw_mix64(i / 2 + 1));
        dw_account_observe(&b, &o, &no_ctx);
    }
    double r = dw_account_repeat_share(&b);
    assert_true(r > 0.4 && r < 0.6);
}

static void test_timing_and_hours(void **state)
{
    (void)state;
    dw_account a;
    dw_account_init(&a);
    /* one request every 60 s for 4 days: regular and round the clock */
    for (int64_t i = 0; i < 4 * 1440; i++) {
        dw_obs o = obs_at(1780272000000LL + i * 60000, dw_mix64((uint64_t)i + 1));
        dw_account_observe(&a, &o, &no_ctx);
    }
    assert_int_equal(a.requests, 4 * 1440);
    assert_int_equal(a.days_active, 4);
    assert_true(a.gap_mean > 59.9 && a.gap_mean < 60.1);
    assert_true(a.gap_m2 < 1e-3 * a.gaps);
    /* 240 per bin overflows nothing; the shape is flat */
    for (int h = 0; h < 24; h++) assert_int_equal(a.hours[h], 240);
    dw_config *cfg = dw_config_new();
    dw_population pop;
    memset(&pop, 0, sizeof pop);
    dw_pop_move(pop.req, 0, a.requests);
    dw_assessment as;
    dw_assess(cfg, &a, &pop, &as);
    assert_true(as.sig[S_REGULAR_TIMING].evaluated && as.sig[S_REGULAR_TIMING].strength > 0.99);
    assert_true(as.sig[S_ROUND_THE_CLOCK].evaluated && as.sig[S_ROUND_THE_CLOCK].value == 0);
    dw_config_free(cfg);
}

/* An evaluation harness: one account, templated "think step by step",
 * parallel, from a cloud, one address.  Suspicious enough for a human to
 * look, never enough to block: nothing is concealed. */
static void test_harness_not_blocked(void **state)
{
    (void)state;
    dw_account a;
    dw_account_init(&a);
    dw_obs_ctx ctx = no_ctx;
    for (int64_t i = 0; i < 2000; i++) {
        dw_obs o = obs_at(1780272000000LL + i * 200, dw_mix64((uint64_t)i + 1));
        o.f.hits.cats = 1u << DW_PAT_COT;
        o.f.hits.cot_langs = 1;
        o.f.hits.topics = 1ull << (i % 12);
        o.f.ip_hash = 42;
        o.f.ip_prefix_hash = 43;
        o.asn = 16509;
        o.asn_hosting = 1;
        o.latency_ms = 5000;
        o.single_turn = 1;
        o.max_tokens = 4096;
        dw_account_observe(&a, &o, &ctx);
    }
    dw_config *cfg = dw_config_new();
    dw_population pop;
    memset(&pop, 0, sizeof pop);
    for (int k = 0; k < 100; k++) dw_pop_move(pop.req, 0, 20);
    dw_assessment as;
    dw_assess(cfg, &a, &pop, &as);
    assert_true(as.score >= cfg->block);   /* plenty of points ... */
    assert_int_equal(as.verdict, DW_REVIEW); /* ... but no concealment: review */
    /* the same traffic through rotating proxies is blocked */
    dw_account b = a;
    for (int k = 0; k < 2000; k++) dw_hll_add(&b.prefixes, dw_mix64((uint64_t)k + 99));
    dw_assess(cfg, &b, &pop, &as);
    assert_int_equal(as.verdict, DW_BLOCK);
    /* and a verified research account with the rotating proxies is capped at review */
    b.verified = 1;
    b.program = DW_PROG_RESEARCH;
    dw_assess(cfg, &b, &pop, &as);
    assert_int_equal(as.verdict, DW_REVIEW);
    assert_true(as.trusted);
    dw_config_free(cfg);
}

/* The reorder buffer against a model of its contract, on traffic that mixes
 * in-order runs (the ring) with jitter and stragglers (the heap):
 *  - what leaves, leaves in (ts, seq) order, unless it was late;
 *  - nothing leaves before the window has passed it, unless forced;
 *  - at most max_items wait;
 *  - everything pushed comes out exactly once. */
static uint64_t rs = 42;
static uint64_t rnd64(void) { return dw_test_xorshift(&rs); }

/* One observation leaves: in (ts, seq) order after the previous one. */
/* A campaign member's reason brackets the campaign's summary, and a summary
 * too long for the buffer is cut at a character boundary with the bracket
 * still closed (the summary quotes system prompts in any script). */
static void test_campaign_reason_bracketed(void **state)
{
    (void)state;
    dw_assessment as;
    memset(&as, 0, sizeof as);
    dw_account a;
    dw_account_init(&a);
    char summary[700];
    size_t k = 0;
    while (k + 3 < sizeof summary - 1) { memcpy(summary + k, "\xe4\xbd\xa0", 3); k += 3; } /* U+4F60, 3 bytes each */
    summary[k] = 0;
    as.camp.id = "cmp-0123456789ab";
    as.camp.members = 7;
    as.camp.score = 0.5;
    as.camp.reason = "7 accounts share one system prompt; together 900 requests: 80% of prompts demand reasoning";
    char out[512];
    dw_assessment_signal_reason(&as, S_CAMPAIGN, &a, out, sizeof out);
    assert_string_equal(out, "member of campaign cmp-0123456789ab (7 accounts, 0.50 judged as one) [7 accounts share one "
                             "system prompt; together 900 requests: 80% of prompts demand reasoning]");
    as.camp.reason = summary;
    for (size_t cap = 80; cap <= sizeof out; cap += 37) {
        dw_assessment_signal_reason(&as, S_CAMPAIGN, &a, out, cap);
        size_t n = strlen(out);
        assert_true(n < cap);
        assert_int_equal(out[n - 1], ']');
        const char *open = strchr(out, '[');
        assert_non_null(open);
        assert_int_equal((size_t)(out + n - 1 - (open + 1)) % 3, 0); /* whole characters only */
    }
}

static void take(dw_reorder *r, dw_obs *p, int64_t *last_ts, uint64_t *last_seq, unsigned char *seen, uint64_t *out)
{
    assert_true(p->ts_ms > *last_ts || (p->ts_ms == *last_ts && p->seq > *last_seq));
    *last_ts = p->ts_ms;
    *last_seq = p->seq;
    seen[p->seq]++;
    (*out)++;
    dw_reorder_recycle(r, p);
}

static void check_reorder(int64_t window, size_t max_items, int jitter_ms, int late_every)
{
    enum { N = 20000 };
    static unsigned char seen[N];
    dw_reorder r;
    dw_reorder_init(&r, window, max_items);
    memset(seen, 0, sizeof seen);
    int64_t t = 1000000, last_ts = INT64_MIN;
    uint64_t last_seq = 0, out = 0, late = 0, forced_before;
    for (uint64_t i = 0; i < N; i++) {
        dw_obs *o = dw_reorder_obtain(&r);
        t += (int64_t)(rnd64() % 50);
        o->ts_ms = t;
        if (jitter_ms && rnd64() % 4 == 0) o->ts_ms -= (int64_t)(rnd64() % (uint64_t)jitter_ms);
        if (late_every && i % (uint64_t)late_every == 0) o->ts_ms -= 10 * window + 1000;
        o->seq = i;
        if (dw_reorder_push(&r, o)) {
            late++;
            seen[o->seq]++;
            out++;
            dw_reorder_recycle(&r, o);
            continue;
        }
        for (;;) {
            forced_before = r.forced;
            dw_obs *p = dw_reorder_pop(&r, 0);
            if (!p) break;
            if (r.forced == forced_before) assert_true(p->ts_ms <= r.newest_ms - window);
            take(&r, p, &last_ts, &last_seq, seen, &out);
        }
        assert_true(r.n + r.qn <= max_items);
        /* what waits is exactly what was pushed and has not left (eviction
         * in serve relies on this enumeration) */
        if (i % 101 == 0) {
            assert_int_equal(dw_reorder_size(&r), i + 1 - out);
            for (size_t k = 0; k < dw_reorder_size(&r); k++) assert_int_equal(seen[dw_reorder_waiting(&r, k)->seq], 0);
        }
    }
    for (dw_obs *p; (p = dw_reorder_pop(&r, 1));) take(&r, p, &last_ts, &last_seq, seen, &out);
    assert_int_equal(out, N);
    for (int i = 0; i < N; i++) assert_int_equal(seen[i], 1);
    assert_int_equal(r.late, late);
    if (late_every) assert_true(late > 0);
    dw_reorder_free(&r);
}

/* The model table: every name keeps its index however many there are,
 * names that are prefixes of one another stay apart, and a full table says 0
 * for a new name while still finding the old ones. */
static void test_model_table(void **state)
{
    (void)state;
    static dw_model_table m; /* 100 KB: not on the stack */
    dw_arena strings = {0};
    char name[32];
    dw_models_init(&m);
    assert_int_equal(dw_models_intern(&m, &strings, NULL, 0), 0);
    assert_int_equal(dw_models_intern(&m, &strings, "gpt-4", 5), 1);
    assert_int_equal(dw_models_intern(&m, &strings, "gpt-4o", 6), 2);
    assert_int_equal(dw_models_intern(&m, &strings, "gpt-4o", 5), 1); /* a view of "gpt-4" */
    /* a NUL inside the name ("\u0000" in JSON) makes another name, not "gpt" */
    assert_int_equal(dw_models_intern(&m, &strings, "gpt\0-4", 6), 3);
    assert_int_equal(dw_models_intern(&m, &strings, "gpt", 3), 4);
    assert_int_equal(dw_models_intern(&m, &strings, "gpt\0-4", 6), 3);
    for (int i = 5; i < DW_MAX_MODELS; i++) {
        int n = snprintf(name, sizeof name, "model-%d", i);
        assert_int_equal(dw_models_intern(&m, &strings, name, (size_t)n), i);
    }
    assert_int_equal(dw_models_intern(&m, &strings, "one-too-many", 12), 0);
    for (int i = DW_MAX_MODELS - 1; i >= 5; i -= 7) {
        int n = snprintf(name, sizeof name, "model-%d", i);
        assert_int_equal(dw_models_intern(&m, &strings, name, (size_t)n), i);
        assert_string_equal(m.v[i].name, name);
    }
    assert_int_equal(dw_models_intern(&m, &strings, "gpt-4o", 6), 2);
    dw_arena_free(&strings);
}

static void test_reorder_contract(void **state)
{
    (void)state;
    check_reorder(300000, 1000000, 0, 0);      /* in order: the ring alone */
    check_reorder(5000, 1000000, 3000, 0);     /* jitter within the window */
    check_reorder(5000, 1000000, 20000, 0);    /* jitter past the window: some late */
    check_reorder(5000, 1000000, 3000, 97);    /* stragglers, late by far */
    check_reorder(300000, 64, 3000, 0);        /* tiny bound: forced releases */
    check_reorder(0, 1000000, 0, 0);           /* no window at all */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeat_share),
        cmocka_unit_test(test_timing_and_hours),
        cmocka_unit_test(test_harness_not_blocked),
        cmocka_unit_test(test_campaign_reason_bracketed),
        cmocka_unit_test(test_reorder_contract),
        cmocka_unit_test(test_model_table),
    };
    return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
