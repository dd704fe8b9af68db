/*
 * test_engine.c -- the pipeline end to end through the C API: signals,
 * verdicts, alerts, the reorder buffer, configuration.
 */
#include "testutil.h"
#include "testevent.h"
#include <math.h>
#include "distillwatch.h"
#include "score/score.h"

#define T0 1780300800000LL /* 2026-06-01T00:00:00Z */

static dw_event base(const char *acct, int64_t ts, const char *prompt)
{
    dw_event e = ev_base(acct, ts);
    set(&e.prompt, prompt);
    return e;
}

static const char *const chat[] = {"What foods are high in vitamin C?", "How do I center a div in CSS?",
                                   "Write a haiku about rain.", "Plan a weekend in Lisbon.",
                                   "Why is my bread dense?", "Explain how HTTPS works."};

/* A harvester: reasoning-trace and grading prompts, big budgets, logprobs,
 * one request a minute around the clock, a new /24 every request. */
static void feed_harvester(dw_engine *e, const char *acct, int n)
{
    char prompt[256], ip[32], rid[32];
    for (int i = 0; i < n; i++) {
        if (i % 3 == 2)
            snprintf(prompt, sizeof prompt, "Grade the following answer on a scale of 1-10 using the rubric. Answer %d.", i);
        else
            snprintf(prompt, sizeof prompt, "Think step by step and show your full reasoning. Question %d about topic %d.", i, i % 17);
        snprintf(ip, sizeof ip, "45.%d.%d.7", i % 250, (i / 250) % 250); /* a new /24 every request */
        snprintf(rid, sizeof rid, "h-%d", i);
        dw_event ev = base(acct, T0 + (int64_t)i * 60000, prompt);
        ev.client_ip.p = ip; ev.client_ip.n = (uint32_t)strlen(ip);
        ev.request_id.p = rid; ev.request_id.n = (uint32_t)strlen(rid);
        ev.max_tokens = 8192;
        ev.completion_tokens = 7900;
        ev.logprobs = 1;
        ev.asn = 24940; /* Hetzner */
        ev.latency_ms = 90000;
        assert_int_equal(dw_engine_feed_event(e, &ev), 0);
    }
}

static void feed_chatter(dw_engine *e, const char *acct, int n, int64_t start)
{
    for (int i = 0; i < n; i++) {
        dw_event ev = base(acct, start + (int64_t)i * 600000 + (i % 3) * 97000, chat[i % 6]);
        ev.client_ip.p = "198.51.100.4"; ev.client_ip.n = 12;
        ev.user_turns = (uint16_t)(1 + i % 3);
        ev.assistant_turns = (uint16_t)(i % 3);
        ev.max_tokens = 1024;
        ev.completion_tokens = 300;
        assert_int_equal(dw_engine_feed_event(e, &ev), 0);
    }
}

static dw_engine *new_engine(void)
{
    char err[256];
    dw_engine *e = dw_engine_new(NULL, err, sizeof err);
    if (!e) fprintf(stderr, "%s\n", err);
    assert_non_null(e);
    return e;
}

static void test_harvester_blocked_chatter_allowed(void **state)
{
    (void)state;
    dw_engine *e = new_engine();
    for (int u = 0; u < 20; u++) {
        char id[16];
        snprintf(id, sizeof id, "user%02d", u);
        feed_chatter(e, id, 12 + u, T0 + u * 3600000LL);
    }
    feed_harvester(e, "harv", 3000);
    char err[256];
    assert_int_equal(dw_engine_finish(e, err, sizeof err), 0);
    dw_verdict v;
    double score;
    assert_int_equal(dw_engine_lookup(e, "harv", &v, &score), 0);
    assert_int_equal(v, DW_BLOCK);
    assert_true(score >= 0.75);
    for (int u = 0; u < 20; u++) {
        char id[16];
        snprintf(id, sizeof id, "user%02d", u);
        assert_int_equal(dw_engine_lookup(e, id, &v, &score), 0);
        assert_int_equal(v, DW_ALLOW);
    }
    assert_int_equal(dw_engine_lookup(e, "nobody", &v, &score), -1);
    dw_stats st = dw_engine_stats(e);
    assert_int_equal(st.accounts, 21);
    assert_int_equal(st.verdicts[DW_BLOCK], 1);
    assert_true(st.alerts >= 1);
    dw_engine_free(e);
}

/* Alerts are decided on arrival: the harvester's block alert must fire well
 * before its traffic ends, from the data seen up to then. */
static void test_alerts_early_and_ordered(void **state)
{
    (void)state;
    dw_engine *e = new_engine();
    feed_chatter(e, "u1", 30, T0);
    feed_harvester(e, "harv", 2000);
    char err[256];
    assert_int_equal(dw_engine_finish(e, err, sizeof err), 0);
    const char *dir = dw_test_tmpdir();
    assert_int_equal(dw_engine_write_outputs(e, dir, err, sizeof err), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/alerts.jsonl", dir);
    char *alerts = dw_test_slurp(path, NULL);
    assert_non_null(alerts);
    char *blk = strstr(alerts, "\"verdict\":\"block\"");
    assert_non_null(blk);
    /* the line holding the block alert names a request early in the harvest */
    char *line = blk;
    while (line > alerts && line[-1] != '\n') line--;
    char *rid = strstr(line, "\"request_id\":\"h-");
    assert_non_null(rid);
    int idx = atoi(rid + strlen("\"request_id\":\"h-"));
    assert_true(idx < 500); /* within the first quarter of its 2000 requests */
    assert_non_null(strstr(line, "\"account_id\":\"harv\""));
    assert_non_null(strstr(line, "reasoning"));
    /* timestamps non-decreasing */
    char prev[40] = "";
    for (char *p = strstr(alerts, "\"ts\":\""); p; p = strstr(p + 1, "\"ts\":\"")) {
        char cur[40];
        memcpy(cur, p + 6, 24);
        cur[24] = 0;
        assert_true(strcmp(prev, cur) <= 0);
        strcpy(prev, cur);
    }
    free(alerts);
    snprintf(path, sizeof path, "%s/accounts.jsonl", dir);
    char *accts = dw_test_slurp(path, NULL);
    assert_non_null(accts);
    /* worst first, with reasons; allowed accounts carry none */
    const char *head = "{\"account_id\":\"harv\",\"verdict\":\"block\"";
    assert_true(strncmp(accts, head, strlen(head)) == 0);
    assert_non_null(strstr(accts, "\"account_id\":\"u1\",\"verdict\":\"allow\""));
    assert_non_null(strstr(strstr(accts, "\"account_id\":\"u1\""), "\"reasons\":[]"));
    free(accts);
    dw_engine_free(e);
}

/* Shuffling events within the reorder window changes nothing. */
static void test_reorder_window(void **state)
{
    (void)state;
    dw_engine *a = new_engine(), *b = new_engine();
    enum { N = 400 };
    dw_event evs[N];
    char prompts[N][96];
    for (int i = 0; i < N; i++) {
        snprintf(prompts[i], sizeof prompts[i], "Explain your reasoning step by step, item %d", i);
        evs[i] = base(i % 2 ? "x" : "y", T0 + (int64_t)i * 7000, prompts[i]);
        evs[i].latency_ms = 3000;
    }
    for (int i = 0; i < N; i++) dw_engine_feed_event(a, &evs[i]);
    /* b: swap neighbours 10 apart (70 s, inside the 300 s window) */
    for (int i = 0; i + 10 < N; i += 20) { dw_event t = evs[i]; evs[i] = evs[i + 10]; evs[i + 10] = t; }
    for (int i = 0; i < N; i++) dw_engine_feed_event(b, &evs[i]);
    char err[256];
    dw_engine_finish(a, err, sizeof err);
    dw_engine_finish(b, err, sizeof err);
    double sa, sb;
    dw_verdict va, vb;
    dw_engine_lookup(a, "x", &va, &sa);
    dw_engine_lookup(b, "x", &vb, &sb);
    assert_true(sa == sb && va == vb);
    assert_int_equal(dw_engine_stats(b).events_late, 0);
    /* an event 10 minutes older than everything already released is late, yet processed */
    dw_engine *c = new_engine();
    dw_event e1 = base("z", T0 + 3600000, "hi"), e2 = base("z", T0, "early");
    dw_engine_feed_event(c, &e1);
    dw_event e3 = base("z", T0 + 3 * 3600000, "later"); /* pushes e1 out of the window */
    dw_engine_feed_event(c, &e3);
    dw_engine_feed_event(c, &e2);
    dw_engine_finish(c, err, sizeof err);
    dw_stats st = dw_engine_stats(c);
    assert_int_equal(st.events, 3);
    assert_int_equal(st.events_late, 1);
    dw_engine_free(a);
    dw_engine_free(b);
    dw_engine_free(c);
}

static void test_quarantine_lines(void **state)
{
    (void)state;
    dw_engine *e = new_engine();
    char err[256];
    const char *dir = dw_test_tmpdir();
    assert_int_equal(dw_engine_set_quarantine_dir(e, dir, err, sizeof err), 0);
    dw_decoder *d = dw_decoder_new(DW_FMT_NATIVE, NULL, err, sizeof err);
    const char *good = "{\"timestamp\": 1780315200, \"account_id\": \"a\"}";
    const char *bad1 = "{\"timestamp\": 1780315200, \"account_id\": ";
    const char *bad2 = "{\"account_id\": \"a\"}";
    dw_engine_feed_line(e, d, "log.jsonl", 1, good, strlen(good));
    dw_engine_feed_line(e, d, "log.jsonl", 2, bad1, strlen(bad1));
    dw_engine_feed_line(e, d, "log.jsonl", 3, "   ", 3);
    dw_engine_feed_line(e, d, "log.jsonl", 4, bad2, strlen(bad2));
    assert_int_equal(dw_engine_finish(e, err, sizeof err), 0);
    dw_stats st = dw_engine_stats(e);
    assert_int_equal(st.lines_read, 3);
    assert_int_equal(st.lines_accepted, 1);
    assert_int_equal(st.lines_quarantined, 2);
    assert_int_equal(st.lines_blank, 1);
    dw_engine_free(e); /* closes the quarantine files */
    char path[512];
    snprintf(path, sizeof path, "%s/quarantine.raw", dir);
    char *raw = dw_test_slurp(path, NULL);
    assert_non_null(raw);
    char expect[256];
    snprintf(expect, sizeof expect, "%s\n%s\n", bad1, bad2);
    assert_string_equal(raw, expect); /* exactly as read: nothing lost */
    free(raw);
    snprintf(path, sizeof path, "%s/quarantine.jsonl", dir);
    char *q = dw_test_slurp(path, NULL);
    assert_non_null(strstr(q, "\"source\":\"log.jsonl\",\"line\":2"));
    assert_non_null(strstr(q, "\"line\":4"));
    assert_non_null(strstr(q, "missing timestamp"));
    free(q);
    dw_decoder_free(d);
}

/* The accounts file: metadata lands on the account (a verified research
 * account is capped at review), malformed lines are quarantined, and ids
 * follow the same rule as in logs (dw_account_id_fault). */
static void test_accounts_file(void **state)
{
    (void)state;
    const char *dir = dw_test_tmpdir();
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/accounts.jsonl", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"account_id\": \"harv\", \"created_at\": \"2026-05-30T00:00:00Z\", \"payment_fingerprint\": \"card_1\","
          " \"signup_program\": \"research\", \"verified\": true}\n"
          "{\"account_id\": \"other\", \"created_at\": \"last tuesday\"}\n"
          "not json\n"
          "{\"account_id\": \"ha\\u0000rv\"}\n", f);
    /* the length limit of logs holds here too: 512 bytes pass, 513 do not */
    for (int len = 512; len <= 513; len++)
        fprintf(f, "{\"account_id\": \"%0*d\"}\n", len, 7);
    fclose(f);
    dw_engine *e = new_engine();
    assert_int_equal(dw_engine_set_quarantine_dir(e, dir, err, sizeof err), 0);
    assert_int_equal(dw_engine_load_accounts(e, path, err, sizeof err), 0);
    feed_harvester(e, "harv", 3000);
    assert_int_equal(dw_engine_finish(e, err, sizeof err), 0);
    dw_verdict v;
    double score;
    assert_int_equal(dw_engine_lookup(e, "harv", &v, &score), 0);
    assert_int_equal(v, DW_REVIEW); /* the same traffic is blocked without the verified programme */
    dw_engine_free(e);
    snprintf(path, sizeof path, "%s/quarantine.jsonl", dir);
    char *q = dw_test_slurp(path, NULL);
    assert_non_null(q);
    assert_non_null(strstr(q, "\"line\":2"));
    assert_non_null(strstr(q, "created_at"));
    assert_non_null(strstr(q, "\"line\":3"));
    assert_non_null(strstr(q, "\"line\":4"));
    assert_non_null(strstr(q, "NUL character"));
    assert_null(strstr(q, "\"line\":5"));
    assert_non_null(strstr(q, "\"line\":6"));
    assert_non_null(strstr(q, "longer than 512 bytes"));
    free(q);
}

static void test_config_file_matches_defaults(void **state)
{
    (void)state;
    if (access("config/distillwatch.conf", R_OK) != 0) skip();
    dw_config *def = dw_config_new(), *file = dw_config_new();
    char err[256];
    dw_config *zero = dw_config_new();
    /* load the file onto a config whose every value differs from the defaults,
     * so that a key missing from the file shows up as a mismatch */
    for (int i = 0; i < S__COUNT; i++) {
        file->sig[i].weight = file->sig[i].lo = file->sig[i].hi = -99;
        file->sig[i].min_requests = 9999;
    }
    file->review = 0.01; file->block = 0.02; file->half_points = 99; file->block_min_groups = 99;
    file->group_present = 99; file->confidence_requests = 99; file->reorder_window_s = 99;
    file->max_line_bytes = 99; file->max_buffered_events = 99; file->trust_caps_block = 99; file->block_needs_concealment = 99;
    for (int i = 0; i < S__COUNT; i++) file->sig[i].corroborates = 99;
    file->max_accounts = 99;
    snprintf(file->serve_account_header, sizeof file->serve_account_header, "x-wrong");
    file->serve_account_hash = 99;
    snprintf(file->serve_key_secret, sizeof file->serve_key_secret, "wrong");
    assert_int_equal(dw_config_load(file, "config/distillwatch.conf", err, sizeof err), 0);
    assert_true(def->max_accounts == file->max_accounts);
    assert_string_equal(def->serve_account_header, file->serve_account_header);
    assert_int_equal(def->serve_account_hash, file->serve_account_hash);
    assert_string_equal(def->serve_key_secret, file->serve_key_secret);
    for (int i = 0; i < S__COUNT; i++) {
        if (def->sig[i].weight != file->sig[i].weight || def->sig[i].lo != file->sig[i].lo ||
            def->sig[i].hi != file->sig[i].hi || def->sig[i].min_requests != file->sig[i].min_requests ||
            (def->sig[i].corroborates != file->sig[i].corroborates && file->sig[i].corroborates != 99))
            fail_msg("signal %s: config file and built-in defaults differ", dw_signal_name((dw_signal_id)i));
    }
    assert_true(def->review == file->review && def->block == file->block && def->half_points == file->half_points);
    assert_true(def->block_min_groups == file->block_min_groups && def->group_present == file->group_present);
    assert_true(def->confidence_requests == file->confidence_requests && def->reorder_window_s == file->reorder_window_s);
    assert_true(def->max_line_bytes == file->max_line_bytes && def->max_buffered_events == file->max_buffered_events);
    assert_true(def->trust_caps_block == file->trust_caps_block);
    assert_true(def->block_needs_concealment == file->block_needs_concealment);
    assert_true(file->sig[S_DATACENTER].corroborates == 0 && file->sig[S_SINGLE_TURN].corroborates == 0);
    const char *dir = dw_test_tmpdir();
    assert_int_equal(dw_config_load(zero, dw_test_write(dir, "bad.conf", "[signal.reasoning_elicitaton]\nweight = 1\n"),
                                    err, sizeof err), -1);
    assert_non_null(strstr(err, "reasoning_elicitaton"));
    assert_int_equal(dw_config_load(zero, dw_test_write(dir, "bad.conf", "[verdict]\nreview = lots\n"), err, sizeof err), -1);
    assert_non_null(strstr(err, "not a number"));
    assert_int_equal(dw_config_load(zero, dw_test_write(dir, "bad.conf", "[verdict]\nreview = 0.9\nblock = 0.5\n"),
                                    err, sizeof err), -1);
    dw_config_free(def);
    dw_config_free(file);
    dw_config_free(zero);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_harvester_blocked_chatter_allowed),
        cmocka_unit_test(test_alerts_early_and_ordered),
        cmocka_unit_test(test_reorder_window),
        cmocka_unit_test(test_quarantine_lines),
        cmocka_unit_test(test_accounts_file),
        cmocka_unit_test(test_config_file_matches_defaults),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
