/*
 * test_prove_lm.c -- the experiment's trigram model: a proper distribution,
 * and watermarked sampling that follows the biased distribution exactly
 * (the radioactivity experiment is only meaningful if the teacher's
 * watermark is the one dw_wm_bias_logits() would apply).
 */
#include <math.h>

#include "testutil.h"

#include "distillwatch.h"
#include "prove/greenlist.h"
#include "prove/ngram_lm.h"

#define V 40

static dw_lm *small_model(void)
{
    dw_lm_builder *b = dw_lm_builder_new(V);
    dw_rng r;
    dw_rng_seed(&r, 3);
    uint32_t doc[400];
    for (int d = 0; d < 20; d++) {
        for (int i = 0; i < 400; i++) doc[i] = (uint32_t)(dw_rng_next(&r) % 12) + (i % 3 == 0 ? 0 : 10);
        dw_lm_builder_add(b, doc, 400);
    }
    return dw_lm_build(b);
}

static void test_distribution(void **state)
{
    (void)state;
    dw_lm *m = small_model();
    uint32_t ctxs[4][2] = {{1, 12}, {12, 15}, {39, 38}, {0, 0}};   /* seen and unseen contexts */
    for (int c = 0; c < 4; c++) {
        double s = 0;
        for (uint32_t w = 0; w < V; w++) {
            double p = dw_lm_prob(m, ctxs[c][0], ctxs[c][1], w);
            assert_true(p > 0);
            s += p;
        }
        if (fabs(s - 1) > 1e-9) fail_msg("context %d: probabilities sum to %.12f", c, s);
    }
    dw_lm_free(m);
}

static void test_watermarked_sampling(void **state)
{
    (void)state;
    dw_lm *m = small_model();
    dw_wm_params p;
    dw_wm_params_default(&p, DW_WM_HASH, V);
    p.key = 11;
    p.delta = 1.5;
    char err[64];
    dw_wm *w = dw_wm_new(&p, err, sizeof err);
    assert_non_null(w);
    uint32_t u = 1, v = 12;
    uint32_t ctx[2] = {u, v};
    /* the target: p(t) e^(delta g(t)) / Z */
    double target[V], z = 0;
    for (uint32_t t = 0; t < V; t++) {
        target[t] = dw_lm_prob(m, u, v, t) * (dw_wm_is_green(w, ctx, t) ? exp(1.5) : 1);
        z += target[t];
    }
    int count[V] = {0};
    dw_rng r;
    dw_rng_seed(&r, 99);
    const int N = 200000;
    for (int i = 0; i < N; i++) count[dw_lm_sample(m, u, v, w, &r)]++;
    double chi2 = 0;
    int df = 0;
    for (uint32_t t = 0; t < V; t++) {
        double e = N * target[t] / z;
        if (e < 5) continue;
        chi2 += (count[t] - e) * (count[t] - e) / e;
        df++;
    }
    /* chi-square with ~df degrees of freedom: mean df, sd sqrt(2 df) */
    print_message("chi2 %.1f on %d cells\n", chi2, df);
    assert_true(df >= 10);
    assert_true(chi2 < df + 6 * sqrt(2.0 * df));
    dw_wm_free(w);
    dw_lm_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distribution),
        cmocka_unit_test(test_watermarked_sampling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
