/*
 * test_eval.c -- the evaluation arithmetic, pinned against cases worked out
 * by hand, and one end-to-end evaluation over tiny hand-written files.
 *
 * Every expected number below is derived in the comment above its assert,
 * so a reader can check the metric definition and the code against each
 * other without running anything.
 */
#include "testutil.h"

#include <math.h>

#include "eval/eval.h"
#include "eval/metrics.h"

/* This cmocka predates assert_double_equal. */
static void near_(double a, double b, double eps, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%.17g != %.17g (eps %g)\n", a, b, eps);
        _fail(file, line);
    }
}
#define assert_near(a, b, eps) near_((a), (b), (eps), __FILE__, __LINE__)

static void test_confusion(void **state)
{
    (void)state;
    bool actual[] = {1, 1, 0, 0, 1};
    bool pred[] = {1, 0, 1, 0, 1};
    /* tp: items 0,4; fp: item 2; fn: item 1; tn: item 3 */
    dwe_counts c = dwe_confusion(actual, pred, NULL, 5);
    assert_int_equal(c.tp, 2);
    assert_int_equal(c.fp, 1);
    assert_int_equal(c.fn, 1);
    assert_int_equal(c.tn, 1);
    assert_near(dwe_precision(&c), 2.0 / 3.0, 1e-12);
    assert_near(dwe_recall(&c), 2.0 / 3.0, 1e-12);
    assert_near(dwe_f1(&c), 2.0 / 3.0, 1e-12);
    /* excluding items 1 and 2 leaves tp 2, tn 1: perfect */
    bool incl[] = {1, 0, 0, 1, 1};
    c = dwe_confusion(actual, pred, incl, 5);
    assert_int_equal(c.tp, 2);
    assert_int_equal(c.fp, 0);
    assert_int_equal(c.fn, 0);
    assert_int_equal(c.tn, 1);
    assert_near(dwe_precision(&c), 1.0, 1e-12);
}

static void test_undefined_ratios(void **state)
{
    (void)state;
    bool actual[] = {1, 0};
    bool none[] = {0, 0};
    dwe_counts c = dwe_confusion(actual, none, NULL, 2);
    /* nothing predicted: precision undefined, recall 0 */
    assert_true(isnan(dwe_precision(&c)));
    assert_near(dwe_recall(&c), 0.0, 0);
    assert_true(isnan(dwe_f1(&c)));
    bool neg[] = {0, 0};
    c = dwe_confusion(neg, none, NULL, 2);
    assert_true(isnan(dwe_recall(&c)));
    assert_true(isnan(dwe_rate(3, 0)));
    assert_near(dwe_rate(1, 4), 0.25, 0);
}

static void test_pr_curve_with_ties(void **state)
{
    (void)state;
    double score[] = {0.9, 0.8, 0.8, 0.3, 0.1};
    bool actual[] = {1, 0, 1, 1, 0};
    dwe_pr_point pts[5];
    double ap;
    size_t n = dwe_pr_curve(score, actual, NULL, 5, pts, &ap);
    /* distinct thresholds 0.9, 0.8 (two accounts enter together), 0.3, 0.1:
     *   >=0.9: tp1 fp0 -> P 1,   R 1/3
     *   >=0.8: tp2 fp1 -> P 2/3, R 2/3
     *   >=0.3: tp3 fp1 -> P 3/4, R 1
     *   >=0.1: tp3 fp2 -> P 3/5, R 1
     * AP = 1/3*1 + 1/3*2/3 + 1/3*3/4 + 0*3/5 = 29/36 */
    assert_int_equal(n, 4);
    assert_near(pts[0].threshold, 0.9, 0);
    assert_near(pts[0].precision, 1.0, 1e-12);
    assert_near(pts[0].recall, 1.0 / 3.0, 1e-12);
    assert_near(pts[1].threshold, 0.8, 0);
    assert_near(pts[1].precision, 2.0 / 3.0, 1e-12);
    assert_near(pts[1].recall, 2.0 / 3.0, 1e-12);
    assert_near(pts[2].precision, 0.75, 1e-12);
    assert_near(pts[2].recall, 1.0, 1e-12);
    assert_near(pts[3].precision, 0.6, 1e-12);
    assert_near(ap, 29.0 / 36.0, 1e-12);
    /* a perfect ranking has AP 1; no positives has AP undefined */
    double s2[] = {0.9, 0.1};
    bool a2[] = {1, 0};
    dwe_pr_curve(s2, a2, NULL, 2, pts, &ap);
    assert_near(ap, 1.0, 1e-12);
    bool a3[] = {0, 0};
    dwe_pr_curve(s2, a3, NULL, 2, pts, &ap);
    assert_true(isnan(ap));
}

static void test_jaccard(void **state)
{
    (void)state;
    uint32_t t[] = {1, 2, 3};
    uint32_t p1[] = {2, 3, 4, 5};  /* inter 2, union 5 -> 0.4 */
    uint32_t p2[] = {1, 2, 3, 9};  /* inter 3, union 4 -> 0.75 */
    uint32_t p3[] = {7};           /* 0 */
    assert_near(dwe_jaccard(t, 3, p1, 4), 0.4, 1e-12);
    assert_near(dwe_jaccard(t, 3, t, 3), 1.0, 0);
    assert_true(isnan(dwe_jaccard(t, 0, p1, 0)));
    const uint32_t *sets[] = {p1, p2, p3};
    size_t ns[] = {4, 4, 1};
    long best;
    assert_near(dwe_best_jaccard(t, 3, sets, ns, 3, &best), 0.75, 1e-12);
    assert_int_equal(best, 1);
    assert_near(dwe_best_jaccard(t, 3, sets, ns, 0, &best), 0.0, 0);
    assert_int_equal(best, -1);
}

static void test_exposure_and_cost(void **state)
{
    (void)state;
    int64_t ts[] = {40, 10, 30, 20};
    /* strictly before 30: 10 and 20 */
    assert_near(dwe_share_before(ts, 4, 30), 0.5, 0);
    assert_near(dwe_share_before(ts, 4, INT64_MAX), 1.0, 0);
    assert_near(dwe_share_before(ts, 4, 0), 0.0, 0);
    assert_true(isnan(dwe_share_before(ts, 0, 5)));
    /* 10 accounts delivered 500 answers: 50 each, 20,000 accounts per million */
    assert_near(dwe_accounts_per_million(500, 10), 20000.0, 1e-9);
    assert_true(isinf(dwe_accounts_per_million(0, 10)));
}


/* Five accounts: c1,c2,c3 in campaign X; b1 benign eval harness; j1 abuse.
 * The scan blocks c1 and c2 (campaign P = {c1,c2,b1}), reviews b1, allows c3
 * and j1.  Alerts: c1 at t=3s, c2 at t=5s. */
static void test_end_to_end(void **state)
{
    (void)state;
    const char *d = dw_test_tmpdir();
    assert_non_null(d);
    char scan[256];
    snprintf(scan, sizeof scan, "%s/scan", d);
    assert_int_equal(mkdir(scan, 0777), 0);
    dw_test_write(d, "truth.jsonl",
               "{\"account_id\":\"c1\",\"label\":\"campaign\",\"campaign\":\"X\",\"class\":\"campaign_hydra\"}\n"
               "{\"account_id\":\"c2\",\"label\":\"campaign\",\"campaign\":\"X\",\"class\":\"campaign_hydra\"}\n"
               "{\"account_id\":\"c3\",\"label\":\"campaign\",\"campaign\":\"X\",\"class\":\"campaign_hydra\"}\n"
               "{\"account_id\":\"b1\",\"label\":\"benign\",\"campaign\":null,\"class\":\"eval_harness\"}\n"
               "{\"account_id\":\"j1\",\"label\":\"abuse\",\"campaign\":null,\"class\":\"jailbreaker\"}\n");
    /* c1: 4 requests at 1,2,3,4 s (one cover: r2); c2: 2 requests at 4,6 s;
     * c3: 2 at 1,7 s; b1: 1; j1: 1.  Campaign traffic: 8 requests, first
     * alert at 3 s: before it c1@1,c1@2,c3@1 -> 3/8. */
    dw_test_write(d, "requests.jsonl",
               "{\"request_id\":\"r1\",\"timestamp\":\"2026-06-01T00:00:01Z\",\"account_id\":\"c1\"}\n"
               "{\"request_id\":\"r2\",\"timestamp\":\"2026-06-01T00:00:02Z\",\"account_id\":\"c1\"}\n"
               "{\"request_id\":\"r3\",\"timestamp\":\"2026-06-01T00:00:03Z\",\"account_id\":\"c1\"}\n"
               "{\"request_id\":\"r4\",\"timestamp\":1780272004,\"account_id\":\"c1\"}\n"
               "{\"request_id\":\"r5\",\"timestamp\":\"2026-06-01T00:00:04Z\",\"account_id\":\"c2\"}\n"
               "{\"request_id\":\"r6\",\"timestamp\":\"2026-06-01T00:00:06Z\",\"account_id\":\"c2\"}\n"
               "{\"request_id\":\"r7\",\"timestamp\":\"2026-06-01T00:00:01Z\",\"account_id\":\"c3\"}\n"
               "{\"request_id\":\"r8\",\"timestamp\":\"2026-06-01T00:00:07Z\",\"account_id\":\"c3\"}\n"
               "{\"request_id\":\"r9\",\"timestamp\":\"2026-06-01T00:00:01Z\",\"account_id\":\"b1\"}\n"
               "not json at all\n"
               "{\"request_id\":\"r10\",\"timestamp\":\"2026-06-01T00:00:01Z\",\"account_id\":\"j1\"}\n");
    dw_test_write(d, "truth_requests.jsonl",
               "{\"request_id\":\"r2\",\"account_id\":\"c1\",\"purpose\":\"cover\"}\n"
               "{\"request_id\":\"r1\",\"account_id\":\"c1\",\"purpose\":\"harvest\"}\n");
    dw_test_write(scan, "accounts.jsonl",
               "{\"account_id\":\"c1\",\"verdict\":\"block\",\"score\":0.9,\"campaign_id\":\"P\"}\n"
               "{\"account_id\":\"c2\",\"verdict\":\"block\",\"score\":0.8,\"campaign_id\":\"P\"}\n"
               "{\"account_id\":\"c3\",\"verdict\":\"allow\",\"score\":0.1,\"campaign_id\":null}\n"
               "{\"account_id\":\"b1\",\"verdict\":\"review\",\"score\":0.5,\"campaign_id\":\"P\"}\n"
               "{\"account_id\":\"j1\",\"verdict\":\"allow\",\"score\":0.95,\"campaign_id\":null}\n"
               "{\"account_id\":\"zz\",\"verdict\":\"allow\",\"score\":0.0,\"campaign_id\":null}\n");
    dw_test_write(scan, "alerts.jsonl",
               "{\"ts\":\"2026-06-01T00:00:03Z\",\"request_id\":\"r3\",\"account_id\":\"c1\",\"campaign_id\":\"P\","
               "\"verdict\":\"block\",\"score\":0.9,\"reason\":\"x\"}\n"
               "{\"ts\":\"2026-06-01T00:00:05.000Z\",\"request_id\":\"r6\",\"account_id\":\"c2\",\"campaign_id\":\"P\","
               "\"verdict\":\"block\",\"score\":0.8,\"reason\":\"y\"}\n");
    char truth[256];
    snprintf(truth, sizeof truth, "%s/truth.jsonl", d);
    dwe_inputs in = {truth, scan, NULL, NULL};
    dwe_result r;
    char err[256];
    assert_int_equal(dwe_evaluate(&in, &r, err, sizeof err), 0);
    assert_int_equal(r.accounts, 5);
    assert_int_equal(r.abuse, 1);
    assert_int_equal(r.positives, 3);
    assert_int_equal(r.scan_unknown, 1);
    assert_int_equal(r.requests, 10);
    /* review+block over {c1,c2,c3,b1}: tp c1,c2; fp b1; fn c3 */
    assert_int_equal(r.flag.tp, 2);
    assert_int_equal(r.flag.fp, 1);
    assert_int_equal(r.flag.fn, 1);
    /* block: tp c1,c2; fp none; fn c3 */
    assert_int_equal(r.block.tp, 2);
    assert_int_equal(r.block.fp, 0);
    /* ranking c1 .9, c2 .8, b1 .5, c3 .1 (j1 excluded):
     * AP = 1/3*1 + 1/3*1 + 1/3*3/4 = 11/12 */
    assert_near(r.ap, 11.0 / 12.0, 1e-9);
    /* heavy legit: b1 (eval_harness) reviewed, not blocked */
    assert_int_equal(r.heavy_accounts, 1);
    assert_int_equal(r.heavy_review, 1);
    assert_int_equal(r.heavy_block, 0);
    assert_int_equal(r.ncamps, 1);
    const dwe_camp_row *c = &r.camps[0];
    assert_string_equal(c->id, "X");
    assert_int_equal(c->accounts, 3);
    assert_int_equal(c->requests, 8);
    assert_near(c->before_share, 3.0 / 8.0, 1e-12);
    /* predicted P = {c1,c2,b1} vs X = {c1,c2,c3}: inter 2, union 4 */
    assert_near(c->best_jaccard, 0.5, 1e-12);
    assert_string_equal(c->best_pred, "P");
    /* answers (harvest, r2 is cover): c1 3, c2 2, c3 2 = 7.  Before each
     * account's own first alert: c1 r1 (r2 cover) -> 1; c2 r5 at 4s < 5s -> 1;
     * c3 never alerted -> 2.  Total 4 over 3 accounts: 750,000 per million. */
    assert_int_equal(c->answers, 7);
    assert_int_equal(c->answers_before, 4);
    assert_near(c->cost, 750000.0, 1e-6);
    assert_near(r.cost, 750000.0, 1e-6);

    /* outputs exist and the HTML escapes what it is given */
    char path[512];
    snprintf(path, sizeof path, "%s/eval.json", d);
    assert_int_equal(dwe_write_json(&r, &in, path), 0);
    snprintf(path, sizeof path, "%s/eval.html", d);
    dwe_inputs evil = {"<script>alert(1)</script>", scan, NULL, NULL};
    assert_int_equal(dwe_write_html(&r, &evil, path), 0);
    char *html = dw_test_slurp(path, NULL);
    assert_non_null(html);
    assert_null(strstr(html, "<script>"));
    assert_non_null(strstr(html, "&lt;script&gt;"));
    assert_non_null(strstr(html, "<svg"));
    assert_null(strstr(html, "src=\"http"));
    free(html);
    dwe_result_free(&r);

    /* campaigns.json takes precedence over accounts' campaign_id */
    dw_test_write(scan, "campaigns.json",
               "{\"campaigns\":[{\"campaign_id\":\"Q\",\"accounts\":[\"c1\",\"c2\",\"c3\"]},"
               "{\"campaign_id\":\"R\",\"accounts\":[\"b1\"]}]}");
    assert_int_equal(dwe_evaluate(&in, &r, err, sizeof err), 0);
    assert_true(r.have_campaigns_json);
    assert_near(r.camps[0].best_jaccard, 1.0, 1e-12);
    assert_string_equal(r.camps[0].best_pred, "Q");
    dwe_result_free(&r);
}

static void test_bad_input(void **state)
{
    (void)state;
    const char *d = dw_test_tmpdir();
    assert_non_null(d);
    dw_test_write(d, "truth.jsonl", "{\"account_id\":\"a\",\"label\":\"weird\"}\n");
    char truth[256];
    snprintf(truth, sizeof truth, "%s/truth.jsonl", d);
    dwe_inputs in = {truth, d, NULL, NULL};
    dwe_result r;
    char err[256];
    assert_int_equal(dwe_evaluate(&in, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "label"));
    dwe_inputs missing = {"/nonexistent/truth.jsonl", d, NULL, NULL};
    assert_int_equal(dwe_evaluate(&missing, &r, err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confusion),
        cmocka_unit_test(test_undefined_ratios),
        cmocka_unit_test(test_pr_curve_with_ties),
        cmocka_unit_test(test_jaccard),
        cmocka_unit_test(test_exposure_and_cost),
        cmocka_unit_test(test_end_to_end),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
