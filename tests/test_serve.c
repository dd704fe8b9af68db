/*
 * test_serve.c -- the socket-free parts of `serve`: request parsing, the
 * review throttle and the ingest journal (the HTTP side is covered end to end
 * by tests/e2e/serve_basic.sh and serve_nginx.sh).
 */
#include "testutil.h"
#include "serve/request.h"
#include "serve/ratelimit.h"
#include "serve/journal.h"

static void test_bearer(void **st)
{
    (void)st;
    assert_true(dw_serve_bearer_ok("Bearer s3cret", "s3cret"));
    assert_true(dw_serve_bearer_ok("bearer  s3cret ", "s3cret"));
    assert_false(dw_serve_bearer_ok("Bearer s3cre", "s3cret"));
    assert_false(dw_serve_bearer_ok("Bearer s3cretX", "s3cret"));
    assert_false(dw_serve_bearer_ok("Basic s3cret", "s3cret"));
    assert_false(dw_serve_bearer_ok(NULL, "s3cret"));
    assert_false(dw_serve_bearer_ok("Bearer ", ""));
}

static void test_content_length(void **st)
{
    (void)st;
    uint64_t v;
    assert_int_equal(dw_serve_content_length("16777216", &v), 0);
    assert_int_equal(v, 16777216);
    assert_int_equal(dw_serve_content_length("-1", &v), -1);
    assert_int_equal(dw_serve_content_length("12a", &v), -1);
    assert_int_equal(dw_serve_content_length("", &v), -1);
    assert_int_equal(dw_serve_content_length("99999999999999999999999", &v), -1);
}

static void test_account_path(void **st)
{
    (void)st;
    char id[DW_SERVE_MAX_ID + 1];
    assert_int_equal(dw_serve_account_path("/v1/accounts/acct_7f3a", id, sizeof id), 9);
    assert_string_equal(id, "acct_7f3a");
    assert_int_equal(dw_serve_account_path("/v1/accounts/org%3A42", id, sizeof id), 6);
    assert_string_equal(id, "org:42");
    assert_int_equal(dw_serve_account_path("/v1/check", id, sizeof id), 0);
    assert_int_equal(dw_serve_account_path("/v1/accounts/", id, sizeof id), -1);
    assert_int_equal(dw_serve_account_path("/v1/accounts/a/b", id, sizeof id), -1);
    assert_int_equal(dw_serve_account_path("/v1/accounts/a%2", id, sizeof id), -1);
    assert_int_equal(dw_serve_account_path("/v1/accounts/a%00b", id, sizeof id), -1);
    assert_int_equal(dw_serve_account_path("/v1/accounts/a%20b", id, sizeof id), -1); /* not printable-id */
    assert_int_equal(dw_serve_account_path("/v1/accounts/abcdefgh", id, 4), -1);    /* refused, not truncated */
}

static void test_guardrail(void **st)
{
    (void)st;
    char id[DW_SERVE_MAX_ID + 1];
    const char *org = "{\"texts\":[\"hi\"],\"request_data\":{\"metadata\":{\"user_api_key_org_id\":\"org_1\","
                      "\"user_api_key_user_id\":\"u_2\"}},\"input_type\":\"request\"}";
    assert_int_equal(dw_serve_guardrail_account(org, strlen(org), id, sizeof id), 5);
    assert_string_equal(id, "org_1");
    const char *user = "{\"request_data\":{\"metadata\":{\"user_api_key_org_id\":null,\"user_api_key_user_id\":\"u_2\"}}}";
    assert_int_equal(dw_serve_guardrail_account(user, strlen(user), id, sizeof id), 3);
    assert_string_equal(id, "u_2");
    const char *none = "{\"texts\":[],\"input_type\":\"response\"}";
    assert_int_equal(dw_serve_guardrail_account(none, strlen(none), id, sizeof id), 0);
    assert_int_equal(dw_serve_guardrail_account("[1]", 3, id, sizeof id), -1);
    assert_int_equal(dw_serve_guardrail_account("{", 1, id, sizeof id), -1);
}

static void test_ratelimit(void **st)
{
    (void)st;
    dw_ratelimit *r = malloc(sizeof *r);
    assert_non_null(r);
    dw_rl_init(r, 2.0, 3);
    double retry = 0;
    int64_t t = 1000000;
    for (int i = 0; i < 3; i++) assert_true(dw_rl_take(r, 42, t, &retry)); /* the burst */
    assert_false(dw_rl_take(r, 42, t, &retry));
    assert_true(retry > 0.4 && retry <= 0.5);
    assert_true(dw_rl_take(r, 1000, t, &retry));        /* another account has its own bucket */
    assert_true(dw_rl_take(r, 42, t + 500000, &retry)); /* 0.5 s at 2/s: one token back */
    assert_false(dw_rl_take(r, 42, t + 500000, &retry));
    dw_rl_init(r, 0, 1); /* rate 0: throttling off */
    for (int i = 0; i < 100; i++) assert_true(dw_rl_take(r, 42, t, &retry));
    free(r);
}

typedef struct seen { int n; char got[8][32]; } seen;
static int collect(void *ud, int64_t id, int fmt, const char *body, size_t n)
{
    seen *s = ud;
    (void)id;
    assert_int_equal(fmt, s->n == 0 ? 1 : -1);
    snprintf(s->got[s->n++], sizeof s->got[0], "%.*s", (int)n, body);
    return 0;
}

static void test_journal(void **st)
{
    (void)st;
    char path[300], err[256];
    snprintf(path, sizeof path, "%s/state.db", dw_test_tmpdir());
    dw_journal *j = dw_journal_open(path, err, sizeof err);
    assert_non_null(j);
    assert_int_equal(dw_journal_append(j, 0, -1, "a", 1, err, sizeof err), 0);   /* fed events 0..9 */
    assert_int_equal(dw_journal_append(j, 10, 1, "b", 1, err, sizeof err), 0);  /* 10..19 */
    assert_int_equal(dw_journal_append(j, 20, -1, "", 0, err, sizeof err), 0);   /* an empty batch */
    dw_journal_close(j);
    /* the saved state holds events below 10: batch "a" is folded, the rest replays in order */
    j = dw_journal_open(path, err, sizeof err);
    seen s = {0};
    assert_int_equal(dw_journal_replay(j, 10, collect, &s, err, sizeof err), 2);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.got[0], "b");
    assert_string_equal(s.got[1], "");
    assert_int_equal(dw_journal_pending(j), 2);
    assert_int_equal(dw_journal_truncate(j, err, sizeof err), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(dw_journal_replay(j, 0, collect, &s, err, sizeof err), 0);
    dw_journal_close(j);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bearer),     cmocka_unit_test(test_content_length), cmocka_unit_test(test_account_path),
        cmocka_unit_test(test_guardrail),  cmocka_unit_test(test_ratelimit),      cmocka_unit_test(test_journal),
    };
    return cmocka_run_group_tests_name("serve", tests, NULL, NULL);
}
