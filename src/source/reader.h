/*
 * reader.h -- sources: files, stdin, gzip and zstd, as a stream of lines.
 *
 * The reader hands out lines as views into its own buffer (no copy for the
 * common case), recognises compression by magic bytes rather than by file
 * name (logs get renamed), and bounds memory: a line longer than max_line is
 * delivered in pieces flagged DW_LINE_PARTIAL so that the caller can
 * quarantine it whole without the reader ever holding it all.
 */
#ifndef DW_READER_H
#define DW_READER_H

#include <stddef.h>
#include <stdint.h>

typedef struct dw_reader dw_reader;

enum {
    DW_LINE_PARTIAL = 1,  /* this piece is not the end of its line */
    DW_LINE_CONT    = 2,  /* this piece continues the previous one */
};

/* Open `path` ("-" = stdin).  max_line: longest line delivered whole. */
dw_reader *dw_reader_open(const char *path, size_t max_line, char *err, size_t errlen);
void dw_reader_close(dw_reader *r);

/* Next line (without its '\n'; a trailing '\r' is kept: JSON treats it as
 * whitespace).  Returns 1 and sets *line, *len, *flags, *lineno; 0 at end of
 * input; -1 on an I/O or decompression error (message in err). */
int dw_reader_next(dw_reader *r, const char **line, size_t *len, int *flags, uint64_t *lineno,
                   char *err, size_t errlen);

/* Decompressed bytes delivered so far. */
uint64_t dw_reader_bytes(const dw_reader *r);
/* "gzip", "zstd" or "plain". */
const char *dw_reader_codec(const dw_reader *r);

#endif
