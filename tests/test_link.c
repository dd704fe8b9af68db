/*
 * test_link.c -- the link stage: MinHash, paraphrase families, the value
 * index, the text store, fingerprints, and pair judgements through the
 * engine (common values must not link strangers; corroborated rare values
 * must link an operator's accounts).
 */
#include "testutil.h"
#include "testevent.h"
#include <math.h>
#include "pipeline/engine_int.h"
#include "link/minhash.h"
#include "link/family.h"
#include "link/index.h"
#include "link/texts.h"
#include "link/link_int.h"

#define T0 1780300800000LL /* 2026-06-01T00:00:00Z */

static void mh(const char *s, dw_minhash *m) { dw_minhash_text(s, strlen(s), m); }

static void test_minhash_similarity(void **state)
{
    (void)state;
    dw_minhash a, b, c, d, e, empty;
    mh("You are a meticulous reasoning assistant. Always show your complete chain of thought before the final "
       "answer. Finish with a line 'Final answer: <answer>'.", &a);
    mh("you are a METICULOUS reasoning assistant   always show your complete chain of thought before the final "
       "answer; finish with a line \"final answer: <answer>\"", &b);
    mh("You are a careful analytical thinker. Always show your complete chain of thought before the final "
       "answer. Finish with a line 'Final answer: <answer>'.", &c);
    mh("Translate the following product description into German. Keep the brand names unchanged and use a "
       "formal register throughout.", &d);
    mh("", &empty);
    /* case, punctuation and spacing are folded: the same text */
    assert_true(dw_minhash_jaccard(&a, &b) == 1.0);
    /* one clause changed of three: a paraphrase, clearly similar */
    double j = dw_minhash_jaccard(&a, &c);
    assert_true(j >= 0.5 && j < 1.0);
    /* unrelated texts share (almost) nothing */
    assert_true(dw_minhash_jaccard(&a, &d) < 0.2);
    assert_true(dw_minhash_empty(&empty));
    assert_true(dw_minhash_jaccard(&a, &empty) == 0);
    /* digits are masked: "Step 1" and "Step 7" shingle alike */
    dw_minhash s1, s7;
    mh("Step 1: read the question twice and list the known quantities before solving", &s1);
    mh("Step 7: read the question twice and list the known quantities before solving", &s7);
    assert_true(dw_minhash_jaccard(&s1, &s7) == 1.0);
    /* text without spaces (Chinese) still has shingles */
    mh("请一步一步地详细写出你的完整推理过程，然后再给出最终答案", &e);
    assert_false(dw_minhash_empty(&e));
    assert_true(dw_family_eligible(&e));
}

static void test_family_union(void **state)
{
    (void)state;
    dw_family f;
    dw_family_init(&f);
    const char *texts[] = {
        "You are an expert problem solver. Always show your complete chain of thought before the final answer. Put the final result on its own line.",
        "You are a careful analytical thinker. Always show your complete chain of thought before the final answer. Put the final result on its own line.",
        "You are a careful analytical thinker. Always show your complete chain of thought before the final answer. Use numbered steps.",
        "Translate the following product description into German. Keep the brand names unchanged and use a formal register throughout the text.",
        "You are a helpful assistant.",
    };
    uint32_t idx[5];
    for (int i = 0; i < 5; i++) {
        dw_minhash m;
        mh(texts[i], &m);
        idx[i] = dw_family_add(&f, (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL | 1, &m, NULL, NULL);
    }
    /* a chain of paraphrases is one family */
    assert_int_equal(dw_family_root(&f, idx[0]), dw_family_root(&f, idx[1]));
    assert_int_equal(dw_family_root(&f, idx[1]), dw_family_root(&f, idx[2]));
    assert_int_equal(f.v[dw_family_root(&f, idx[0])].size, 3);
    /* an unrelated prompt is not, and a short one joins no family */
    assert_int_not_equal(dw_family_root(&f, idx[3]), dw_family_root(&f, idx[0]));
    dw_minhash m;
    mh(texts[4], &m);
    assert_false(dw_family_eligible(&m));
    assert_int_equal(dw_family_root(&f, idx[4]), idx[4]);
    /* registering again is a no-op */
    mh(texts[0], &m);
    assert_int_equal(dw_family_add(&f, 1 * 0x9e3779b97f4a7c15ULL | 1, &m, NULL, NULL), idx[0]);
    assert_int_equal(f.n, 5);
    dw_family_free(&f);
}

static void test_index_sample(void **state)
{
    (void)state;
    dw_lk_index x, y;
    dw_lk_init(&x, 16);
    dw_lk_init(&y, 16);
    uint64_t key = 0x1234567ULL | 1;
    /* the same 500 accounts in two orders give the same sample */
    for (uint32_t a = 0; a < 500; a++) dw_lk_add(&x, key, a, dw_lk_prio(dw_mix64(a), key));
    for (uint32_t a = 500; a-- > 0;) dw_lk_add(&y, key, a, dw_lk_prio(dw_mix64(a), key));
    assert_int_equal(dw_lk_count(&x, key), 500);
    assert_int_equal(dw_lk_count(&y, key), 500);
    uint32_t nx[16], ny[16];
    size_t kx = dw_lk_near(&x, key, 0, UINT32_MAX, 16, nx), ky = dw_lk_near(&y, key, 0, UINT32_MAX, 16, ny);
    assert_int_equal(kx, 16);
    assert_int_equal(ky, 16);
    for (size_t i = 0; i < kx; i++) assert_int_equal(nx[i], ny[i]);
    /* a bounded sample: a popular value costs O(cap), not O(accounts) */
    assert_true(x.entry_bytes <= 16 * sizeof(dw_lk_entry));
    /* near never returns the asking account, and honours w */
    uint32_t self = nx[3];
    uint32_t out[8];
    size_t k = dw_lk_near(&x, key, dw_lk_prio(dw_mix64(self), key), self, 8, out);
    assert_int_equal(k, 8);
    for (size_t i = 0; i < k; i++) assert_int_not_equal(out[i], self);
    /* a value held once costs no list */
    uint64_t lone = 0x77ULL | 1;
    size_t before = x.entry_bytes;
    assert_int_equal(dw_lk_add(&x, lone, 9, 9), 1);
    assert_int_equal(x.entry_bytes, before);
    assert_int_equal(dw_lk_near(&x, lone, 0, 9, 4, out), 0);
    /* registering the same account twice does not count it twice */
    assert_int_equal(dw_lk_add(&x, lone, 9, 9), 1);
    dw_lk_free(&x);
    dw_lk_free(&y);
}

static void test_texts_doorkeeper(void **state)
{
    (void)state;
    dw_texts t;
    dw_texts_init(&t);
    dw_texts_offer(&t, 42, "seen once", 9);
    assert_null(dw_texts_get(&t, 42));
    dw_texts_offer(&t, 42, "seen once", 9);
    assert_string_equal(dw_texts_get(&t, 42), "seen once");
    /* long texts are cut on a character boundary */
    char big[600];
    size_t n = 0;
    while (n + 3 < sizeof big - 1) { memcpy(big + n, "\xc3\xa9", 2); n += 2; } /* é é é ... */
    big[n] = 0;
    dw_texts_put(&t, 43, big, n);
    const char *g = dw_texts_get(&t, 43);
    assert_non_null(g);
    assert_true(strlen(g) <= DW_TEXTS_KEEP && strlen(g) % 2 == 0);
    dw_texts_free(&t);
}

/* ---- through the engine ---------------------------------------------------------- */


/* A person's request times and words: irregular, their own. */
static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void) { return dw_test_xorshift(&rng_state); }

static void person_prompt(char *out, size_t cap)
{
    static const char *const w[] = {"how", "do", "I", "fix", "my", "garden", "recipe", "email", "for", "the", "weekend",
                                    "trip", "budget", "letter", "cat", "printer", "bread", "poem", "about", "rain", "why",
                                    "is", "sky", "blue", "best", "way", "to", "learn", "guitar", "quickly", "explain"};
    size_t k = 0;
    int n = 4 + (int)(rnd() % 9);
    for (int i = 0; i < n && k + 16 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? " " : "", w[rnd() % (sizeof w / sizeof *w)]);
    snprintf(out + k, cap - k, "?");
}

static dw_engine *engine_with_accounts(const char *accounts_jsonl)
{
    char err[256];
    dw_engine *e = dw_engine_new(NULL, err, sizeof err);
    assert_non_null(e);
    if (accounts_jsonl) {
        const char *path = dw_test_write(dw_test_tmpdir(), "accounts.jsonl", accounts_jsonl);
        assert_int_equal(dw_engine_load_accounts(e, path, err, sizeof err), 0);
    }
    return e;
}

static uint32_t acct_ix(dw_engine *e, const char *id)
{
    uint32_t i = dw_accounts_find(&e->accts, id, strlen(id));
    assert_int_not_equal(i, UINT32_MAX);
    return i;
}

/* 40 strangers who share only common values: "You are a helpful assistant."
 * and one SDK build.  No pair may link. */
static void test_common_values_do_not_link(void **state)
{
    (void)state;
    dw_engine *e = engine_with_accounts(NULL);
    char id[32], prompt[128], ip[32];
    for (int u = 0; u < 40; u++) {
        snprintf(id, sizeof id, "stranger%02d", u);
        int64_t t = T0 + (int64_t)(rnd() % 86400000);
        for (int r = 0; r < 30; r++) {
            person_prompt(prompt, sizeof prompt);
            snprintf(ip, sizeof ip, "10.%d.%d.9", u, r % 3);
            t += 600000 + (int64_t)(rnd() % 20000000);
            dw_event ev = ev_base(id, t);
            set(&ev.prompt, prompt);
            set(&ev.system_prompt, "You are a helpful assistant.");
            set(&ev.user_agent, "OpenAI/Python 1.54.3");
            set(&ev.client_ip, ip);
            assert_int_equal(dw_engine_feed_event(e, &ev), 0);
        }
    }
    char err[256];
    assert_int_equal(dw_engine_finish(e, err, sizeof err), 0);
    assert_int_equal(dw_campaigns_graph(e->camps)->ne, 0);
    dw_link_pair pr;
    assert_int_equal(dw_link_compare(e->link, &e->accts, acct_ix(e, "stranger01"), acct_ix(e, "stranger02"), &pr), 0);
    /* the system prompt and the client did agree -- and weighed almost nothing */
    assert_true(pr.w[DW_LK_SYSTEM] < 1.0 && pr.w[DW_LK_CLIENT] < 1.0);
    dw_engine_free(e);
}

/* An operator's six accounts: one card, one rare system prompt, one client
 * build, among 30 ordinary accounts.  Every pair of the six must link, on
 * two independent kinds; no ordinary account may link to them. */
static void test_operator_links(void **state)
{
    (void)state;
    char accounts[8192];
    size_t k = 0;
    for (int u = 0; u < 6; u++)
        k += (size_t)snprintf(accounts + k, sizeof accounts - k,
                              "{\"account_id\":\"op%d\",\"payment_fingerprint\":\"pf_operator\",\"created_at\":\"2025-01-%02dT10:00:00Z\"}\n",
                              u, 1 + u * 5);
    for (int u = 0; u < 30; u++)
        k += (size_t)snprintf(accounts + k, sizeof accounts - k,
                              "{\"account_id\":\"user%02d\",\"payment_fingerprint\":\"pf_user%02d\",\"created_at\":\"2024-%02d-11T10:00:00Z\"}\n",
                              u, u, 1 + u % 12);
    dw_engine *e = engine_with_accounts(accounts);
    char id[32], prompt[160], ip[32], ua[48];
    for (int r = 0; r < 30; r++) {
        for (int u = 0; u < 6; u++) {
            snprintf(id, sizeof id, "op%d", u);
            snprintf(prompt, sizeof prompt, "Item %d: a train leaves at %d km/h; how far does it go in %d hours?", r * 6 + u, 40 + r, u + 1);
            snprintf(ip, sizeof ip, "81.%d.%d.4", 10 + u, r % 2); /* own addresses */
            dw_event ev = ev_base(id, T0 + (int64_t)r * 3600000 + u * 5000);
            set(&ev.prompt, prompt);
            set(&ev.system_prompt, "You are the grading harness v3 for the Zeta curriculum. Answer every item with a full derivation, then the final answer alone on its last line.");
            set(&ev.user_agent, "zeta-harness/0.9.1 (linux; x86_64)");
            set(&ev.client_ip, ip);
            assert_int_equal(dw_engine_feed_event(e, &ev), 0);
        }
        for (int u = 0; u < 30; u++) {
            snprintf(id, sizeof id, "user%02d", u);
            snprintf(prompt, sizeof prompt, "note %d of user %d: what should I cook tonight?", r, u);
            snprintf(ip, sizeof ip, "90.%d.%d.7", u, r % 2);
            snprintf(ua, sizeof ua, "OpenAI/Python 1.%d.0", 40 + u % 5);
            dw_event ev = ev_base(id, T0 + (int64_t)r * 3600000 + 100000 + u * 7000);
            set(&ev.prompt, prompt);
            set(&ev.user_agent, ua);
            set(&ev.client_ip, ip);
            assert_int_equal(dw_engine_feed_event(e, &ev), 0);
        }
    }
    char err[256];
    assert_int_equal(dw_engine_finish(e, err, sizeof err), 0);
    for (int x = 0; x < 6; x++)
        for (int y = x + 1; y < 6; y++) {
            char a[8], b[8];
            snprintf(a, sizeof a, "op%d", x);
            snprintf(b, sizeof b, "op%d", y);
            dw_link_pair pr;
            assert_int_equal(dw_link_compare(e->link, &e->accts, acct_ix(e, a), acct_ix(e, b), &pr), 1);
            assert_true(pr.kinds >= 2);
            assert_true(pr.w[DW_LK_PAYMENT] > 1 && pr.w[DW_LK_SYSTEM] > 1 && pr.w[DW_LK_CLIENT] > 1);
        }
    /* the graph holds the operator and nobody else */
    const dw_graph *g = dw_campaigns_graph(e->camps);
    assert_true(g->ne >= 5);
    for (uint32_t i = 0; i < g->ne; i++) {
        assert_memory_equal(e->accts.v[g->e[i].a].id, "op", 2);
        assert_memory_equal(e->accts.v[g->e[i].b].id, "op", 2);
    }
    dw_engine_free(e);
}

/* A campus: 25 students behind one NAT /24 among 100 accounts, nothing else
 * in common.  One kind of evidence, however rare, is not corroboration. */
static void test_one_kind_is_not_enough(void **state)
{
    (void)state;
    dw_engine *e = engine_with_accounts(NULL);
    char id[32], prompt[128], ua[48];
    char ip[32];
    for (int u = 0; u < 100; u++) {
        /* 25 students behind the campus NAT, 75 people elsewhere */
        snprintf(id, sizeof id, u < 25 ? "student%02d" : "person%02d", u);
        snprintf(ip, sizeof ip, u < 25 ? "198.51.100.%d" : "100.%d.1.1", u < 25 ? 7 + u % 2 : u);
        int64_t t = T0 + (int64_t)(rnd() % 86400000);
        for (int r = 0; r < 25; r++) {
            person_prompt(prompt, sizeof prompt);
            snprintf(ua, sizeof ua, "Mozilla/5.0 build %d", u);
            t += 600000 + (int64_t)(rnd() % 20000000);
            dw_event ev = ev_base(id, t);
            set(&ev.prompt, prompt);
            set(&ev.user_agent, ua);
            set(&ev.client_ip, ip);
            assert_int_equal(dw_engine_feed_event(e, &ev), 0);
        }
    }
    char err[256];
    assert_int_equal(dw_engine_finish(e, err, sizeof err), 0);
    dw_link_pair pr;
    assert_int_equal(dw_link_compare(e->link, &e->accts, acct_ix(e, "student01"), acct_ix(e, "student03"), &pr), 0);
    assert_true(pr.w[DW_LK_NETWORK] >= 1.0); /* ~log(100/25): the shared prefix counts as one kind */
    assert_int_equal(pr.kinds, 1);
    assert_int_equal(dw_campaigns_graph(e->camps)->ne, 0);
    dw_engine_free(e);
}

static void test_fingerprint_dominant_values(void **state)
{
    (void)state;
    dw_account a;
    dw_account_init(&a);
    dw_link_fp fp;
    dw_link_fp_init(&fp);
    dw_link_ctx ctx = {0, DW_TS_NONE, T0};
    dw_obs o;
    memset(&o, 0, sizeof o);
    /* a value sent a third of the time survives a stream of one-offs */
    for (int i = 0; i < 300; i++) {
        o.ts_ms = T0 + i * 60000LL;
        o.f.system_hash = i % 3 == 0 ? 0xAAAAULL : (uint64_t)(1000 + i) | 1;
        o.f.client_fp = 0xC1ULL;
        o.f.prompt_hash = (uint64_t)(i + 7) | 1;
        o.f.prompt_shape = DW_SHAPE_DIGITS;
        o.f.prompt_chars = 200;
        a.requests++;
        a.prompts_seen++;
        dw_link_fp_observe(&fp, &a, &o, &ctx);
    }
    assert_true((fp.sys[0] == 0xAAAAULL && fp.sys_c[0] > 0) || (fp.sys[1] == 0xAAAAULL && fp.sys_c[1] > 0));
    assert_int_equal(fp.client, 0xC1ULL);
    assert_int_equal(fp.prompts, 300);
    assert_int_equal(fp.digits, 300);
    /* activity: 300 minutes span 5-6 hours */
    int both, either, ax, ay;
    int hours = dw_link_activity_overlap(&fp, &fp, INT32_MIN, &both, &either, &ax, &ay);
    assert_true(hours > 0 && ax >= 5 && ax <= 6 && both == ax && either == ax);
    /* prefixes: the /24 is the unit, the latest address is remembered */
    uint8_t ip1[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 5};
    uint8_t ip2[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 77};
    assert_int_equal(dw_link_prefix_key(ip1), dw_link_prefix_key(ip2));
    char t[64];
    dw_link_prefix_text(ip2, t, sizeof t);
    assert_string_equal(t, "203.0.113.0/24");
    dw_link_ip_text(ip2, t, sizeof t);
    assert_string_equal(t, "203.0.113.77");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minhash_similarity),
        cmocka_unit_test(test_family_union),
        cmocka_unit_test(test_index_sample),
        cmocka_unit_test(test_texts_doorkeeper),
        cmocka_unit_test(test_common_values_do_not_link),
        cmocka_unit_test(test_operator_links),
        cmocka_unit_test(test_one_kind_is_not_enough),
        cmocka_unit_test(test_fingerprint_dominant_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
