/*
 * fuzz_reader.c -- the line source on arbitrary bytes: plain, gzip, zstd
 * (the fuzzer finds the magic numbers), with a tiny max_line so the
 * over-long-line path is exercised.  Pieces must tile the input exactly.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "source/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20)) return 0;
    char path[] = "/tmp/fuzz_reader.XXXXXX";
    int fd = mkstemp(path);
    assert(fd >= 0);
    assert(write(fd, data, size) == (ssize_t)size);
    close(fd);
    char err[256];
    dw_reader *r = dw_reader_open(path, 4096, err, sizeof err);
    if (r) {
        const char *line;
        size_t len, total = 0;
        int flags;
        uint64_t lineno, last = 0;
        int rc;
        while ((rc = dw_reader_next(r, &line, &len, &flags, &lineno, err, sizeof err)) > 0) {
            assert(lineno >= last);
            last = lineno;
            total += len;
            for (size_t i = 0; i < len; i++) assert(line[i] != '\n' || (flags & 1)); /* no newline inside a whole line */
        }
        if (rc == 0 && r && strcmp(dw_reader_codec(r), "plain") == 0) assert(total <= size);
        dw_reader_close(r);
    }
    unlink(path);
    return 0;
}
