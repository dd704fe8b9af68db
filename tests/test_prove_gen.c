/*
 * test_prove_gen.c -- the generation-side API and the detector together:
 * what dw_wm_bias_logits() biases is exactly the green list the detector
 * tests, and text sampled with the bias is detected while text sampled
 * without it is not.
 */
#include <math.h>

#include "testutil.h"

#include "distillwatch.h"
#include "prove/greenlist.h"
#include "prove/pvalue.h"
#include "prove/wm_score.h"

static dw_wm *make(dw_wm_seeding s, uint32_t vocab, uint64_t key)
{
    dw_wm_params p;
    dw_wm_params_default(&p, s, vocab);
    p.key = key;
    if (s != DW_WM_HASH) p.salt = DW_WM_SALT_KIRCHENBAUER + key;
    char err[128];
    dw_wm *w = dw_wm_new(&p, err, sizeof err);
    assert_non_null(w);
    return w;
}

static void test_dense_matches_detector(void **state)
{
    (void)state;
    const uint32_t V = 5000;
    dw_wm_seeding schemes[2] = {DW_WM_HASH, DW_WM_LEFTHASH};
    for (int s = 0; s < 2; s++) {
        dw_wm *w = make(schemes[s], V, 7);
        float *logits = calloc(V, sizeof *logits);
        uint32_t ctx[4] = {11, 4000, 17, 23};
        int n = dw_wm_bias_logits(w, ctx, 4, logits, V);
        assert_int_equal(n, (int)(0.25 * V));
        const uint32_t *c = ctx + 4 - dw_wm_context_len(w);
        for (uint32_t t = 0; t < V; t++) assert_int_equal(logits[t] == 2.0f, dw_wm_is_green(w, c, t));
        /* the sparse variant agrees, whatever the candidate order */
        int32_t ids[6] = {4999, 0, 17, 2500, 123, 77};
        float lg[6] = {0};
        dw_wm_bias_candidates(w, ctx, 4, ids, lg, 6);
        for (int i = 0; i < 6; i++) assert_true(lg[i] == logits[ids[i]]);
        /* too little context: nothing is biased */
        float one = 0;
        assert_int_equal(dw_wm_bias_logits(w, ctx, 0, &one, 1), 0);
        free(logits);
        dw_wm_free(w);
    }
}

static void test_selfhash_candidates(void **state)
{
    (void)state;
    const uint32_t V = 32000;
    dw_wm *w = make(DW_WM_SELFHASH, V, 0);
    float *logits = malloc(V * sizeof *logits);
    float *orig = malloc(V * sizeof *orig);
    for (uint32_t i = 0; i < V; i++) orig[i] = logits[i] = (float)((i * 2654435761u) % 1000) / 100.0f;
    uint32_t ctx[5] = {1, 2, 3, 4, 5};
    int n = dw_wm_bias_logits(w, ctx, 5, logits, V);
    int changed = 0;
    for (uint32_t i = 0; i < V; i++)
        if (logits[i] != orig[i]) {
            changed++;
            assert_true(dw_wm_is_green(w, ctx + 2, i));     /* green under its own salt */
            assert_true(orig[i] >= 9.5f);                   /* among the top candidates */
        }
    assert_int_equal(changed, n);
    assert_true(n > 0 && n <= 41);
    free(logits);
    free(orig);
    dw_wm_free(w);
}

/* xorshift for sampling: the test must not depend on libc's rand(). */
static uint64_t rs = 88172645463325252ULL;
static double unif(void)
{
    return (double)(dw_test_xorshift(&rs) >> 11) / 9007199254740992.0;
}

static uint32_t sample(const float *logits, uint32_t V)
{
    double mx = -INFINITY, z = 0;
    for (uint32_t i = 0; i < V; i++) mx = fmax(mx, logits[i]);
    for (uint32_t i = 0; i < V; i++) z += exp(logits[i] - mx);
    double u = unif() * z;
    for (uint32_t i = 0; i < V; i++) {
        u -= exp(logits[i] - mx);
        if (u <= 0) return i;
    }
    return V - 1;
}

/* Generate 300 tokens from a fixed random "model" with and without the
 * watermark; the watermarked text is detected, the plain one is not. */
static void test_generate_and_detect(void **state)
{
    (void)state;
    const uint32_t V = 2000, N = 300;
    dw_wm_seeding schemes[3] = {DW_WM_HASH, DW_WM_LEFTHASH, DW_WM_SELFHASH};
    for (int s = 0; s < 3; s++) {
        for (int marked = 0; marked < 2; marked++) {
            dw_wm *w = make(schemes[s], V, 42);
            float *logits = malloc(V * sizeof *logits);
            uint32_t *ids = malloc((N + 8) * sizeof *ids);
            for (uint32_t i = 0; i < 4; i++) ids[i] = i + 1;
            for (uint32_t t = 4; t < N + 4; t++) {
                /* a peaked but not deterministic next-token distribution:
                 * ~30 plausible tokens carry most of the mass, as in a real
                 * model (selfhash only ever biases the top 41 candidates) */
                for (uint32_t i = 0; i < V; i++)
                    logits[i] = unif() < 0.015 ? (float)(5.0 + unif()) : 0.0f;
                if (marked) dw_wm_bias_logits(w, ids, t, logits, V);
                ids[t] = sample(logits, V);
            }
            dw_wm_scorer *sc = dw_wm_scorer_new(w, DW_TAPE_V2);
            dw_wm_tally tl = {0};
            dw_wm_scorer_run(sc, ids, N + 4, &tl, NULL, NULL);
            double lp = dw_binom_logsf(tl.green, tl.scored, 0.25) / log(10.0);
            print_message("%s %s: %llu/%llu green, log10 p = %.1f\n", dw_wm_seeding_name(schemes[s]),
                          marked ? "marked" : "plain", (unsigned long long)tl.green,
                          (unsigned long long)tl.scored, lp);
            if (marked) assert_true(lp < -6);
            else assert_true(lp > -3);
            dw_wm_scorer_free(sc);
            free(logits);
            free(ids);
            dw_wm_free(w);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense_matches_detector),
        cmocka_unit_test(test_selfhash_candidates),
        cmocka_unit_test(test_generate_and_detect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
