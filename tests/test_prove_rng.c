/*
 * test_prove_rng.c -- PyTorch's generator, randperm and the three seeding
 * schemes, against vectors produced by python3-torch
 * (experiments/prove/gen_fixtures.py).  These need nothing from ../shared.
 */
#include "testutil.h"

#include "prove/greenlist.h"
#include "prove/torch_rng.h"

static uint64_t fnv_u32(const uint32_t *v, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 4; b++) {
            h ^= (v[i] >> (8 * b)) & 0xff;
            h *= 0x100000001b3ULL;
        }
    return h;
}

static void test_randperm(void **state)
{
    (void)state;
    FILE *f = fopen("tests/fixtures/prove/randperm.txt", "r");
    assert_non_null(f);
    char line[4096];
    int cases = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        unsigned long long seed, h;
        unsigned n;
        int off;
        assert_int_equal(sscanf(line, "%llu %u %llx%n", &seed, &n, &h, &off), 3);
        uint32_t *perm = malloc(n * sizeof *perm);
        dw_mt mt;
        dw_mt_seed(&mt, seed);
        dw_torch_randperm(&mt, n, perm);
        char *p = line + off;
        for (unsigned i = 0; i < 16 && i < n; i++) {
            unsigned v;
            int used;
            assert_int_equal(sscanf(p, "%u%n", &v, &used), 1);
            p += used;
            if (perm[i] != v) fail_msg("seed %llu n %u: perm[%u] = %u, want %u", seed, n, i, perm[i], v);
        }
        assert_true(fnv_u32(perm, n) == h);
        /* the prefix shortcuts agree with the full permutation */
        uint32_t k = n / 4 + 1;
        if (k > n) k = n;
        uint32_t *pre = malloc(n * sizeof *pre);
        dw_mt_seed(&mt, seed);
        dw_torch_randperm_prefix(&mt, n, k, pre);
        assert_memory_equal(pre, perm, k * sizeof *pre);
        if (n <= 50000) {
            uint8_t *in = calloc(n, 1);
            for (uint32_t i = 0; i < k; i++) in[perm[i]] = 1;
            for (uint32_t t = 0; t < n; t += (n > 2000 ? 97 : 1)) {
                dw_mt_seed(&mt, seed);
                assert_int_equal(dw_torch_randperm_prefix_has(&mt, n, k, t), in[t]);
            }
            free(in);
        }
        free(pre);
        free(perm);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 10);
}

static void test_greenlists(void **state)
{
    (void)state;
    FILE *f = fopen("tests/fixtures/prove/greenlists.txt", "r");
    assert_non_null(f);
    char line[4096];
    static const uint32_t probes[12] = {0, 1, 2, 13, 29871, 31999, 100, 2000, 8000, 15000, 24000, 30000};
    int cases = 0;
    uint32_t *buf = malloc(32000 * sizeof *buf);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char scheme[16];
        unsigned long long salt, key;
        double gamma;
        int off;
        assert_int_equal(sscanf(line, "%15s %llu %llu %lf%n", scheme, &salt, &key, &gamma, &off), 4);
        dw_wm_seeding s;
        assert_int_equal(dw_wm_seeding_parse(scheme, &s), 0);
        uint32_t win[8];
        uint32_t nwin = 0;
        char *p = line + off;
        for (;;) {
            while (*p == ' ') p++;
            if (*p == ':') break;
            win[nwin++] = (uint32_t)strtoul(p, &p, 10);
        }
        p++;
        char mask[13];
        unsigned long long want;
        assert_int_equal(sscanf(p, " %12s %llx", mask, &want), 2);
        dw_wm_params prm;
        dw_wm_params_default(&prm, s, 32000);
        prm.ngram = nwin;
        prm.salt = salt;
        prm.key = key;
        prm.gamma = gamma;
        char err[128];
        dw_wm *w = dw_wm_new(&prm, err, sizeof err);
        assert_non_null(w);
        uint32_t g = dw_wm_green_size(w);
        assert_int_equal(g, (uint32_t)(gamma * 32000));
        /* the green list, in permutation order, for this window */
        if (s == DW_WM_SELFHASH) {
            /* self-salted: the window's last id is the scored token itself */
            dw_mt mt;
            dw_mt_seed(&mt, dw_wm_seed(w, win, win[nwin - 1]));
            dw_torch_randperm_prefix(&mt, 32000, g, buf);
        } else {
            dw_wm_greenlist(w, win, buf);
        }
        uint8_t *in = calloc(32000, 1);
        for (uint32_t i = 0; i < g; i++) in[buf[i]] = 1;
        for (int i = 0; i < 12; i++)
            if (in[probes[i]] != (mask[i] == '1'))
                fail_msg("%s window %u..: probe %u membership != %c", scheme, win[0], probes[i], mask[i]);
        if (s == DW_WM_SELFHASH) {
            uint32_t tok = win[nwin - 1];
            assert_int_equal(dw_wm_is_green(w, win, tok), in[tok]);
        } else {
            for (int i = 0; i < 12; i++) assert_int_equal(dw_wm_is_green(w, win, probes[i]), in[probes[i]]);
        }
        uint32_t k = 0;                      /* sorted, for the fixture's hash */
        for (uint32_t t = 0; t < 32000; t++)
            if (in[t]) buf[k++] = t;
        free(in);
        assert_int_equal(k, g);
        if (fnv_u32(buf, g) != want) fail_msg("%s window starting %u: green list differs", scheme, win[0]);
        dw_wm_free(w);
        cases++;
    }
    free(buf);
    fclose(f);
    assert_int_equal(cases, 24);
}

/* Seeds follow the reference arithmetic, including the wrap-arounds. */
static void test_seed_arithmetic(void **state)
{
    (void)state;
    dw_wm_params p;
    dw_wm_params_default(&p, DW_WM_HASH, 32000);
    p.key = 3;
    char err[64];
    dw_wm *w = dw_wm_new(&p, err, sizeof err);
    uint32_t ctx[2] = {31999, 29871};
    /* (3 * 35317 + 31999) * 35317 + 29871, all below 2^64 - 1 */
    uint64_t want = (3ull * 35317 + 31999) * 35317 + 29871;
    assert_true(dw_wm_seed(w, ctx, 0) == want);
    dw_wm_free(w);
    /* a key near 2^64 wraps modulo 2^64 - 1, not 2^64 */
    p.key = UINT64_MAX;                 /* = 0 mod 2^64 - 1 */
    p.ngram = 1;
    w = dw_wm_new(&p, err, sizeof err);
    uint32_t one = 5;
    assert_true(dw_wm_seed(w, &one, 0) == 5);
    dw_wm_free(w);
    /* parameter validation */
    p.gamma = 0;
    assert_null(dw_wm_new(&p, err, sizeof err));
    assert_non_null(strstr(err, "gamma"));
    p.gamma = 0.25;
    p.ngram = 0;
    assert_null(dw_wm_new(&p, err, sizeof err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_randperm),
        cmocka_unit_test(test_greenlists),
        cmocka_unit_test(test_seed_arithmetic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
