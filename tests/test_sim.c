/*
 * test_sim.c -- the simulator's contracts: byte-for-byte reproducibility,
 * a population whose files agree with each other, timestamps in order, ids
 * that say nothing about class, scenario files that match the built-ins, and
 * the small pieces (clock, PRNG) everything else stands on.
 */
#include "testutil.h"

#include <ctype.h>
#include <math.h>

#include "decode/json.h"
#include "sim/clock.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/sim.h"

/* A scenario small enough for a sanitized test, with every class present. */
static void tiny(dws_scenario *sc)
{
    assert_true(dws_scenario_builtin("demo", sc));
    const char *sets[] = {
        "casual_chat.accounts=25", "office_dev.offices=2", "office_dev.accounts_per_office=3",
        "coding_agent.accounts=5", "batch_job.job_requests=150", "eval_harness.suite_items=40",
        "researcher.requests_per_account_per_day=60", "campus_student.accounts_per_campus=10",
        "reseller.requests_per_account_per_day=120", "reseller.end_users=20", "jailbreaker.accounts=3",
        "jailbreaker.requests_per_account_per_day=30",
        "campaign_roundrobin.accounts_per_campaign=6", "campaign_roundrobin.requests_per_account_per_day=20",
        "campaign_hydra.accounts_per_campaign=10", "campaign_hydra.requests_per_account_per_day=12",
        "campaign_agentic.accounts_per_campaign=4", "campaign_agentic.requests_per_account_per_day=16",
        "campaign_multilingual.accounts_per_campaign=5", "campaign_multilingual.requests_per_account_per_day=10",
    };
    char err[256];
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) assert_true(dws_scenario_set(sc, sets[i], err, sizeof err));
}

static void run_into(const dws_scenario *sc, uint64_t seed, char *dir, size_t cap, dws_stats *st)
{
    const char *d = dw_test_tmpdir();
    assert_non_null(d);
    snprintf(dir, cap, "%s", d);
    char err[256] = "";
    memset(st, 0, sizeof *st);
    int rc = dws_simulate(sc, seed, NULL, dir, st, err, sizeof err);
    if (rc != 0) print_error("%s\n", err);
    assert_int_equal(rc, 0);
}

static char *file_in(const char *dir, const char *name, size_t *len)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    char *s = dw_test_slurp(p, len);
    assert_non_null(s);
    return s;
}

static void test_reproducible(void **state)
{
    (void)state;
    dws_scenario sc;
    tiny(&sc);
    char a[256], b[256], c[256];
    dws_stats sa, sb, scs;
    run_into(&sc, 42, a, sizeof a, &sa);
    run_into(&sc, 42, b, sizeof b, &sb);
    run_into(&sc, 43, c, sizeof c, &scs);
    assert_true(sa.requests > 1000);
    const char *files[] = {"requests.jsonl", "accounts.jsonl", "truth.jsonl", "truth_requests.jsonl", "scenario.ini"};
    for (size_t i = 0; i < 5; i++) {
        size_t la, lb;
        char *x = file_in(a, files[i], &la), *y = file_in(b, files[i], &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(x, y, la);
        free(x);
        free(y);
    }
    size_t la, lc;
    char *x = file_in(a, "requests.jsonl", &la), *z = file_in(c, "requests.jsonl", &lc);
    assert_true(la != lc || memcmp(x, z, la) != 0);
    free(x);
    free(z);
}

typedef struct acc { char id[40]; char label[16]; char cls[40]; bool camp; long n; } acc;

static int find(acc *v, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].id, id)) return i;
    return -1;
}

static bool id_looks_ordinary(const char *id)
{
    if (strncmp(id, "acct_", 5) != 0 || strlen(id) != 21) return false;
    for (int i = 5; i < 21; i++)
        if (!isxdigit((unsigned char)id[i]) || isupper((unsigned char)id[i])) return false;
    return true;
}

static void test_population(void **state)
{
    (void)state;
    dws_scenario sc;
    tiny(&sc);
    char dir[256];
    dws_stats st;
    run_into(&sc, 7, dir, sizeof dir, &st);
    dw_json_doc d;
    dw_json_init(&d);

    /* truth: every line parses, ids look alike, labels are consistent */
    acc *v = calloc(4096, sizeof *v);
    int n = 0;
    char *t = file_in(dir, "truth.jsonl", NULL);
    char prev[40] = "";
    for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
        assert_int_equal(dw_json_parse(&d, line, strlen(line)), 0);
        acc *a = &v[n++];
        dw_json_str(&d, dw_json_get(&d, 0, "account_id"), a->id, sizeof a->id);
        dw_json_str(&d, dw_json_get(&d, 0, "label"), a->label, sizeof a->label);
        dw_json_str(&d, dw_json_get(&d, 0, "class"), a->cls, sizeof a->cls);
        a->camp = dw_json_type_of(&d, dw_json_get(&d, 0, "campaign")) == DW_JSON_STRING;
        assert_true(id_looks_ordinary(a->id));
        assert_true(strcmp(prev, a->id) < 0);  /* sorted by id, unique */
        snprintf(prev, sizeof prev, "%s", a->id);
        assert_int_equal(a->camp, !strcmp(a->label, "campaign"));
        assert_int_equal(!strncmp(a->cls, "campaign_", 9), !strcmp(a->label, "campaign"));
        if (!strcmp(a->cls, "jailbreaker")) assert_string_equal(a->label, "abuse");
    }
    free(t);
    assert_int_equal((size_t)n, st.accounts);
    /* every campaign class is present */
    const char *classes[] = {"campaign_roundrobin", "campaign_hydra", "campaign_agentic", "campaign_multilingual",
                             "casual_chat", "eval_harness", "batch_job", "coding_agent", "reseller"};
    for (size_t k = 0; k < sizeof classes / sizeof *classes; k++) {
        bool found = false;
        for (int i = 0; i < n; i++) found |= !strcmp(v[i].cls, classes[k]);
        if (!found) print_error("class %s missing\n", classes[k]);
        assert_true(found);
    }

    /* accounts.jsonl has the same ids in the same order, with every field */
    char *ac = file_in(dir, "accounts.jsonl", NULL);
    int m = 0;
    for (char *line = strtok(ac, "\n"); line; line = strtok(NULL, "\n"), m++) {
        assert_int_equal(dw_json_parse(&d, line, strlen(line)), 0);
        assert_true(dw_json_str_eq(&d, dw_json_get(&d, 0, "account_id"), v[m].id));
        const char *keys[] = {"created_at", "payment_fingerprint", "email_domain", "signup_program", "country",
                              "verified"};
        for (size_t k = 0; k < 6; k++) assert_true(dw_json_get(&d, 0, keys[k]) >= 0);
    }
    free(ac);
    assert_int_equal(m, n);

    /* requests: sorted, unique ids, known accounts, the new model only after the release */
    size_t len;
    char *rq = file_in(dir, "requests.jsonl", &len);
    int64_t last = INT64_MIN, release = sc.start_ms + (int64_t)(sc.release_day * 86400000.0);
    long lines = 0, new_model = 0, v6 = 0;
    char *save = NULL;
    for (char *line = strtok_r(rq, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        assert_int_equal(dw_json_parse(&d, line, strlen(line)), 0);
        int32_t ts = dw_json_get(&d, 0, "timestamp");
        const dw_json_tok *tk = &d.toks[ts];
        assert_int_equal(tk->len, 24);  /* YYYY-MM-DDTHH:MM:SS.mmmZ */
        int64_t ms;
        assert_true(dws_time_parse(d.src + tk->start, tk->len, &ms));
        assert_true(ms >= last);
        last = ms;
        char id[40];
        dw_json_str(&d, dw_json_get(&d, 0, "account_id"), id, sizeof id);
        int i = find(v, n, id);
        assert_true(i >= 0);
        v[i].n++;
        if (dw_json_str_eq(&d, dw_json_path(&d, 0, "request.model"), "m-large-3")) {
            new_model++;
            assert_true(ms >= release);
        }
        char ip[64];
        dw_json_str(&d, dw_json_get(&d, 0, "client_ip"), ip, sizeof ip);
        v6 += strchr(ip, ':') != NULL;
        assert_true(dw_json_get(&d, 0, "asn") >= 0);
        lines++;
    }
    free(rq);
    assert_int_equal((size_t)lines, st.requests);
    assert_true(new_model > 0);
    assert_true(v6 > 0);
    for (int i = 0; i < n; i++) assert_true(v[i].n > 0);  /* only accounts with traffic are listed */

    /* truth_requests covers exactly the campaign requests */
    char *tr = file_in(dir, "truth_requests.jsonl", NULL);
    long labelled = 0, cover = 0;
    for (char *line = strtok(tr, "\n"); line; line = strtok(NULL, "\n")) {
        assert_int_equal(dw_json_parse(&d, line, strlen(line)), 0);
        labelled++;
        cover += dw_json_str_eq(&d, dw_json_get(&d, 0, "purpose"), "cover");
    }
    free(tr);
    long camp_requests = 0;
    for (int i = 0; i < n; i++)
        if (v[i].camp) camp_requests += v[i].n;
    assert_int_equal(labelled, camp_requests);
    assert_true(cover > 0);  /* the hydra's cover traffic */
    free(v);
    dw_json_free(&d);
}

static void test_scenario_files_match_builtins(void **state)
{
    (void)state;
    const char *names[] = {"default", "demo"};
    for (int i = 0; i < 2; i++) {
        char path[128], err[256];
        snprintf(path, sizeof path, "data/scenarios/%s.ini", names[i]);
        dws_scenario fromfile, builtin;
        if (!dws_scenario_load(path, &fromfile, err, sizeof err)) print_error("%s\n", err);
        assert_true(dws_scenario_load(path, &fromfile, err, sizeof err));
        assert_true(dws_scenario_builtin(names[i], &builtin));
        char *a = dws_scenario_to_ini(&fromfile), *b = dws_scenario_to_ini(&builtin);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
}

static void test_scenario_errors(void **state)
{
    (void)state;
    dws_scenario sc;
    char err[256];
    assert_true(dws_scenario_builtin("demo", &sc));
    assert_false(dws_scenario_set(&sc, "ip_rotation=hourly", err, sizeof err));
    assert_non_null(strstr(err, "per_request"));
    assert_false(dws_scenario_set(&sc, "casual_chat.cover_share=0.5", err, sizeof err));
    assert_false(dws_scenario_set(&sc, "nosuch.accounts=3", err, sizeof err));
    assert_false(dws_scenario_set(&sc, "cover_share=1.5", err, sizeof err));
    assert_false(dws_scenario_set(&sc, "novalue", err, sizeof err));
    assert_true(dws_scenario_set(&sc, "cover_share=40%", err, sizeof err));
    assert_true(fabs(sc.cls[DWS_HYDRA].cover_share - 0.4) < 1e-12);
    assert_true(fabs(sc.cls[DWS_RR].cover_share - 0.4) < 1e-12);
    assert_true(dws_scenario_set(&sc, "campaign_hydra.pacing=robotic", err, sizeof err));
    assert_true(sc.cls[DWS_HYDRA].pacing == 0);
    assert_true(dws_scenario_set(&sc, "days=3", err, sizeof err));
    assert_int_equal(sc.days, 3);

    const char *d = dw_test_tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/bad.ini", d);
    FILE *f = fopen(path, "w");
    fputs("[scenario]\ndays = 2\n\n[campaign_hydra]\nip_rotation = sometimes\n", f);
    fclose(f);
    assert_false(dws_scenario_load(path, &sc, err, sizeof err));
    assert_non_null(strstr(err, ":5:"));  /* the line of the bad value */
    assert_false(dws_scenario_load("/nonexistent.ini", &sc, err, sizeof err));
}

static void test_clock(void **state)
{
    (void)state;
    int64_t ms;
    assert_true(dws_time_parse("2026-06-01T00:00:00Z", 20, &ms));
    assert_true(ms == 1780272000000LL);
    assert_true(dws_time_parse("2026-06-01T02:30:00.5+02:30", 27, &ms));
    assert_true(ms == 1780272000500LL);
    assert_false(dws_time_parse("2026-06-01 00:00:00", 19, &ms));
    assert_false(dws_time_parse("2026-13-01T00:00:00Z", 20, &ms));
    char out[32];
    dws_time_format(1780272000123LL, out);
    assert_string_equal(out, "2026-06-01T00:00:00.123Z");
    dws_time_format(951782400000LL, out);  /* a leap day */
    assert_string_equal(out, "2000-02-29T00:00:00.000Z");
    assert_int_equal(dws_weekday(1780272000000LL, 0), 0);  /* 2026-06-01 is a Monday */
}

static void test_rng(void **state)
{
    (void)state;
    dws_rng a, b;
    dws_rng_seed(&a, 99);
    dws_rng_seed(&b, 99);
    for (int i = 0; i < 1000; i++) assert_true(dws_rng_u64(&a) == dws_rng_u64(&b));
    double sum = 0;
    for (int i = 0; i < 20000; i++) {
        assert_true(dws_rng_below(&a, 7) < 7);
        double u = dws_rng_unif(&a);
        assert_true(u >= 0 && u < 1);
        sum += dws_rng_poisson(&a, 4.0);
    }
    assert_true(fabs(sum / 20000 - 4.0) < 0.1);
    /* derived streams differ by label */
    dws_rng_derive(&a, 1, 2, 3);
    dws_rng_derive(&b, 1, 2, 4);
    assert_true(dws_rng_u64(&a) != dws_rng_u64(&b));
}

static void test_cli_errors(void **state)
{
    (void)state;
    char *bad1[] = {"simulate", "--bogus", NULL};
    assert_int_equal(dw_cmd_simulate(2, bad1), 2);
    char *bad2[] = {"simulate", "--seed", "x", "--out", "/tmp/x", NULL};
    assert_int_equal(dw_cmd_simulate(5, bad2), 2);
    char *bad3[] = {"simulate", "--seed", "1", NULL};
    assert_int_equal(dw_cmd_simulate(3, bad3), 2);  /* --out missing */
    char *bad4[] = {"simulate", "--scenario", "nope", "--out", "/tmp/x", NULL};
    assert_int_equal(dw_cmd_simulate(5, bad4), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_population),
        cmocka_unit_test(test_scenario_files_match_builtins),
        cmocka_unit_test(test_scenario_errors),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_rng),
        cmocka_unit_test(test_cli_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
