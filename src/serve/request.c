/*
 * request.c -- the request parsing of `distillwatch serve`, without sockets.
 *
 * Everything a client controls (headers, the path, a guardrail body) is read
 * here and nowhere else, by functions that take bytes and return a value, so
 * that one libFuzzer target (fuzz/fuzz_serve.c) covers every parser the
 * daemon exposes.  The HTTP framing itself is libmicrohttpd's; what is left
 * is small, and each function is strict: an id that is not printable ASCII or
 * is longer than DW_SERVE_MAX_ID is refused rather than truncated, because a
 * truncated id would silently answer for a different account.
 *
 * The token comparison runs in time independent of the position of the
 * first difference (it still reveals the length, which is not a secret worth
 * the complexity of hiding).
 */
#include <string.h>
#include "serve/request.h"
#include "decode/json.h"

int dw_serve_bearer_ok(const char *authorization, const char *token)
{
    if (!authorization || !token || !*token) return 0;
    if (strncasecmp(authorization, "Bearer ", 7) != 0) return 0;
    const char *got = authorization + 7;
    while (*got == ' ') got++;
    size_t n = strlen(got), m = strlen(token);
    while (n && got[n - 1] == ' ') n--;
    if (n != m) return 0;
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++) diff |= (unsigned char)(got[i] ^ token[i]);
    return diff == 0;
}

int dw_serve_content_length(const char *s, uint64_t *out)
{
    if (!s || !*s) return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        if (v > (UINT64_MAX - 9) / 10) return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

int dw_serve_valid_id(const char *s, size_t n)
{
    if (!s || n == 0 || n > DW_SERVE_MAX_ID) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e) return 0;
    return 1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int dw_serve_account_path(const char *url, char *out, size_t cap)
{
    static const char prefix[] = "/v1/accounts/";
    if (!url || strncmp(url, prefix, sizeof prefix - 1) != 0) return 0;
    const char *p = url + sizeof prefix - 1;
    size_t n = 0;
    if (cap == 0) return -1;
    for (; *p; p++) {
        char c = *p;
        if (c == '%') {
            int h = hexval(p[1]), l = h < 0 ? -1 : hexval(p[2]);
            if (h < 0 || l < 0) return -1;
            c = (char)(h * 16 + l);
            p += 2;
        } else if (c == '/' || c == '?') {
            return -1; /* no sub-resources; a query string is not part of an id */
        }
        if (n + 1 >= cap || n >= DW_SERVE_MAX_ID) return -1;
        out[n++] = c;
    }
    out[n] = 0;
    if (!dw_serve_valid_id(out, n)) return -1;
    return (int)n;
}

int dw_serve_guardrail_account(const char *body, size_t n, char *out, size_t cap)
{
    static const char *const paths[] = {
        "request_data.metadata.user_api_key_org_id", "request_data.metadata.user_api_key_team_id",
        "request_data.metadata.user_api_key_user_id", "request_data.user"};
    dw_json_doc d;
    dw_json_init(&d);
    d.max_tokens = 1u << 18; /* a guardrail body is a request, not a corpus */
    int rc = -1;
    if (cap == 0 || dw_json_parse(&d, body, n) < 0 || dw_json_type_of(&d, 0) != DW_JSON_OBJECT) goto done;
    rc = 0;
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        int32_t t = dw_json_path(&d, 0, paths[i]);
        if (dw_json_type_of(&d, t) != DW_JSON_STRING) continue;
        long len = dw_json_str(&d, t, out, cap);
        if (len <= 0 || (size_t)len >= cap || !dw_serve_valid_id(out, (size_t)len)) continue;
        rc = (int)len;
        break;
    }
done:
    if (rc <= 0 && cap) out[0] = 0;
    dw_json_free(&d);
    return rc;
}
