/*
 * buf.h -- a growable byte buffer and a JSON writer on top of it.
 *
 * Every output of DistillWatch is JSON or HTML written by our own code, and
 * every string in it comes from untrusted logs.  One writer that always
 * escapes (JSON: RFC 8259 escapes, invalid UTF-8 replaced by U+FFFD; HTML:
 * the five special characters) keeps injection out of every sink.  The
 * writer tracks commas itself so emitting code reads like the document.
 */
#ifndef DW_BUF_H
#define DW_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct dw_buf {
    char  *p;
    size_t len, cap;
} dw_buf;

void dw_buf_free(dw_buf *b);
void dw_buf_reserve(dw_buf *b, size_t extra);         /* aborts on OOM */
void dw_buf_put(dw_buf *b, const void *s, size_t n);
void dw_buf_puts(dw_buf *b, const char *s);
void dw_buf_putc(dw_buf *b, char c);
void dw_buf_printf(dw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void dw_buf_reset(dw_buf *b) { b->len = 0; }
/* NUL-terminate (without counting the NUL) and return the data. */
const char *dw_buf_cstr(dw_buf *b);
/* Write the whole buffer to f; 0 or -1. */
int dw_buf_write(const dw_buf *b, FILE *f);

/* Escaped string bodies (no quotes added). */
void dw_buf_json_escaped(dw_buf *b, const char *s, size_t n);
void dw_buf_html_escaped(dw_buf *b, const char *s, size_t n);

/* JSON writer: nesting-aware commas.  Keys and string values are escaped. */
#define DW_JW_MAX_DEPTH 32
typedef struct dw_jw {
    dw_buf *b;
    int depth;
    bool need_comma[DW_JW_MAX_DEPTH];
    bool after_key;
} dw_jw;

void dw_jw_init(dw_jw *w, dw_buf *b);
void dw_jw_obj_begin(dw_jw *w);
void dw_jw_obj_end(dw_jw *w);
void dw_jw_arr_begin(dw_jw *w);
void dw_jw_arr_end(dw_jw *w);
void dw_jw_key(dw_jw *w, const char *k);
void dw_jw_str(dw_jw *w, const char *s);
void dw_jw_strn(dw_jw *w, const char *s, size_t n);
void dw_jw_int(dw_jw *w, int64_t v);
void dw_jw_uint(dw_jw *w, uint64_t v);
void dw_jw_num(dw_jw *w, double v);        /* shortest round-trip-ish %.17g trimmed; NaN/Inf -> null */
void dw_jw_fixed(dw_jw *w, double v, int decimals);  /* fixed decimals, e.g. scores */
void dw_jw_bool(dw_jw *w, bool v);
void dw_jw_null(dw_jw *w);
void dw_jw_raw(dw_jw *w, const char *json);           /* pre-rendered JSON value */

#endif
