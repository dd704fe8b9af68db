/*
 * fuzz_json.c -- libFuzzer target for the strict JSON reader.
 *
 * The input is copied into an exactly-sized heap buffer (no NUL after it) so
 * that ASan catches any read past `len`.  On a successful parse every token
 * is walked and every accessor exercised, and the tape's invariants are
 * checked with abort(), not assert(), so they hold in any build mode.
 */
#include "decode/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                           \
    do {                                                                   \
        if (!(c)) {                                                        \
            fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); \
            abort();                                                       \
        }                                                                  \
    } while (0)

/* Well-formed UTF-8 as the parser defines it (no overlong, surrogate or
 * > U+10FFFF); decoded strings must always satisfy it. */
static int utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned cp;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) { k = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { k = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { k = 3; cp = c & 0x07; }
        else return 0;
        if (n - i < k + 1) return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

static dw_json_doc doc;
static int doc_ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    const dw_json_doc *d = &doc;

    if (!buf)
        return 0;
    if (!doc_ready) {
        dw_json_init(&doc);
        doc_ready = 1; /* reused across inputs, as the scanner does */
    }
    memcpy(buf, data, size);
    if (dw_json_parse(&doc, buf, size) != 0) {
        CHECK(doc.err_msg != NULL);
        CHECK(doc.err_off <= size);
        CHECK(doc.ntok == 0);
        free(buf);
        return 0;
    }
    CHECK(d->ntok >= 1);
    CHECK(d->toks[0].next == d->ntok);
    for (uint32_t i = 0; i < d->ntok; i++) {
        const dw_json_tok *t = &d->toks[i];
        char small[7];
        long n;

        CHECK(t->next > i && t->next <= d->ntok);
        CHECK((size_t)t->start + t->len <= size);
        CHECK(t->type <= DW_JSON_OBJECT);
        switch (t->type) {
        case DW_JSON_STRING: {
            CHECK(t->start >= 1 && buf[t->start - 1] == '"');
            CHECK((size_t)t->start + t->len < size && buf[t->start + t->len] == '"');
            CHECK(t->next == i + 1);
            n = dw_json_str(d, (int32_t)i, small, sizeof small);
            CHECK(n >= 0 && (size_t)n <= t->len);
            CHECK(strlen(small) <= sizeof small - 1);
            CHECK(t->escaped || (size_t)n == t->len);
            if (!t->escaped)
                CHECK(memchr(buf + t->start, '\\', t->len) == NULL);
            {
                /* full decode: well-formed UTF-8 of the announced length,
                 * and str_eq agrees with it when it holds no NUL */
                char *full = malloc((size_t)n + 1);
                CHECK(full != NULL);
                CHECK(dw_json_str(d, (int32_t)i, full, (size_t)n + 1) == n);
                CHECK(utf8_ok((const unsigned char *)full, (size_t)n));
                if (memchr(full, 0, (size_t)n) == NULL)
                    CHECK(dw_json_str_eq(d, (int32_t)i, full));
                /* the truncated copy is a prefix of the full one */
                CHECK(memcmp(small, full, strlen(small)) == 0);
                free(full);
            }
            break;
        }
        case DW_JSON_NUMBER: {
            double x;
            int64_t v;
            CHECK(dw_json_f64(d, (int32_t)i, &x));
            {
                /* the Clinger fast path must agree with strtod bit for bit */
                char *num = malloc((size_t)t->len + 1);
                CHECK(num != NULL);
                memcpy(num, buf + t->start, t->len);
                num[t->len] = 0;
                double ref = strtod(num, NULL);
                CHECK(memcmp(&ref, &x, sizeof x) == 0);
                free(num);
            }
            if (dw_json_i64(d, (int32_t)i, &v))
                CHECK(t->is_int && (double)v == x);
            CHECK(t->next == i + 1 && t->len >= 1);
            break;
        }
        case DW_JSON_ARRAY:
        case DW_JSON_OBJECT: {
            uint32_t kids = 0;
            CHECK(buf[t->start] == (t->type == DW_JSON_ARRAY ? '[' : '{'));
            CHECK(t->len >= 2 && buf[t->start + t->len - 1] == (t->type == DW_JSON_ARRAY ? ']' : '}'));
            for (int32_t c = dw_json_first(d, (int32_t)i); c >= 0; c = dw_json_next(d, (int32_t)i, c)) {
                CHECK((uint32_t)c > i && (uint32_t)c < t->next);
                if (t->type == DW_JSON_OBJECT && kids % 2 == 0) {
                    /* each key finds a value (the first with that name) */
                    CHECK(d->toks[c].type == DW_JSON_STRING);
                    if (!d->toks[c].escaped) {
                        char key[64];
                        if (d->toks[c].len < sizeof key && !memchr(buf + d->toks[c].start, 0, d->toks[c].len)) {
                            int32_t v;
                            memcpy(key, buf + d->toks[c].start, d->toks[c].len);
                            key[d->toks[c].len] = 0;
                            v = dw_json_get(d, (int32_t)i, key);
                            CHECK(v > (int32_t)i && (uint32_t)v <= (uint32_t)c + 1);
                        }
                    }
                }
                kids++;
            }
            CHECK(kids == (t->type == DW_JSON_OBJECT ? 2 * t->count : t->count));
            if (t->count) {
                int32_t last = dw_json_at(d, (int32_t)i, t->count - 1);
                CHECK(last > (int32_t)i && (uint32_t)last < t->next);
                CHECK(d->toks[last].next == t->next);
            }
            CHECK(dw_json_at(d, (int32_t)i, t->count) == -1);
            break;
        }
        default:
            CHECK(t->next == i + 1);
            CHECK(dw_json_str(d, (int32_t)i, small, sizeof small) == -1);
            break;
        }
    }
    {
        static const char *paths[] = { "a", "a.b", "0", "0.0", "messages.0.content", "a..b", "", "0.a.1" };
        for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
            int32_t r = dw_json_path(d, 0, paths[k]);
            CHECK(r >= -1 && r < (int32_t)d->ntok);
        }
    }
    free(buf);
    return 0;
}
