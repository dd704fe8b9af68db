/*
 * fuzz_serve.c -- every parser `distillwatch serve` runs on client bytes.
 *
 * The daemon's HTTP framing is libmicrohttpd's; what serve itself parses is
 * in src/serve/request.c, as pure functions, so this target reaches all of
 * it without sockets.  The first byte picks the parser, the rest is the
 * input, copied into an exactly-sized buffer (NUL-terminated for the ones
 * that take C strings, as libmicrohttpd hands headers and URLs) so that
 * AddressSanitizer sees any read past its end.  Invariants checked: an id
 * that comes back is NUL-terminated, within bounds and valid.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "serve/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    unsigned which = data[0] % 5;
    data++, size--;
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    char id[DW_SERVE_MAX_ID + 1];
    uint64_t v;
    int n;
    switch (which) {
    case 0: {
        /* "token" after the first NUL-free half: authorization vs token */
        size_t half = strlen(s) / 2;
        char *tok = strdup(s + half);
        s[half] = 0;
        int ok = dw_serve_bearer_ok(s, tok);
        assert(ok == 0 || ok == 1);
        free(tok);
        break;
    }
    case 1:
        if (dw_serve_content_length(s, &v) == 0) assert(*s >= '0' && *s <= '9');
        break;
    case 2:
        n = dw_serve_account_path(s, id, sizeof id);
        if (n > 0) assert((size_t)n == strlen(id) && dw_serve_valid_id(id, (size_t)n));
        break;
    case 3:
        n = dw_serve_account_path(s, id, 8); /* a small buffer must not overflow */
        if (n > 0) assert(n < 8);
        break;
    case 4:
        n = dw_serve_guardrail_account((const char *)data, size, id, sizeof id);
        if (n > 0) assert((size_t)n == strlen(id) && dw_serve_valid_id(id, (size_t)n));
        else assert(id[0] == 0);
        break;
    }
    free(s);
    return 0;
}
