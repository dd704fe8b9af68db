/*
 * testutil.h -- what every test file includes.
 *
 * Tests use cmocka.  Data from ../shared/ is optional: a test that needs it
 * calls dw_test_shared() and skips (cmocka's skip(), counted as skipped, not
 * passed) when the file is not there, so the core suite passes on a bare
 * checkout while CI, which has ../shared, runs everything.
 */
#ifndef DW_TESTUTIL_H
#define DW_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

/* Path of `rel` under the shared data folder, or NULL if absent.  The folder
 * is $DW_SHARED if set, else ../shared relative to the repository root (tests
 * run from the root). */
static inline const char *dw_test_shared(const char *rel)
{
    static char buf[4096];
    const char *base = getenv("DW_SHARED");
    if (!base) base = "../shared";
    snprintf(buf, sizeof buf, "%s/%s", base, rel);
    struct stat st;
    return stat(buf, &st) == 0 ? buf : NULL;
}

/* The next value of a xorshift64 generator (Marsaglia) whose state is *s
 * (never 0).  Tests draw their random traffic from it, not from libc's
 * rand(), so that a failure reproduces on any machine. */
static inline uint64_t dw_test_xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A fresh temporary directory for one test; removed by the runner's tmp cleanup. */
static inline const char *dw_test_tmpdir(void)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "/tmp/dwtest.XXXXXX");
    return mkdtemp(buf);
}

/* Write text to dir/name, replacing the file.  Returns the path (a static
 * buffer, valid until the next call); fails the test when it cannot write. */
static inline const char *dw_test_write(const char *dir, const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Read a whole file into a malloc'd NUL-terminated buffer. */
static inline char *dw_test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
    fclose(f);
    if (b) { b[n] = 0; if (len) *len = (size_t)n; }
    return b;
}
#endif
