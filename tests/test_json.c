/*
 * test_json.c -- the strict JSON reader: JSONTestSuite conformance plus unit
 * tests of the tape, lookups, string decoding and numbers.
 *
 * Every document is copied into an exactly-sized heap buffer before parsing,
 * with no NUL after it, so AddressSanitizer reports any read past `len`.
 */
#include "testutil.h"
#include "decode/json.h"

#include <dirent.h>
#include <math.h>

typedef struct {
    dw_json_doc d;
    char *buf;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    dw_json_init(&f->d);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    dw_json_free(&f->d);
    free(f->buf);
    free(f);
    return 0;
}

/* Parse n bytes of s from an exact-size copy; the copy lives until the next
 * call so lookups can use it. */
static int parse_n(fx *f, const char *s, size_t n)
{
    free(f->buf);
    f->buf = malloc(n ? n : 1);
    assert_non_null(f->buf);
    memcpy(f->buf, s, n);
    return dw_json_parse(&f->d, f->buf, n);
}

static int parse_s(fx *f, const char *s)
{
    return parse_n(f, s, strlen(s));
}

/* ---------------------------------------------------------------------- */
/* JSONTestSuite                                                           */
/* ---------------------------------------------------------------------- */

static void test_jsontestsuite(void **state)
{
    const char *dir = dw_test_shared("testsuites/JSONTestSuite/test_parsing");
    fx *f = *state;
    DIR *dh;
    struct dirent *de;
    int y_ok = 0, y_bad = 0, n_ok = 0, n_bad = 0, i_acc = 0, i_rej = 0, i_policy_bad = 0;

    if (!dir)
        skip();
    dh = opendir(dir);
    assert_non_null(dh);
    while ((de = readdir(dh)) != NULL) {
        char path[4096 + 512];
        size_t len = 0;
        char *data;
        int rc;
        const char *name = de->d_name;

        if (strlen(name) < 7 || strcmp(name + strlen(name) - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        data = dw_test_slurp(path, &len);
        assert_non_null(data);
        rc = parse_n(f, data, len);
        free(data);
        if (name[0] == 'y') {
            if (rc == 0) {
                y_ok++;
            } else {
                y_bad++;
                print_error("y_ rejected: %s (%s at %zu)\n", name, f->d.err_msg, f->d.err_off);
            }
        } else if (name[0] == 'n') {
            if (rc != 0) {
                n_ok++;
                assert_non_null(f->d.err_msg);
                assert_true(f->d.err_off <= len);
            } else {
                n_bad++;
                print_error("n_ accepted: %s\n", name);
            }
        } else if (name[0] == 'i') {
            /* Our documented choice: numbers beyond double/int64 range are
             * valid JSON; every encoding/surrogate/BOM/depth case is not. */
            bool want = strncmp(name, "i_number_", 9) == 0;
            if (rc == 0)
                i_acc++;
            else
                i_rej++;
            if ((rc == 0) != want) {
                i_policy_bad++;
                print_error("i_ policy mismatch: %s (%s)\n", name, rc == 0 ? "accepted" : "rejected");
            }
        }
    }
    closedir(dh);
    print_message("JSONTestSuite: y_ %d/%d accepted, n_ %d/%d rejected, i_ %d accepted %d rejected\n",
                  y_ok, y_ok + y_bad, n_ok, n_ok + n_bad, i_acc, i_rej);
    assert_true(y_ok > 0 && n_ok > 0);
    assert_int_equal(y_bad, 0);
    assert_int_equal(n_bad, 0);
    assert_int_equal(i_policy_bad, 0);
}

/* ---------------------------------------------------------------------- */
/* Tape                                                                    */
/* ---------------------------------------------------------------------- */

static void test_tape_layout(void **state)
{
    fx *f = *state;
    const char *s = "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\",\"d\":{}}";
    const dw_json_tok *t;

    assert_int_equal(parse_s(f, s), 0);
    t = f->d.toks;
    assert_int_equal(f->d.ntok, 12);
    /* root object: 3 members, subtree is the whole tape, spans all bytes */
    assert_int_equal(t[0].type, DW_JSON_OBJECT);
    assert_int_equal(t[0].count, 3);
    assert_int_equal(t[0].next, 12);
    assert_int_equal(t[0].start, 0);
    assert_int_equal(t[0].len, strlen(s));
    /* key "a": string token, content after the quote */
    assert_int_equal(t[1].type, DW_JSON_STRING);
    assert_int_equal(t[1].start, 2);
    assert_int_equal(t[1].len, 1);
    assert_int_equal(t[1].next, 2);
    /* the array: 3 elements, skip pointer past the nested object */
    assert_int_equal(t[2].type, DW_JSON_ARRAY);
    assert_int_equal(t[2].count, 3);
    assert_int_equal(t[2].next, 8);
    assert_memory_equal(s + t[2].start, "[1,2,{\"b\":null}]", t[2].len);
    assert_int_equal(t[2].len, strlen("[1,2,{\"b\":null}]"));
    assert_int_equal(t[3].type, DW_JSON_NUMBER);
    assert_int_equal(t[3].is_int, 1);
    assert_int_equal(t[5].type, DW_JSON_OBJECT);
    assert_int_equal(t[5].count, 1);
    assert_int_equal(t[5].next, 8);
    assert_int_equal(t[7].type, DW_JSON_NULL);
    assert_int_equal(t[9].type, DW_JSON_STRING);
    assert_int_equal(t[9].escaped, 0);
    /* empty object: count 0, next just past itself */
    assert_int_equal(t[11].type, DW_JSON_OBJECT);
    assert_int_equal(t[11].count, 0);
    assert_int_equal(t[11].next, 12);
    assert_int_equal(t[11].len, 2);

    /* every token: next beyond itself, within the tape, bytes within src */
    for (uint32_t i = 0; i < f->d.ntok; i++) {
        assert_true(t[i].next > i && t[i].next <= f->d.ntok);
        assert_true((size_t)t[i].start + t[i].len <= f->d.srclen);
    }
}

static void test_scalars_and_whitespace(void **state)
{
    fx *f = *state;

    assert_int_equal(parse_s(f, " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" :true } \n"), 0);
    assert_int_equal(f->d.toks[0].count, 2);
    assert_int_equal(dw_json_type_of(&f->d, dw_json_get(&f->d, 0, "b")), DW_JSON_TRUE);
    assert_int_equal(parse_s(f, "42"), 0);
    assert_int_equal(f->d.ntok, 1);
    assert_int_equal(f->d.toks[0].len, 2);
    assert_int_equal(parse_s(f, "null"), 0);
    assert_int_equal(f->d.toks[0].type, DW_JSON_NULL);
    assert_int_equal(parse_s(f, "\"\""), 0);
    assert_int_equal(f->d.toks[0].len, 0);
    assert_int_equal(parse_s(f, " false "), 0);
    assert_int_equal(f->d.toks[0].type, DW_JSON_FALSE);
    assert_int_equal(f->d.toks[0].start, 1);
    /* only the four RFC 8259 whitespace bytes */
    assert_int_not_equal(parse_s(f, "[1,\v2]"), 0);
    assert_int_not_equal(parse_s(f, "[1,\f2]"), 0);
    assert_int_not_equal(parse_s(f, "   "), 0);
    assert_string_equal(f->d.err_msg, "unexpected end of input");
    assert_int_equal(f->d.err_off, 3);
    /* failed parse leaves no tape behind */
    assert_int_equal(f->d.ntok, 0);
}

/* ---------------------------------------------------------------------- */
/* Lookups                                                                 */
/* ---------------------------------------------------------------------- */

static void test_lookup_get_path(void **state)
{
    fx *f = *state;
    const dw_json_doc *d = &f->d;
    const char *s = "{\"model\":\"gpt\",\"messages\":[{\"role\":\"system\",\"content\":\"be nice\"},"
                    "{\"role\":\"user\",\"content\":\"hi\"}],\"0\":\"zero\",\"meta\":{\"a\":{\"b\":[10,20,30]}}}";
    int32_t t;
    int64_t v;

    assert_int_equal(parse_s(f, s), 0);
    assert_true(dw_json_str_eq(d, dw_json_get(d, 0, "model"), "gpt"));
    assert_false(dw_json_str_eq(d, dw_json_get(d, 0, "model"), "gp"));
    assert_false(dw_json_str_eq(d, dw_json_get(d, 0, "model"), "gpt4"));
    assert_int_equal(dw_json_get(d, 0, "missing"), -1);
    assert_int_equal(dw_json_get(d, 0, "mode"), -1);    /* prefix of a key */
    assert_int_equal(dw_json_get(d, 0, "models"), -1);  /* key is a prefix */
    assert_true(dw_json_str_eq(d, dw_json_path(d, 0, "messages.1.role"), "user"));
    assert_true(dw_json_str_eq(d, dw_json_path(d, 0, "messages.0.content"), "be nice"));
    assert_int_equal(dw_json_path(d, 0, "messages.2.role"), -1);
    assert_int_equal(dw_json_path(d, 0, "messages.x"), -1);
    assert_int_equal(dw_json_path(d, 0, "model.x"), -1);     /* through a string */
    assert_int_equal(dw_json_path(d, 0, "messages.-1"), -1);
    assert_int_equal(dw_json_path(d, 0, "messages.99999999999"), -1);
    assert_true(dw_json_str_eq(d, dw_json_path(d, 0, "0"), "zero")); /* digits as object key */
    t = dw_json_path(d, 0, "meta.a.b.2");
    assert_true(dw_json_i64(d, t, &v));
    assert_int_equal(v, 30);
    assert_int_equal(dw_json_path(d, 0, ""), 0);
    assert_int_equal(dw_json_path(d, 0, "meta..a"), -1);
    /* lookups on a non-object / invalid token */
    assert_int_equal(dw_json_get(d, dw_json_get(d, 0, "model"), "x"), -1);
    assert_int_equal(dw_json_get(d, -1, "model"), -1);
    assert_int_equal(dw_json_get(d, 100000, "model"), -1);
    assert_int_equal(dw_json_type_of(d, -1), -1);
}

/* dw_json_get_many must agree with dw_json_get key by key: same-length keys
 * in one bucket, escaped keys, duplicates (first wins), absent keys, and a
 * key asked for twice. */
static void test_get_many_matches_get(void **state)
{
    fx *f = *state;
    const dw_json_doc *d = &f->d;
    const char *s = "{\"prompt\":\"p1\",\"status\":200,\"\\u0061sn\":7,\"model\":\"m\",\"prompt\":\"p2\","
                    "\"a_very_long_key_name_of_more_than_32_bytes\":1,\"n\":2,\"nested\":{\"prompt\":\"x\"}}";
    const char *keys[] = {"prompt", "status", "asn", "model", "absent", "n",
                          "a_very_long_key_name_of_more_than_32_bytes", "prompt", "nested", "stat"};
    enum { NK = sizeof keys / sizeof *keys };
    dw_json_keyset ks;
    int32_t out[DW_JSON_KEYSET_MAX];

    assert_int_equal(parse_s(f, s), 0);
    dw_json_keyset_init(&ks);
    for (int i = 0; i < NK; i++)
        assert_int_equal(dw_json_keyset_add(&ks, keys[i]), i);
    assert_int_equal(__builtin_popcount(dw_json_get_many(d, 0, &ks, out)), NK - 2);
    for (int i = 0; i < NK; i++)
        assert_int_equal(out[i], dw_json_get(d, 0, keys[i]));
    assert_true(dw_json_str_eq(d, out[0], "p1"));     /* first of two "prompt" members */
    assert_int_equal(out[4], -1);
    assert_int_equal(out[9], -1);                     /* a prefix is not a match */
    assert_true(out[2] >= 0);                         /* "\u0061sn" is "asn" */
    /* not an object: every slot -1 */
    assert_int_equal(dw_json_get_many(d, out[0], &ks, out), 0);
    for (int i = 0; i < NK; i++)
        assert_int_equal(out[i], -1);
    /* a full set refuses more keys */
    dw_json_keyset_init(&ks);
    for (int i = 0; i < DW_JSON_KEYSET_MAX; i++)
        assert_int_equal(dw_json_keyset_add(&ks, "k"), i);
    assert_int_equal(dw_json_keyset_add(&ks, "k"), -1);
}

/* The keyset compares keys as words (first eight bytes, last eight, then
 * the middle), so test it where words collide: random keys over a
 * two-letter alphabet, of every length from 0 to 40, share heads, tails and
 * lengths with each other.  Documents end with a short key, so that the
 * head load near the end of the buffer takes its bounded path. */
static void test_keyset_word_compare(void **state)
{
    fx *f = *state;
    const dw_json_doc *d = &f->d;
    uint64_t rng = 0x5eed0f4e75ull;
    char keys[DW_JSON_KEYSET_MAX][48];
    char doc[8192];

    for (int round = 0; round < 300; round++) {
        dw_json_keyset ks;
        int32_t out[DW_JSON_KEYSET_MAX];
        int nk = 1 + (int)(dw_test_xorshift(&rng) % DW_JSON_KEYSET_MAX), len = 0;

        dw_json_keyset_init(&ks);
        for (int k = 0; k < nk; k++) {
            int kl = (int)(dw_test_xorshift(&rng) % 41);
            uint64_t bits = dw_test_xorshift(&rng);
            for (int j = 0; j < kl; j++)
                keys[k][j] = (bits >> (j % 64) & 1) && (dw_test_xorshift(&rng) & 3) ? 'b' : 'a';
            keys[k][kl] = 0;
            assert_int_equal(dw_json_keyset_add(&ks, keys[k]), k);
        }
        /* members: some keys of the set, some near misses (one byte
         * changed), in random order, then a short key at the very end */
        len += snprintf(doc + len, sizeof doc - (size_t)len, "{");
        for (int m = 0; m < 40; m++) {
            char key[48];
            strcpy(key, keys[dw_test_xorshift(&rng) % (uint64_t)nk]);
            if ((dw_test_xorshift(&rng) & 1) && key[0])
                key[dw_test_xorshift(&rng) % strlen(key)] ^= 'a' ^ 'b';
            len += snprintf(doc + len, sizeof doc - (size_t)len, "\"%s\":%d,", key, m);
        }
        len += snprintf(doc + len, sizeof doc - (size_t)len, "\"%s\":0}",
                        dw_test_xorshift(&rng) & 1 ? "a" : "");
        assert_int_equal(parse_n(f, doc, (size_t)len), 0);

        uint32_t bits = dw_json_get_many(d, 0, &ks, out);
        int found = 0;
        for (int k = 0; k < nk; k++) {
            assert_int_equal(out[k], dw_json_get(d, 0, keys[k]));
            assert_int_equal((bits >> k) & 1, out[k] >= 0);
            found += out[k] >= 0;
        }
        assert_int_equal(__builtin_popcount(bits), found);
        assert_int_equal((uint64_t)bits >> nk, 0); /* no bit beyond the set's keys */
    }
}

static void test_iteration_and_at(void **state)
{
    fx *f = *state;
    const dw_json_doc *d = &f->d;
    int32_t arr, c;
    int n = 0;
    int64_t v, sum = 0;

    assert_int_equal(parse_s(f, "{\"a\":[1,[2,3],{\"x\":4},5],\"b\":6}"), 0);
    arr = dw_json_get(d, 0, "a");
    assert_int_equal(d->toks[arr].count, 4);
    for (c = dw_json_first(d, arr); c >= 0; c = dw_json_next(d, arr, c)) {
        n++;
        if (dw_json_i64(d, c, &v))
            sum += v;
    }
    assert_int_equal(n, 4); /* nested [2,3] and {x:4} are single children */
    assert_int_equal(sum, 6);
    assert_true(dw_json_i64(d, dw_json_at(d, arr, 3), &v));
    assert_int_equal(v, 5);
    assert_int_equal(dw_json_at(d, arr, 4), -1);
    /* objects: dw_json_at gives the i-th value; iteration gives key, value */
    assert_true(dw_json_i64(d, dw_json_at(d, 0, 1), &v));
    assert_int_equal(v, 6);
    assert_int_equal(dw_json_at(d, 0, 2), -1);
    c = dw_json_first(d, 0);
    assert_true(dw_json_str_eq(d, c, "a"));
    c = dw_json_next(d, 0, c);
    assert_int_equal(c, arr);
    c = dw_json_next(d, 0, c);
    assert_true(dw_json_str_eq(d, c, "b"));
    c = dw_json_next(d, 0, c);
    assert_int_equal(dw_json_type_of(d, c), DW_JSON_NUMBER);
    assert_int_equal(dw_json_next(d, 0, c), -1);
    /* empty containers and scalars have no children */
    assert_int_equal(parse_s(f, "[[],{}]"), 0);
    assert_int_equal(dw_json_first(d, 1), -1);
    assert_int_equal(dw_json_first(d, 2), -1);
    assert_int_equal(dw_json_at(d, 1, 0), -1);
}

/* ---------------------------------------------------------------------- */
/* Strings                                                                 */
/* ---------------------------------------------------------------------- */

static void test_escapes_and_surrogates(void **state)
{
    fx *f = *state;
    const dw_json_doc *d = &f->d;
    const char *want = "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x01z";
    char out[64];
    long n;

    assert_int_equal(parse_s(f, "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\\u0001z\""), 0);
    assert_int_equal(d->toks[0].escaped, 1);
    n = dw_json_str(d, 0, out, sizeof out);
    assert_int_equal(n, strlen(want));
    assert_string_equal(out, want);
    assert_true(dw_json_str_eq(d, 0, want));
    assert_false(dw_json_str_eq(d, 0, "a\"b"));
    /* NUL via \u0000 counts in the length */
    assert_int_equal(parse_s(f, "\"x\\u0000y\""), 0);
    assert_int_equal(dw_json_str(d, 0, out, sizeof out), 3);
    assert_memory_equal(out, "x\0y", 4);
    /* unescaped string: returned as-is; not-a-string is -1 */
    assert_int_equal(parse_s(f, "[\"plain \xe6\x97\xa5\xe6\x9c\xac\",1]"), 0);
    assert_int_equal(d->toks[1].escaped, 0);
    assert_int_equal(dw_json_str(d, 1, out, sizeof out), 12);
    assert_string_equal(out, "plain \xe6\x97\xa5\xe6\x9c\xac");
    assert_int_equal(dw_json_str(d, 2, out, sizeof out), -1);
    assert_int_equal(dw_json_str(d, 0, out, sizeof out), -1);
    /* escaped keys are matched after unescaping; the first match wins */
    assert_int_equal(parse_s(f, "{\"a\\u0062\":1,\"ab\":2,\"\\u00e9\":3}"), 0);
    assert_int_equal(dw_json_get(d, 0, "ab"), 2);
    assert_int_equal(dw_json_get(d, 0, "\xc3\xa9"), 6);
    assert_int_equal(dw_json_get(d, 0, "a"), -1);
    assert_int_equal(dw_json_get(d, 0, "abc"), -1);
}

static void test_truncation_utf8_boundary(void **state)
{
    fx *f = *state;
    const dw_json_doc *d = &f->d;
    char out[16];

    /* "h" + U+00E9 (2 bytes) + "llo" + U+20AC (3 bytes) */
    assert_int_equal(parse_s(f, "[\"h\xc3\xa9llo\xe2\x82\xac\",\"h\\u00e9llo\\u20ac\"]"), 0);
    for (int tok = 1; tok <= 2; tok++) {
        memset(out, 'X', sizeof out);
        assert_int_equal(dw_json_str(d, tok, out, 3), 9); /* room 2: 'h' + half of é: cut */
        assert_string_equal(out, "h");
        assert_int_equal(dw_json_str(d, tok, out, 4), 9);
        assert_string_equal(out, "h\xc3\xa9");
        assert_int_equal(dw_json_str(d, tok, out, 9), 9); /* room 8: € needs 3 more */
        assert_string_equal(out, "h\xc3\xa9llo");
        assert_int_equal(dw_json_str(d, tok, out, 10), 9);
        assert_string_equal(out, "h\xc3\xa9llo\xe2\x82\xac");
        assert_int_equal(dw_json_str(d, tok, out, 1), 9);
        assert_string_equal(out, "");
        out[0] = 'X';
        assert_int_equal(dw_json_str(d, tok, out, 0), 9); /* cap 0: nothing written */
        assert_int_equal(out[0], 'X');
    }
    /* once a character does not fit, later (smaller) ones are not written */
    assert_int_equal(parse_s(f, "\"\\u20acA\""), 0);
    assert_int_equal(dw_json_str(d, 0, out, 3), 4);
    assert_string_equal(out, "");
}

/* The SIMD string scan handles 32/16-byte blocks and a scalar tail: put each
 * kind of special byte at every position of strings of many lengths. */
static void test_string_scan_positions(void **state)
{
    fx *f = *state;
    char doc[128], out[128];

    for (int L = 1; L < 80; L++) {
        for (int i = 0; i < L; i++) {
            /* a 2-byte \n escape at i */
            int k = 0;
            doc[k++] = '"';
            for (int j = 0; j < L; j++) {
                if (j == i) { doc[k++] = '\\'; doc[k++] = 'n'; }
                else doc[k++] = 'a';
            }
            doc[k++] = '"';
            assert_int_equal(parse_n(f, doc, (size_t)k), 0);
            assert_int_equal(f->d.toks[0].escaped, 1);
            assert_int_equal(dw_json_str(&f->d, 0, out, sizeof out), L);
            assert_int_equal(out[i], '\n');
            /* a raw control byte at i: rejected exactly there */
            doc[1 + i] = 0x01;
            doc[2 + i] = 'a';
            assert_int_not_equal(parse_n(f, doc, (size_t)k), 0);
            assert_int_equal(f->d.err_off, (size_t)(1 + i));
            assert_string_equal(f->d.err_msg, "unescaped control character in string");
            /* a valid 2-byte sequence at i */
            doc[1 + i] = (char)0xc3;
            doc[2 + i] = (char)0xa9;
            assert_int_equal(parse_n(f, doc, (size_t)k), 0);
            assert_int_equal(f->d.toks[0].len, (uint32_t)(L + 1));
            /* a stray continuation byte at i */
            doc[1 + i] = (char)0xa9;
            doc[2 + i] = 'a';
            assert_int_not_equal(parse_n(f, doc, (size_t)k), 0);
            assert_int_equal(f->d.err_off, (size_t)(1 + i));
            /* the closing quote missing: string runs to the end of input */
            assert_int_not_equal(parse_n(f, doc, (size_t)(1 + i)), 0);
            assert_string_equal(f->d.err_msg, "unterminated string");
        }
    }
}

static void test_utf8_validation(void **state)
{
    fx *f = *state;
    static const struct { const char *s; int ok; } cases[] = {
        { "\"\xc2\x80\"", 1 },             /* U+0080 */
        { "\"\xdf\xbf\"", 1 },             /* U+07FF */
        { "\"\xe0\xa0\x80\"", 1 },         /* U+0800 */
        { "\"\xed\x9f\xbf\"", 1 },         /* U+D7FF */
        { "\"\xee\x80\x80\"", 1 },         /* U+E000 */
        { "\"\xef\xbf\xbf\"", 1 },         /* U+FFFF */
        { "\"\xf0\x90\x80\x80\"", 1 },     /* U+10000 */
        { "\"\xf4\x8f\xbf\xbf\"", 1 },     /* U+10FFFF */
        { "\"\xc0\xaf\"", 0 },             /* overlong '/' */
        { "\"\xc1\xbf\"", 0 },             /* overlong */
        { "\"\xe0\x9f\xbf\"", 0 },         /* overlong 3-byte */
        { "\"\xf0\x8f\xbf\xbf\"", 0 },     /* overlong 4-byte */
        { "\"\xed\xa0\x80\"", 0 },         /* U+D800 encoded */
        { "\"\xed\xbf\xbf\"", 0 },         /* U+DFFF encoded */
        { "\"\xf4\x90\x80\x80\"", 0 },     /* U+110000 */
        { "\"\xf5\x80\x80\x80\"", 0 },     /* lead byte > F4 */
        { "\"\xff\"", 0 },
        { "\"\xe2\x82\"", 0 },             /* truncated by the quote */
        { "\"\xe2\x82", 0 },               /* truncated by end of input */
        { "\"\xf0\x9f\x98", 0 },
        { "\xc3\xa9", 0 },                 /* non-ASCII outside a string */
        { "\xef\xbb\xbf{}", 0 },           /* BOM */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse_s(f, cases[i].s);
        if ((rc == 0) != cases[i].ok)
            fail_msg("case %zu: expected %s", i, cases[i].ok ? "accept" : "reject");
    }
    assert_int_not_equal(parse_s(f, "\xef\xbb\xbf{}"), 0);
    assert_string_equal(f->d.err_msg, "byte order mark not allowed");
    assert_int_equal(f->d.err_off, 0);
}

static void test_surrogate_escapes_rejected(void **state)
{
    fx *f = *state;
    static const char *bad[] = {
        "\"\\ud800\"",           /* lone high */
        "\"\\udc00\"",           /* lone low */
        "\"\\ude00\\ud83d\"",    /* reversed */
        "\"\\udc00\\udc00\"",    /* low + low */
        "\"\\ud83d\\u0041\"",    /* high + non-surrogate */
        "\"\\ud83d\\ud83d\"",    /* high + high */
        "\"\\ud83dx\"",          /* high + plain text */
        "\"\\ud83d\\",           /* high + truncated */
        "\"\\ud83d\\ude0",       /* truncated low */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse_s(f, bad[i]) == 0)
            fail_msg("accepted %s", bad[i]);
    }
    assert_int_not_equal(parse_s(f, "[\"ab\\udc00\"]"), 0);
    assert_string_equal(f->d.err_msg, "unpaired UTF-16 surrogate in \\u escape");
    assert_int_equal(f->d.err_off, 4);
}

/* ---------------------------------------------------------------------- */
/* Numbers                                                                 */
/* ---------------------------------------------------------------------- */

static void test_numbers(void **state)
{
    fx *f = *state;
    const dw_json_doc *d = &f->d;
    double x;
    int64_t v;

    assert_int_equal(parse_s(f, "[0,-0,1.5,-0.25e2,0.1,1E3,123456789012345678901234567890,1e400,-1e400,"
                                "1e-400,9007199254740993,2.2250738585072014e-308,true,\"1\"]"), 0);
    assert_true(dw_json_f64(d, 1, &x) && x == 0.0);
    assert_true(dw_json_f64(d, 2, &x) && x == 0.0 && signbit(x));
    assert_true(dw_json_f64(d, 3, &x) && x == 1.5);
    assert_true(dw_json_f64(d, 4, &x) && x == -25.0);
    assert_true(dw_json_f64(d, 5, &x) && x == 0.1);
    assert_true(dw_json_f64(d, 6, &x) && x == 1000.0);
    assert_true(dw_json_f64(d, 7, &x) && x == 1.2345678901234568e29);
    assert_true(dw_json_f64(d, 8, &x) && isinf(x) && x > 0);
    assert_true(dw_json_f64(d, 9, &x) && isinf(x) && x < 0);
    assert_true(dw_json_f64(d, 10, &x) && x == 0.0);
    assert_true(dw_json_f64(d, 11, &x) && x == 9007199254740992.0); /* round-half-even */
    assert_true(dw_json_f64(d, 12, &x) && x == 2.2250738585072014e-308);
    assert_false(dw_json_f64(d, 13, &x));  /* booleans are not numbers */
    assert_false(dw_json_f64(d, 14, &x));  /* nor are strings */
    assert_int_equal(d->toks[3].is_int, 0);
    assert_int_equal(d->toks[7].is_int, 1);
    assert_int_equal(d->toks[6].is_int, 0);
    /* i64: integers only, overflow detected at both ends */
    assert_true(dw_json_i64(d, 2, &v) && v == 0);
    assert_false(dw_json_i64(d, 3, &v));
    assert_false(dw_json_i64(d, 6, &v));   /* 1E3 has an exponent */
    assert_false(dw_json_i64(d, 7, &v));
    assert_false(dw_json_i64(d, 13, &v));
    assert_int_equal(parse_s(f, "[9223372036854775807,9223372036854775808,-9223372036854775808,"
                                "-9223372036854775809,18446744073709551616,-42]"), 0);
    assert_true(dw_json_i64(d, 1, &v) && v == INT64_MAX);
    assert_false(dw_json_i64(d, 2, &v));
    assert_true(dw_json_i64(d, 3, &v) && v == INT64_MIN);
    assert_false(dw_json_i64(d, 4, &v));
    assert_false(dw_json_i64(d, 5, &v));
    assert_true(dw_json_i64(d, 6, &v) && v == -42);
    /* a mantissa above 2^53 must not take the one-division fast path:
     * rounding m to double first would give 2.600107597550086 */
    assert_int_equal(parse_s(f, "2.6001075975500861"), 0);
    assert_true(dw_json_f64(d, 0, &x) && x == 2.6001075975500862);
    /* a number longer than the 512-byte local buffer still converts:
     * "0." + 1100 zeros + "25e1102" is exactly 25 */
    {
        char big[2 + 1100 + 7];
        memcpy(big, "0.", 2);
        memset(big + 2, '0', 1100);
        memcpy(big + 1102, "25e1102", 7);
        assert_int_equal(parse_n(f, big, sizeof big), 0);
        assert_true(dw_json_f64(d, 0, &x));
        assert_true(x == 25.0);
    }
}

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */
/* ---------------------------------------------------------------------- */

static void test_error_offsets(void **state)
{
    fx *f = *state;
    static const struct { const char *s; size_t off; const char *msg; } cases[] = {
        { "[1,]", 3, "expected a value" },
        { "{\"a\" 1}", 5, "expected ':'" },
        { "{\"a\":1,}", 7, "expected string key" },
        { "{1:2}", 1, "expected string key" },
        { "\"abc", 4, "unterminated string" },
        { "[01]", 1, "leading zero in number" },
        { "[-]", 2, "digit expected in number" },
        { "1.", 2, "digit expected after decimal point" },
        { "1e+", 3, "digit expected in exponent" },
        { "\"a\\x\"", 2, "invalid escape" },
        { "\"\\u12G4\"", 1, "invalid \\u escape" },
        { "\"\xc0\xaf\"", 1, "invalid UTF-8 in string" },
        { "[1] x", 4, "trailing characters after JSON value" },
        { "[1 2]", 3, "expected ',' or ']'" },
        { "{\"a\":1 \"b\":2}", 7, "expected ',' or '}'" },
        { "\"a\tb\"", 2, "unescaped control character in string" },
        { "[\"ab\x1f\"]", 4, "unescaped control character in string" },
        { "\"\x7f\x1f\"", 2, "unescaped control character in string" },
        { "tru", 0, "invalid literal" },
        { "nul", 0, "invalid literal" },
        { "[true", 5, "unexpected end of input" },
        { "{\"a\":", 5, "unexpected end of input" },
        { "NaN", 0, "expected a value" },
        { "[1]]", 3, "trailing characters after JSON value" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_not_equal(parse_s(f, cases[i].s), 0);
        if (f->d.err_off != cases[i].off || strcmp(f->d.err_msg, cases[i].msg) != 0)
            fail_msg("%s: got \"%s\" at %zu, want \"%s\" at %zu", cases[i].s, f->d.err_msg,
                     f->d.err_off, cases[i].msg, cases[i].off);
    }
    assert_int_not_equal(parse_n(f, "", 0), 0);
    assert_string_equal(f->d.err_msg, "empty input");
}

static void test_nesting_limit(void **state)
{
    fx *f = *state;
    char *doc = malloc(2 * (DW_JSON_MAX_DEPTH + 1));
    size_t n;

    assert_non_null(doc);
    /* exactly the limit: accepted */
    n = 0;
    for (int i = 0; i < DW_JSON_MAX_DEPTH; i++) doc[n++] = '[';
    for (int i = 0; i < DW_JSON_MAX_DEPTH; i++) doc[n++] = ']';
    assert_int_equal(parse_n(f, doc, n), 0);
    assert_int_equal(f->d.ntok, DW_JSON_MAX_DEPTH);
    assert_int_equal(f->d.toks[0].next, DW_JSON_MAX_DEPTH);
    assert_int_equal(f->d.toks[DW_JSON_MAX_DEPTH - 1].count, 0);
    /* one deeper: rejected at the offending bracket */
    n = 0;
    for (int i = 0; i < DW_JSON_MAX_DEPTH + 1; i++) doc[n++] = '[';
    for (int i = 0; i < DW_JSON_MAX_DEPTH + 1; i++) doc[n++] = ']';
    assert_int_not_equal(parse_n(f, doc, n), 0);
    assert_string_equal(f->d.err_msg, "nesting too deep");
    assert_int_equal(f->d.err_off, DW_JSON_MAX_DEPTH);
    free(doc);
    /* deep nesting through objects too */
    {
        size_t cap = (DW_JSON_MAX_DEPTH + 1) * 6 + 8;
        char *o = malloc(cap);
        assert_non_null(o);
        n = 0;
        for (int i = 0; i < DW_JSON_MAX_DEPTH + 1; i++) { memcpy(o + n, "{\"a\":", 5); n += 5; }
        o[n++] = '1';
        for (int i = 0; i < DW_JSON_MAX_DEPTH + 1; i++) o[n++] = '}';
        assert_int_not_equal(parse_n(f, o, n), 0);
        assert_string_equal(f->d.err_msg, "nesting too deep");
        free(o);
    }
}

static void test_token_limit_and_reuse(void **state)
{
    fx *f = *state;
    size_t cap = 10000 * 2 + 2, n = 0;
    char *doc = malloc(cap);

    assert_non_null(doc);
    doc[n++] = '[';
    for (int i = 0; i < 10000; i++) { doc[n++] = (char)('0' + i % 10); doc[n++] = ','; }
    doc[n - 1] = ']';
    assert_int_equal(parse_n(f, doc, n), 0);
    assert_int_equal(f->d.ntok, 10001);
    assert_int_equal(f->d.toks[0].count, 10000);
    assert_true(f->d.cap >= 10001);
    /* a configured cap on tokens is enforced */
    f->d.max_tokens = 100;
    assert_int_not_equal(parse_n(f, doc, n), 0);
    assert_string_equal(f->d.err_msg, "too many tokens");
    assert_int_equal(parse_s(f, "[1,2,3]"), 0); /* under the cap */
    f->d.max_tokens = 3;
    assert_int_not_equal(parse_s(f, "[1,2,3]"), 0);
    f->d.max_tokens = 4;
    assert_int_equal(parse_s(f, "[1,2,3]"), 0);
    f->d.max_tokens = 0;
    /* the buffer is reused: a small parse after a big one is correct */
    assert_int_equal(parse_s(f, "{\"k\":\"v\"}"), 0);
    assert_int_equal(f->d.ntok, 3);
    assert_true(dw_json_str_eq(&f->d, dw_json_get(&f->d, 0, "k"), "v"));
    free(doc);
}

/* Every proper prefix of a document is rejected, the whole accepted, and
 * nothing reads past the exact-size buffer (ASan). */
static void test_not_nul_terminated(void **state)
{
    fx *f = *state;
    const char *s = "{\"key\":[1.5e3,-0,true,false,null,\"\\u00e9x\\ud83d\\ude00\","
                    "\"a string long enough to take the vector path \xe6\x97\xa5\"],\"z\":{}}";
    size_t n = strlen(s);

    for (size_t k = 0; k < n; k++) {
        if (parse_n(f, s, k) == 0)
            fail_msg("prefix of length %zu accepted", k);
        assert_true(f->d.err_off <= k);
    }
    assert_int_equal(parse_n(f, s, n), 0);
    /* scalars that end exactly at the end of the buffer */
    assert_int_equal(parse_s(f, "123"), 0);
    assert_int_equal(parse_s(f, "-1.5e-7"), 0);
    assert_int_equal(parse_s(f, "true"), 0);
    assert_int_equal(parse_s(f, "\"0123456789abcdef0123456789abcdef0123456789\""), 0);
    assert_int_not_equal(parse_s(f, "-"), 0);
    assert_int_not_equal(parse_s(f, "\"\\"), 0);
    assert_int_not_equal(parse_s(f, "\"\\u12"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_jsontestsuite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tape_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalars_and_whitespace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_get_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iteration_and_at, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escapes_and_surrogates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncation_utf8_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_many_matches_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyset_word_compare, setup, teardown),
        cmocka_unit_test_setup_teardown(test_string_scan_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_surrogate_escapes_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nesting_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_limit_and_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_nul_terminated, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
