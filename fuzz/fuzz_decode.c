/*
 * fuzz_decode.c -- every format adapter on arbitrary bytes.
 *
 * The first byte picks the format (native, litellm, otel, map with a spec
 * that exercises nested paths); the rest is one log line, copied into an
 * exactly-sized buffer so that AddressSanitizer sees any read past its end.
 * Every event handed out must satisfy the invariants the engine relies on.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "distillwatch.h"

static int check(void *ud, const dw_event *ev)
{
    const char *line = ((const char **)ud)[0];
    (void)line;
    assert(ev->ts_ms != INT64_MIN);
    assert(ev->account_id.p && ev->account_id.n > 0 && ev->account_id.n <= 512);
    const dw_str *strs[] = {&ev->account_id, &ev->request_id, &ev->client_ip, &ev->user_agent, &ev->model,
                            &ev->system_prompt, &ev->prompt, &ev->response_text, &ev->end_user};
    volatile unsigned sum = 0;
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        for (uint32_t k = 0; k < strs[i]->n; k++) sum += (unsigned char)strs[i]->p[k]; /* every byte readable */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static dw_decoder *dec[4];
    if (!dec[0]) {
        char err[256];
        dec[0] = dw_decoder_new(DW_FMT_NATIVE, NULL, err, sizeof err);
        dec[1] = dw_decoder_new(DW_FMT_LITELLM, NULL, err, sizeof err);
        dec[2] = dw_decoder_new(DW_FMT_OTEL, NULL, err, sizeof err);
        dec[3] = dw_decoder_new(DW_FMT_MAP, "timestamp=a.t,account_id=a.0.b,prompt=m.1,asn=x", err, sizeof err);
        assert(dec[0] && dec[1] && dec[2] && dec[3]);
    }
    if (size < 1 || size > (1u << 20)) return 0;
    char *line = malloc(size - 1 ? size - 1 : 1);
    memcpy(line, data + 1, size - 1);
    const char *ud[1] = {line};
    char err[256];
    size_t off = 0;
    int rc = dw_decode_line(dec[data[0] & 3], line, size - 1, check, ud, err, sizeof err, &off);
    if (rc < 0) assert(err[0] && off <= size - 1);
    free(line);
    return 0;
}
