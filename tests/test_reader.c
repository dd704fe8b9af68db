/*
 * test_reader.c -- the line source: plain, gzip and zstd files, lines that
 * span refills, and lines longer than the limit.
 *
 * Every case reads a generated file back and compares it, line by line, with
 * the lines that were written: text, line number, and for an over-long line
 * the pieces (flags PARTIAL/CONT) that must put it back together.  Lines are
 * sized around the reader's refill (256 KiB) and its limit, where an
 * off-by-one in either would lose or duplicate bytes.
 */
#include "testutil.h"
#include <zlib.h>
#include <zstd.h>

#include "source/reader.h"
#include "common/util.h"

#define MAX_LINE 300000u
#define NLINES 64

/* Line k: its length is chosen to straddle the interesting sizes, its
 * bytes a function of (k, position) so that a shifted or repeated piece
 * shows up as a mismatch. */
static size_t line_len(int k)
{
    static const size_t special[] = {0, 1, 262143, 262144, 262145, 299999, 300000, 300001, 700000, 5};
    if (k < (int)(sizeof special / sizeof *special)) return special[k];
    return (size_t)(dw_mix64((uint64_t)k) % 3000);
}

static char line_byte(int k, size_t i) { return (char)('a' + (char)((k * 7 + i * 13 + i / 4093) % 26)); }

static char *make_content(size_t *total)
{
    size_t n = 0;
    for (int k = 0; k < NLINES; k++) n += line_len(k) + 1;
    char *buf = malloc(n);
    assert_non_null(buf);
    size_t at = 0;
    for (int k = 0; k < NLINES; k++) {
        for (size_t i = 0; i < line_len(k); i++) buf[at++] = line_byte(k, i);
        buf[at++] = '\n';
    }
    *total = n;
    return buf;
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

/* Read `path` and check it yields exactly the generated lines. */
static void expect_lines(const char *path, const char *codec)
{
    char err[256];
    dw_reader *r = dw_reader_open(path, MAX_LINE, err, sizeof err);
    assert_non_null(r);
    assert_string_equal(dw_reader_codec(r), codec);
    const char *line;
    size_t len;
    int flags;
    uint64_t lineno;
    for (int k = 0; k < NLINES; k++) {
        size_t want = line_len(k), got = 0;
        int pieces = 0;
        for (;;) {
            assert_int_equal(dw_reader_next(r, &line, &len, &flags, &lineno, err, sizeof err), 1);
            assert_int_equal(lineno, (uint64_t)k + 1);
            assert_int_equal(!!(flags & DW_LINE_CONT), pieces > 0);
            assert_true(got + len <= want);
            for (size_t i = 0; i < len; i++)
                if (line[i] != line_byte(k, got + i)) fail_msg("line %d byte %zu differs", k + 1, got + i);
            got += len;
            pieces++;
            if (!(flags & DW_LINE_PARTIAL)) break;
            assert_true(len >= MAX_LINE); /* a piece is cut only at the limit or beyond */
        }
        assert_int_equal(got, want);
        assert_int_equal(pieces > 1, want > MAX_LINE); /* whole when it fits, in pieces when not */
    }
    assert_int_equal(dw_reader_next(r, &line, &len, &flags, &lineno, err, sizeof err), 0);
    dw_reader_close(r);
}

/* A test's file: a fresh directory, the file's path in it, the lines. */
typedef struct fixture {
    char path[512];
    char *content;
    size_t n;
} fixture;

static void fixture_init(fixture *f, const char *name)
{
    snprintf(f->path, sizeof f->path, "%s/%s", dw_test_tmpdir(), name);
    f->content = make_content(&f->n);
}

/* The bytes of one gzip member holding p[0..n), written through `scratch`. */
static char *gzip_member(const char *scratch, const char *p, size_t n, size_t *out)
{
    gzFile g = gzopen(scratch, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, p, (unsigned)n), (int)n);
    gzclose(g);
    char *bytes = dw_test_slurp(scratch, out);
    assert_non_null(bytes);
    return bytes;
}

static void test_plain(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "plain.jsonl");
    write_bytes(f.path, f.content, f.n);
    expect_lines(f.path, "plain");
    free(f.content);
}

static void test_gzip(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "log.gz");
    /* two members, split mid-line: what `cat a.gz b.gz` produces */
    size_t half = f.n / 2 + 17, an, bn;
    char *a = gzip_member(f.path, f.content, half, &an);
    char *b = gzip_member(f.path, f.content + half, f.n - half, &bn);
    a = realloc(a, an + bn);
    assert_non_null(a);
    memcpy(a + an, b, bn);
    write_bytes(f.path, a, an + bn);
    expect_lines(f.path, "gzip");
    free(a);
    free(b);
    free(f.content);
}

static void test_zstd(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "log.zst");
    size_t cap = ZSTD_compressBound(f.n);
    char *z = malloc(cap);
    assert_non_null(z);
    size_t zn = ZSTD_compress(z, cap, f.content, f.n, 3);
    assert_false(ZSTD_isError(zn));
    write_bytes(f.path, z, zn);
    expect_lines(f.path, "zstd");
    free(z);
    free(f.content);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_zstd),
    };
    return cmocka_run_group_tests_name("reader", tests, NULL, NULL);
}
