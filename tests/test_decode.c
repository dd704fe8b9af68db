/* test_decode.c -- the format adapters: native, LiteLLM, OTel, --map. */
#include "testutil.h"
#include <math.h>
#include "distillwatch.h"
#include "decode/decode_int.h"

typedef struct got {
    int n;
    dw_event ev[8];
    char text[8][6][512]; /* copies: views die with the callback */
} got;

static void copy(char *dst, dw_str s)
{
    size_t n = s.p ? (s.n < 511 ? s.n : 511) : 0;
    if (s.p) memcpy(dst, s.p, n);
    dst[n] = 0;
    if (!s.p) strcpy(dst, "(null)");
}

static int collect(void *ud, const dw_event *ev)
{
    got *g = ud;
    if (g->n >= 8) return -1;
    g->ev[g->n] = *ev;
    copy(g->text[g->n][0], ev->account_id);
    copy(g->text[g->n][1], ev->prompt);
    copy(g->text[g->n][2], ev->system_prompt);
    copy(g->text[g->n][3], ev->client_ip);
    copy(g->text[g->n][4], ev->model);
    copy(g->text[g->n][5], ev->end_user);
    g->n++;
    return 0;
}

static int decode(dw_format fmt, const char *spec, const char *line, got *g, char *err)
{
    char e2[256];
    dw_decoder *d = dw_decoder_new(fmt, spec, e2, sizeof e2);
    assert_non_null(d);
    memset(g, 0, sizeof *g);
    size_t off;
    /* exact-size heap copy so that ASan catches any read past the line */
    size_t n = strlen(line);
    char *copyline = malloc(n);
    memcpy(copyline, line, n);
    int rc = dw_decode_line(d, copyline, n, collect, g, err, 256, &off);
    free(copyline);
    dw_decoder_free(d);
    return rc;
}

static void test_native(void **state)
{
    (void)state;
    got g;
    char err[256];
    const char *line =
        "{\"request_id\": \"req_8f2c\", \"timestamp\": \"2026-06-01T12:00:00.123Z\","
        " \"account_id\": \"acct_7f3a\", \"client_ip\": \"203.0.113.5\", \"user_agent\": \"OpenAI/Python 1.54.3\","
        " \"headers\": {\"x-stainless-lang\": \"python\", \"X-Stainless-Package-Version\": \"1.54.3\"},"
        " \"request\": {\"model\": \"m-large-2\", \"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
        " {\"role\": \"user\", \"content\": \"first\"}, {\"role\": \"assistant\", \"content\": \"ok\"},"
        " {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"part one\"}, {\"type\": \"image_url\", \"image_url\": {}},"
        " {\"type\": \"text\", \"text\": \"part \\u0074wo\"}]}], \"max_tokens\": 4096, \"temperature\": 0.7,"
        " \"n\": 2, \"logprobs\": true, \"top_logprobs\": 5, \"tools\": [{\"type\": \"function\"}]},"
        " \"response\": {\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"...\","
        " \"reasoning_content\": \"because\"}, \"finish_reason\": \"length\"}],"
        " \"usage\": {\"prompt_tokens\": 812, \"completion_tokens\": 640}}, \"status\": 200, \"latency_ms\": 1834}";
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, line, &g, err), 1);
    dw_event *e = &g.ev[0];
    assert_int_equal(e->ts_ms, 1780315200123LL);
    assert_string_equal(g.text[0][0], "acct_7f3a");
    assert_string_equal(g.text[0][1], "part one\npart two");
    assert_string_equal(g.text[0][2], "Be brief.");
    assert_string_equal(g.text[0][3], "203.0.113.5");
    assert_string_equal(g.text[0][4], "m-large-2");
    assert_int_equal(e->user_turns, 2);
    assert_int_equal(e->assistant_turns, 1);
    assert_int_equal(e->max_tokens, 4096);
    assert_int_equal(e->n, 2);
    assert_int_equal(e->logprobs, 1);
    assert_int_equal(e->top_logprobs, 5);
    assert_true(e->tools_fp != 0);
    assert_true(e->header_fp != 0);
    assert_int_equal(e->has_reasoning, 1);
    assert_int_equal(e->finish_length, 1);
    assert_int_equal(e->prompt_tokens, 812);
    assert_int_equal(e->completion_tokens, 640);
    assert_int_equal(e->latency_ms, 1834);
    assert_true(fabs(e->temperature - 0.7) < 1e-12);
    assert_int_equal(e->sdk_lang.n, 6);
    assert_int_equal(e->sdk_version.n, 6); /* found under its mixed-case name */

    /* the header fingerprint: names in any order and any case give the same
     * value; another name gives another */
    uint64_t hfp = e->header_fp;
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, "{\"timestamp\": 1780315200, \"account_id\": \"a\", \"headers\": "
                            "{\"X-STAINLESS-PACKAGE-VERSION\": \"9\", \"X-Stainless-Lang\": \"go\"}}", &g, err), 1);
    assert_true(g.ev[0].header_fp == hfp);
    assert_int_equal(g.ev[0].sdk_lang.n, 2);
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, "{\"timestamp\": 1780315200, \"account_id\": \"a\", \"headers\": "
                            "{\"x-stainless-package-version\": \"9\", \"x-stainless-langs\": \"go\"}}", &g, err), 1);
    assert_true(g.ev[0].header_fp != hfp);
    assert_int_equal(g.ev[0].sdk_lang.n, 0);

    /* epoch timestamps in seconds and in milliseconds; absent fields stay unknown */
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, "{\"timestamp\": 1780315200, \"account_id\": \"a\"}", &g, err), 1);
    assert_int_equal(g.ev[0].ts_ms, 1780315200000LL);
    assert_int_equal(g.ev[0].max_tokens, DW_UNKNOWN);
    assert_int_equal(g.ev[0].logprobs, DW_UNKNOWN);
    assert_true(isnan(g.ev[0].temperature));
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, "{\"timestamp\": 1780315200123, \"account_id\": 42}", &g, err), 1);
    assert_int_equal(g.ev[0].ts_ms, 1780315200123LL);
    assert_string_equal(g.text[0][0], "42");
}

static void test_native_rejects(void **state)
{
    (void)state;
    got g;
    char err[256];
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, "{\"account_id\": \"a\"}", &g, err), -1);
    assert_non_null(strstr(err, "timestamp"));
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, "{\"timestamp\": \"2026-06-01T12:00:00Z\"}", &g, err), -1);
    assert_non_null(strstr(err, "account_id"));
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, "{\"timestamp\": \"yesterday\", \"account_id\": \"a\"}", &g, err), -1);
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, "{\"timestamp\": 1, \"account_id\": \"a\",}", &g, err), -1);
    assert_non_null(strstr(err, "invalid JSON"));
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, "[1,2]", &g, err), -1);
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, "{\"timestamp\": 1, \"account_id\": \"a\\u0000b\"}", &g, err), -1);
    assert_non_null(strstr(err, "NUL"));
    assert_int_equal(g.n, 0);
}

static void test_litellm(void **state)
{
    (void)state;
    got g;
    char err[256];
    const char *line =
        "{\"id\": \"chatcmpl-1\", \"startTime\": 1780315200.25, \"endTime\": 1780315201.75, \"model\": \"gpt-4o\","
        " \"metadata\": {\"user_api_key_hash\": \"88dc\", \"user_api_key_team_id\": \"team-9\", \"user_api_key_user_id\": \"u1\"},"
        " \"requester_ip_address\": \"198.51.100.7\", \"end_user\": \"customer-123\","
        " \"messages\": [{\"role\": \"user\", \"content\": \"Explain your reasoning step by step.\"}],"
        " \"model_parameters\": {\"max_tokens\": 8000, \"logprobs\": true},"
        " \"response\": {\"choices\": [{\"message\": {\"content\": \"x\"}, \"finish_reason\": \"stop\"}]},"
        " \"prompt_tokens\": 10, \"completion_tokens\": 20, \"status\": \"success\"}";
    assert_int_equal(decode(DW_FMT_LITELLM, NULL, line, &g, err), 1);
    assert_string_equal(g.text[0][0], "team-9"); /* org absent: team wins over user and key hash */
    assert_string_equal(g.text[0][5], "customer-123");
    assert_string_equal(g.text[0][3], "198.51.100.7");
    assert_int_equal(g.ev[0].ts_ms, 1780315200250LL);
    assert_int_equal(g.ev[0].latency_ms, 1500);
    assert_int_equal(g.ev[0].max_tokens, 8000);
    assert_int_equal(g.ev[0].logprobs, 1);
    assert_int_equal(g.ev[0].status, 200);
    /* the key hash is the last resort */
    assert_int_equal(decode(DW_FMT_LITELLM, NULL, "{\"startTime\": 1780315200, \"metadata\": {\"user_api_key_hash\": \"88dc\"}}", &g, err), 1);
    assert_string_equal(g.text[0][0], "88dc");
    assert_int_equal(decode(DW_FMT_LITELLM, NULL, "{\"startTime\": 1780315200, \"metadata\": {}}", &g, err), -1);
}

static void test_otel(void **state)
{
    (void)state;
    got g;
    char err[256];
    /* two GenAI spans (new and old conventions) and one HTTP span in one export */
    const char *line =
        "{\"resourceSpans\": [{\"resource\": {\"attributes\": [{\"key\": \"service.name\", \"value\": {\"stringValue\": \"gw\"}}]},"
        " \"scopeSpans\": [{\"spans\": ["
        "{\"spanId\": \"a1\", \"startTimeUnixNano\": \"1780315200000000000\", \"endTimeUnixNano\": \"1780315202000000000\","
        " \"attributes\": [{\"key\": \"gen_ai.operation.name\", \"value\": {\"stringValue\": \"chat\"}},"
        " {\"key\": \"gen_ai.request.model\", \"value\": {\"stringValue\": \"m-large-2\"}},"
        " {\"key\": \"user.id\", \"value\": {\"stringValue\": \"acct_1\"}},"
        " {\"key\": \"client.address\", \"value\": {\"stringValue\": \"2001:db8::1\"}},"
        " {\"key\": \"gen_ai.request.max_tokens\", \"value\": {\"intValue\": \"4096\"}},"
        " {\"key\": \"gen_ai.usage.output_tokens\", \"value\": {\"intValue\": 77}},"
        " {\"key\": \"gen_ai.system_instructions\", \"value\": {\"stringValue\": \"[{\\\"type\\\":\\\"text\\\",\\\"content\\\":\\\"Be terse.\\\"}]\"}},"
        " {\"key\": \"gen_ai.input.messages\", \"value\": {\"stringValue\": \"[{\\\"role\\\":\\\"user\\\",\\\"parts\\\":[{\\\"type\\\":\\\"text\\\",\\\"content\\\":\\\"Think step by step.\\\"}]}]\"}},"
        " {\"key\": \"gen_ai.output.messages\", \"value\": {\"stringValue\": \"[{\\\"role\\\":\\\"assistant\\\",\\\"parts\\\":[{\\\"type\\\":\\\"reasoning\\\",\\\"content\\\":\\\"r\\\"},{\\\"type\\\":\\\"text\\\",\\\"content\\\":\\\"ok\\\"}],\\\"finish_reason\\\":\\\"length\\\"}]\"}}]},"
        "{\"spanId\": \"b2\", \"startTimeUnixNano\": \"1780315300000000000\","
        " \"attributes\": [{\"key\": \"gen_ai.system\", \"value\": {\"stringValue\": \"openai\"}},"
        " {\"key\": \"enduser.id\", \"value\": {\"stringValue\": \"acct_2\"}},"
        " {\"key\": \"gen_ai.prompt\", \"value\": {\"stringValue\": \"plain old prompt\"}}]},"
        "{\"spanId\": \"c3\", \"startTimeUnixNano\": \"1780315300000000000\", \"name\": \"GET /\", \"attributes\": []}"
        "]}]}]}";
    assert_int_equal(decode(DW_FMT_OTEL, NULL, line, &g, err), 2);
    assert_string_equal(g.text[0][0], "acct_1");
    assert_string_equal(g.text[0][1], "Think step by step.");
    assert_string_equal(g.text[0][2], "Be terse.");
    assert_string_equal(g.text[0][3], "2001:db8::1");
    assert_int_equal(g.ev[0].ts_ms, 1780315200000LL);
    assert_int_equal(g.ev[0].latency_ms, 2000);
    assert_int_equal(g.ev[0].max_tokens, 4096);
    assert_int_equal(g.ev[0].completion_tokens, 77);
    assert_int_equal(g.ev[0].has_reasoning, 1);
    assert_int_equal(g.ev[0].finish_length, 1);
    assert_string_equal(g.text[1][0], "acct_2");
    assert_string_equal(g.text[1][1], "plain old prompt");
    /* a GenAI span without an account makes the whole line malformed, and no event escapes */
    const char *bad = "{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": ["
                      "{\"startTimeUnixNano\": \"1780315200000000000\", \"attributes\": [{\"key\": \"gen_ai.system\", \"value\": {\"stringValue\": \"x\"}}, {\"key\": \"user.id\", \"value\": {\"stringValue\": \"ok\"}}]},"
                      "{\"startTimeUnixNano\": \"1780315200000000000\", \"attributes\": [{\"key\": \"gen_ai.system\", \"value\": {\"stringValue\": \"x\"}}]}]}]}]}";
    assert_int_equal(decode(DW_FMT_OTEL, NULL, bad, &g, err), -1);
    assert_int_equal(g.n, 0);
    assert_int_equal(decode(DW_FMT_OTEL, NULL, "{\"foo\": 1}", &g, err), -1);
    /* found by fuzz_decode: a start time beyond any int64 is an error, not UB */
    const char *huge = "{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"startTimeUnixNano\": \"180317777777877777777000000000\","
                       " \"attributes\": [{\"key\": \"gen_ai.system\", \"value\": {\"stringValue\": \"x\"}}, {\"key\": \"user.id\", \"value\": {\"stringValue\": \"u\"}}]}]}]}]}";
    assert_int_equal(decode(DW_FMT_OTEL, NULL, huge, &g, err), -1);
    assert_non_null(strstr(err, "startTimeUnixNano"));
    assert_int_equal(decode(DW_FMT_NATIVE, NULL, "{\"timestamp\": 1e300, \"account_id\": \"a\"}", &g, err), -1);
}

/* The span's attributes are filed by name in one walk (otel.c): the old
 * convention's indexed prompts, the first attribute of a name winning even
 * without a value, escaped names, the resource as fallback, and a span of
 * 20,000 attributes whose indexed prompts run to the last index. */
static void test_otel_attribute_table(void **state)
{
    (void)state;
    got g;
    char err[256];
#define ATTR(k, v) "{\"key\": \"" k "\", \"value\": {\"stringValue\": \"" v "\"}},"
    const char *line =
        "{\"resourceSpans\": [{\"resource\": {\"attributes\": [" ATTR("client.address", "198.51.100.7") "{}]},"
        " \"scopeSpans\": [{\"spans\": [{\"startTimeUnixNano\": \"1780315200000000000\", \"attributes\": ["
        ATTR("gen_ai.system", "openai")
        "{\"key\": \"user.id\"}," ATTR("user.id", "late") ATTR("enduser.id", "e1")
        ATTR("gen_ai.prompt.0.role", "system") ATTR("gen_ai.prompt.0.content", "Be brief.")
        ATTR("gen_ai.prompt.1.role", "user") ATTR("gen\\u005fai.prompt.1.content", "first")
        ATTR("gen_ai.prompt.2.role", "assistant") ATTR("gen_ai.prompt.2.content", "ok")
        ATTR("gen_ai.prompt.3.role", "user") ATTR("gen_ai.prompt.3.content", "second")
        ATTR("gen_ai.prompt.3.content", "not the first") ATTR("gen_ai.prompt.04.role", "user")
        ATTR("gen_ai.prompt.5.role", "user") ATTR("gen_ai.prompt.5.content", "after a gap")
        ATTR("gen_ai.request.model", "m-1") ATTR("gen_ai.request.model", "m-2")
        "{\"key\": \"gen_ai.completion.0.content\", \"value\": {\"stringValue\": \"done\"}}]}]}]}]}";
    assert_int_equal(decode(DW_FMT_OTEL, NULL, line, &g, err), 1);
    assert_string_equal(g.text[0][0], "e1");         /* the first user.id has no value */
    assert_string_equal(g.text[0][1], "second");     /* last user turn before the gap at 4 */
    assert_string_equal(g.text[0][2], "Be brief.");
    assert_string_equal(g.text[0][3], "198.51.100.7"); /* from the resource */
    assert_string_equal(g.text[0][4], "m-1");
    assert_int_equal(g.ev[0].user_turns, 2);
    assert_int_equal(g.ev[0].assistant_turns, 1);
    assert_int_equal(g.ev[0].response_text.n, 4);

    /* 20,000 attributes, then prompts 0..255, each a user turn */
    size_t cap = 4u << 20, n = 0;
    char *big = malloc(cap);
    assert_non_null(big);
    n += (size_t)snprintf(big + n, cap - n, "{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"startTimeUnixNano\": "
                          "\"1780315200000000000\", \"attributes\": [" ATTR("gen_ai.system", "x") ATTR("user.id", "u"));
    for (int i = 0; i < 20000; i++)
        n += (size_t)snprintf(big + n, cap - n, ATTR("x.%d", "v"), i);
    for (int i = 0; i < 256; i++)
        n += (size_t)snprintf(big + n, cap - n, ATTR("gen_ai.prompt.%d.role", "user") ATTR("gen_ai.prompt.%d.content", "p%d"),
                              i, i, i);
    n += (size_t)snprintf(big + n - 1, cap - n, "]}]}]}]}") - 1; /* over the last comma */
    assert_int_equal(decode(DW_FMT_OTEL, NULL, big, &g, err), 1);
    assert_int_equal(g.ev[0].user_turns, 256);
    assert_string_equal(g.text[0][1], "p255");
    free(big);
#undef ATTR
}

static void test_map(void **state)
{
    (void)state;
    got g;
    char err[256];
    const char *gw = "{\"account_id\": \"sk-43b9\", \"timestamp\": \"2026-02-27T20:08:29.149978+00:00\", \"model\": \"gpt-4o\","
                     " \"prompt\": \"What foods are high in vitamin C?\", \"system_prompt\": null, \"token_count\": 199,"
                     " \"max_tokens\": 256, \"client_ip\": \"63.114.71.189\", \"asn_number\": 4134, \"user_agent\": \"python-requests/2.31.0\"}";
    assert_int_equal(decode(DW_FMT_MAP, "asn=asn_number,completion_tokens=token_count", gw, &g, err), 1);
    assert_string_equal(g.text[0][0], "sk-43b9");
    assert_string_equal(g.text[0][1], "What foods are high in vitamin C?");
    assert_string_equal(g.text[0][2], "(null)");
    assert_int_equal(g.ev[0].asn, 4134);
    assert_int_equal(g.ev[0].completion_tokens, 199);
    assert_int_equal(g.ev[0].max_tokens, 256);
    assert_int_equal(g.ev[0].user_turns, 1);
    /* nested paths and array indices */
    const char *nested = "{\"meta\": {\"t\": 1780315200, \"who\": {\"org\": \"o-1\"}}, \"conv\": [{\"q\": \"hi\"}]}";
    assert_int_equal(decode(DW_FMT_MAP, "timestamp=meta.t,account_id=meta.who.org,prompt=conv.0.q", nested, &g, err), 1);
    assert_string_equal(g.text[0][0], "o-1");
    assert_string_equal(g.text[0][1], "hi");
    /* bad specs are refused up front */
    char e2[256];
    assert_null(dw_decoder_new(DW_FMT_MAP, "acount_id=x", e2, sizeof e2));
    assert_non_null(strstr(e2, "acount_id"));
    assert_null(dw_decoder_new(DW_FMT_MAP, "prompt", e2, sizeof e2));
    assert_null(dw_decoder_new(DW_FMT_MAP, "prompt=a,prompt=b", e2, sizeof e2));
    /* a map overrides one field of the native adapter */
    assert_int_equal(decode(DW_FMT_NATIVE, "account_id=org", "{\"timestamp\": 1780315200, \"account_id\": \"a\", \"org\": \"b\"}", &g, err), 1);
    assert_string_equal(g.text[0][0], "b");
}

/* dw_dec_i32 reads short integers from their digits and everything else
 * through a double; both ways must agree with strtod's value, and a value
 * outside int32 must be refused either way. */
static void test_dec_i32(void **state)
{
    (void)state;
    const char *lits[] = {"0", "-0", "7", "-7", "256", "4096", "123456789", "-123456789", "999999999",
                          "1234567890", "-1234567890", "2147483647", "-2147483648", "2147483648",
                          "-2147483649", "99999999999", "1.0", "2.5", "1e3", "-1E2", "0.000", "12345678.9"};
    dw_json_doc doc;
    dw_json_init(&doc);
    for (size_t i = 0; i < sizeof lits / sizeof *lits; i++) {
        assert_int_equal(dw_json_parse(&doc, lits[i], strlen(lits[i])), 0);
        double want = strtod(lits[i], NULL);
        int in_range = want >= -2147483648.0 && want <= 2147483647.0;
        int32_t v = 12345;
        bool ok = dw_dec_i32(&doc, 0, &v);
        if (ok != in_range) fail_msg("%s: dw_dec_i32 says %d", lits[i], ok);
        if (ok) assert_int_equal(v, (int32_t)want);
    }
    /* every length, inside a record (more bytes follow the number) and alone
     * at the end of the buffer, followed by each byte that can end a number:
     * a faster digit path must not read what follows as digits */
    uint64_t r = 88172645463325252ull;
    for (int k = 0; k < 20000; k++) {
        dw_test_xorshift(&r);
        int digits = 1 + (int)(r % 9);
        int64_t x = (int64_t)(r >> 20) % 1000000000;
        int64_t mod = 1;
        for (int d = 0; d < digits; d++) mod *= 10;
        x %= mod;
        int neg = (r >> 8) & 1;
        char num[24], rec[64];
        snprintf(num, sizeof num, "%s%lld", neg ? "-" : "", (long long)x);
        static const char *after[] = {",\"pad\":\"xxxxxxxxxxxx\"}", "}", " }", "\n}", ",\"k\":[1,2,3,4,5,6]}"};
        snprintf(rec, sizeof rec, "{\"n\":%s%s", num, after[k % 5]);
        for (int alone = 0; alone < 2; alone++) {
            const char *src = alone ? num : rec;
            assert_int_equal(dw_json_parse(&doc, src, strlen(src)), 0);
            int32_t tok = alone ? 0 : dw_json_get(&doc, 0, "n"), v = 12345;
            assert_true(dw_dec_i32(&doc, tok, &v));
            if (v != (int32_t)(neg ? -x : x)) fail_msg("%s: got %d", src, v);
        }
    }
    dw_json_free(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native), cmocka_unit_test(test_native_rejects), cmocka_unit_test(test_litellm),
        cmocka_unit_test(test_otel), cmocka_unit_test(test_otel_attribute_table),   cmocka_unit_test(test_map), cmocka_unit_test(test_dec_i32),
    };
    return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
