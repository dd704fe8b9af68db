/*
 * test_prove_tokenizer.c -- the SentencePiece encoder against the reference.
 *
 * The expected ids come from python3-sentencepiece (experiments/prove/
 * gen_fixtures.py): a list of awkward strings with their full ids, and for
 * 2,000 real texts from ../shared only a length and an FNV-1a hash of the ids,
 * so the fixtures stay small while still pinning every id.  The model itself
 * lives in ../shared; without it those tests skip.
 */
#include "testutil.h"

#include "decode/json.h"
#include "prove/tokenizer.h"

static const char *TOKENIZER = "provenance/llama2-tokenizer/tokenizer.model";

static uint64_t fnv_ids(const dw_ids *ids)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < ids->n; i++)
        for (int b = 0; b < 4; b++) {
            h ^= (ids->v[i] >> (8 * b)) & 0xff;
            h *= 0x100000001b3ULL;
        }
    return h;
}

static dw_tokenizer *load_llama(void)
{
    const char *p = dw_test_shared(TOKENIZER);
    if (!p) return NULL;
    char err[256];
    dw_tokenizer *t = dw_tokenizer_load(p, err, sizeof err);
    if (!t) fail_msg("load: %s", err);
    return t;
}

static void test_samples(void **state)
{
    (void)state;
    dw_tokenizer *t = load_llama();
    if (!t) skip();
    assert_int_equal(t->vocab_size, 32000);
    assert_int_equal(t->bos_id, 1);
    assert_int_equal(t->eos_id, 2);
    assert_int_equal(t->unk_id, 0);
    char *src = dw_test_slurp("tests/fixtures/prove/llama2_tokens.jsonl", NULL);
    assert_non_null(src);
    dw_json_doc d;
    dw_json_init(&d);
    int lines = 0;
    for (char *line = strtok(src, "\n"); line; line = strtok(NULL, "\n")) {
        assert_int_equal(dw_json_parse(&d, line, strlen(line)), 0);
        int32_t tt = dw_json_get(&d, 0, "text"), ti = dw_json_get(&d, 0, "ids");
        char text[512];
        long tl = dw_json_str(&d, tt, text, sizeof text);
        assert_true(tl >= 0 && tl < (long)sizeof text);
        dw_ids ids = {0};
        dw_tokenizer_encode(t, text, (size_t)tl, &ids);
        uint32_t want = d.toks[ti].count;
        if (ids.n != want) fail_msg("line %d \"%s\": %zu ids, want %u", lines + 1, text, ids.n, want);
        for (uint32_t i = 0; i < want; i++) {
            int64_t v;
            assert_true(dw_json_i64(&d, dw_json_at(&d, ti, i), &v));
            if (ids.v[i] != (uint32_t)v)
                fail_msg("line %d \"%s\": id %u is %u, want %lld", lines + 1, text, i, ids.v[i], (long long)v);
        }
        dw_ids_free(&ids);
        lines++;
    }
    assert_true(lines >= 30);
    dw_json_free(&d);
    free(src);
    dw_tokenizer_free(t);
}

/* Encode every text of a JSONL file (field at a dotted path) and compare
 * with "count fnv" lines of a fixture. */
static void check_corpus(const char *shared_rel, const char *path, const char *fixture)
{
    dw_tokenizer *t = load_llama();
    const char *p = dw_test_shared(shared_rel);
    if (!t || !p) { dw_tokenizer_free(t); skip(); }
    char *src = dw_test_slurp(p, NULL);
    FILE *fx = fopen(fixture, "r");
    assert_non_null(src);
    assert_non_null(fx);
    dw_json_doc d;
    dw_json_init(&d);
    int n = 0, bad = 0;
    char *save = NULL;
    for (char *line = strtok_r(src, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!*line) continue;
        assert_int_equal(dw_json_parse(&d, line, strlen(line)), 0);
        int32_t tok = dw_json_path(&d, 0, path);
        assert_true(tok >= 0);
        long len = dw_json_str(&d, tok, (char[1]){0}, 0);
        char *text = malloc((size_t)len + 1);
        dw_json_str(&d, tok, text, (size_t)len + 1);
        dw_ids ids = {0};
        dw_tokenizer_encode(t, text, (size_t)len, &ids);
        unsigned long want_n;
        unsigned long long want_h;
        assert_int_equal(fscanf(fx, "%lu %llx", &want_n, &want_h), 2);
        if (ids.n != want_n || fnv_ids(&ids) != want_h) {
            if (bad < 3) print_message("%s text %d: %zu ids (want %lu)\n", shared_rel, n, ids.n, want_n);
            bad++;
        }
        dw_ids_free(&ids);
        free(text);
        n++;
    }
    fclose(fx);
    assert_int_equal(bad, 0);
    assert_true(n >= 500);
    dw_json_free(&d);
    free(src);
    dw_tokenizer_free(t);
}

static void test_radioactive_results(void **state)
{
    (void)state;
    check_corpus("provenance/radioactive-watermark/output_closed/results_expected.jsonl", "result",
                 "tests/fixtures/prove/llama2_results_tokhash.txt");
}

static void test_arena_gpt4(void **state)
{
    (void)state;
    check_corpus("corpora/arena-hard-v0.1/model_answer/gpt-4-0314.jsonl", "messages.1.content.answer",
                 "tests/fixtures/prove/llama2_arena_gpt-4-0314_tokhash.txt");
}

static void test_arena_gpt35(void **state)
{
    (void)state;
    check_corpus("corpora/arena-hard-v0.1/model_answer/gpt-3.5-turbo-0125.jsonl", "messages.1.content.answer",
                 "tests/fixtures/prove/llama2_arena_gpt-3.5-turbo-0125_tokhash.txt");
}

static void test_bytes_tokenizer(void **state)
{
    (void)state;
    dw_tokenizer *t = dw_tokenizer_bytes();
    dw_ids ids = {0};
    dw_tokenizer_encode(t, "a\xff\n", 3, &ids);
    assert_int_equal(ids.n, 3);
    assert_int_equal(ids.v[0], 'a');
    assert_int_equal(ids.v[1], 0xff);
    size_t len;
    const char *s = t->ops->piece(t, 0xff, &len);
    assert_int_equal(len, 1);
    assert_int_equal((unsigned char)s[0], 0xff);
    assert_null(t->ops->piece(t, 256, &len));
    dw_ids_free(&ids);
    dw_tokenizer_free(t);
}

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fwrite(p, 1, n, f);
    return fclose(f);
}

/* Malformed models are refused with the offset of the problem. */
static void test_malformed_models(void **state)
{
    (void)state;
    const char *dir = dw_test_tmpdir();
    char path[300], err[256];
    snprintf(path, sizeof path, "%s/m.model", dir);
    struct { const char *bytes; size_t n; const char *want; } cases[] = {
        {"\x0a\x05\x0a\x01", 4, "offset 0"},                 /* piece runs past the end */
        {"\x0a\x02\x0a\x05", 4, "offset 2"},                 /* inner field overruns its message */
        {"\x0a\x03\x0b\x01\x02", 5, "wire type"},            /* group */
        {"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12, "varint"},
        {"\x0a\x00", 2, "piece without its text"},
        {"\x0a\x03\x0a\x01\x61", 5, "not BPE"},              /* one piece, default model type */
        {"hello", 5, "not a SentencePiece model"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(write_file(path, cases[i].bytes, cases[i].n), 0);
        err[0] = 0;
        dw_tokenizer *t = dw_tokenizer_load(path, err, sizeof err);
        if (t) fail_msg("case %zu loaded", i);
        if (!strstr(err, cases[i].want)) fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want);
    }
    /* A truncated copy of the real model fails cleanly at every length we try. */
    const char *real = dw_test_shared(TOKENIZER);
    if (real) {
        size_t n = 0;
        char *buf = dw_test_slurp(real, &n);
        for (size_t cut = 1; cut < n; cut += n / 37 + 1) {
            assert_int_equal(write_file(path, buf, cut), 0);
            dw_tokenizer *t = dw_tokenizer_load(path, err, sizeof err);
            dw_tokenizer_free(t);   /* a prefix may be a valid (smaller) model, or not: no crash, no leak */
        }
        free(buf);
    }
    remove(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_radioactive_results),
        cmocka_unit_test(test_arena_gpt4),
        cmocka_unit_test(test_arena_gpt35),
        cmocka_unit_test(test_bytes_tokenizer),
        cmocka_unit_test(test_malformed_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
