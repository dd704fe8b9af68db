/*
 * test_serve.c -- the socket-free parts of `serve`: request parsing, the
 * review throttle, the ingest journal and API-key hashing (the HTTP side is covered end to end
 * by tests/e2e/serve_basic.sh and serve_nginx.sh).
 */
#include "testutil.h"
#include "serve/request.h"
#include "serve/ratelimit.h"
#include "serve/journal.h"
#include "serve/keyid.h"
#include "score/score.h"

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

static void hex(const unsigned char *m, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", m[i]);
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block size), then
 * the id built on it: prefix + the MAC's first 16 bytes */
static void test_keyid(void **st)
{
    (void)st;
    unsigned char mac[32], k1[20], k6[131];
    char h[65], id[DW_KEYID_LEN + 1];
    memset(k1, 0x0b, sizeof k1);
    assert_int_equal(dw_hmac_sha256(k1, sizeof k1, "Hi There", 8, mac), 0);
    hex(mac, 32, h);
    assert_string_equal(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    assert_int_equal(dw_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac), 0);
    hex(mac, 32, h);
    assert_string_equal(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(k6, 0xaa, sizeof k6);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    assert_int_equal(dw_hmac_sha256(k6, sizeof k6, m6, strlen(m6), mac), 0);
    hex(mac, 32, h);
    assert_string_equal(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    assert_int_equal(dw_keyid("Jefe", 4, "what do ya want for nothing?", 28, id, sizeof id), (int)DW_KEYID_LEN);
    assert_string_equal(id, "kh_5bdcc146bf60754e6a042426089575c7");
    /* too small a buffer is refused, not truncated into another id */
    assert_int_equal(dw_keyid("Jefe", 4, "x", 1, id, DW_KEYID_LEN), -1);
    /* a different secret, a different id */
    char id2[DW_KEYID_LEN + 1];
    assert_int_equal(dw_keyid("Jeff", 4, "what do ya want for nothing?", 28, id2, sizeof id2), (int)DW_KEYID_LEN);
    assert_string_not_equal(id, id2);
}

/* [serve] and [state] in the config: words are checked, not read as numbers */
static void test_serve_config(void **st)
{
    (void)st;
    char err[256];
    dw_config *c = dw_config_new();
    const char *dir = dw_test_tmpdir();
    const char *path = dw_test_write(dir, "serve.conf",
                                     "[serve]\naccount_header = x-api-key\naccount_header_hash = hmac-sha256\nkey_secret = s3\n"
                                     "[state]\nmax_accounts = 500\n");
    assert_int_equal(dw_config_load(c, path, err, sizeof err), 0);
    assert_string_equal(c->serve_account_header, "x-api-key");
    assert_int_equal(c->serve_account_hash, DW_KEYHASH_HMAC_SHA256);
    assert_string_equal(c->serve_key_secret, "s3");
    assert_int_equal(c->max_accounts, 500);
    assert_int_equal(dw_config_load(c, dw_test_write(dir, "serve.conf", "[serve]\naccount_header_hash = sha1\n"), err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "hmac-sha256"));
    assert_int_equal(dw_config_load(c, dw_test_write(dir, "serve.conf", "[state]\nmax_accounts = -1\n"), err, sizeof err), -1);
    dw_config_free(c);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bearer),     cmocka_unit_test(test_content_length), cmocka_unit_test(test_account_path),
        cmocka_unit_test(test_guardrail),  cmocka_unit_test(test_ratelimit),      cmocka_unit_test(test_journal),
        cmocka_unit_test(test_keyid),      cmocka_unit_test(test_serve_config),
    };
    return cmocka_run_group_tests_name("serve", tests, NULL, NULL);
}
