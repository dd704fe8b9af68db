/* buf.c -- growable buffer, JSON and HTML escaping, JSON writer (see buf.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common/buf.h"
#include "common/util.h"

void dw_buf_free(dw_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void dw_buf_reserve(dw_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    b->p = dw_xrealloc(b->p, cap);
    b->cap = cap;
}

void dw_buf_put(dw_buf *b, const void *s, size_t n)
{
    dw_buf_reserve(b, n);
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
}

void dw_buf_puts(dw_buf *b, const char *s) { dw_buf_put(b, s, strlen(s)); }

void dw_buf_putc(dw_buf *b, char c)
{
    dw_buf_reserve(b, 1);
    b->p[b->len++] = c;
}

void dw_buf_printf(dw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) { dw_buf_put(b, tmp, (size_t)n); return; }
    dw_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *dw_buf_cstr(dw_buf *b)
{
    dw_buf_reserve(b, 0);
    b->p[b->len] = 0;
    return b->p;
}

int dw_buf_write(const dw_buf *b, FILE *f)
{
    if (b->len == 0) return 0; /* an empty buffer has no storage: fwrite(NULL, ...) is UB */
    return fwrite(b->p, 1, b->len, f) == b->len ? 0 : -1;
}

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;           /* overlong */
        if (c == 0xED && s[1] >= 0xA0) return 0;          /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;
        if (c == 0xF4 && s[1] >= 0x90) return 0;
        return 4;
    }
    return 0;
}

/* Copy the UTF-8 character at s (or U+FFFD for an invalid byte); returns bytes consumed. */
static size_t put_utf8_char(dw_buf *b, const unsigned char *s, size_t n)
{
    size_t k = utf8_seq(s, n);
    if (k) { dw_buf_put(b, s, k); return k; }
    dw_buf_puts(b, "\xEF\xBF\xBD");
    return 1;
}

void dw_buf_json_escaped(dw_buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    dw_buf_reserve(b, n + 8);
    size_t i = 0;
    while (i < n) {
        /* copy the longest run that needs no escaping in one go */
        size_t j = i;
        while (j < n && s[j] >= 0x20 && s[j] < 0x80 && s[j] != '"' && s[j] != '\\') j++;
        if (j > i) { dw_buf_put(b, s + i, j - i); i = j; continue; }
        unsigned c = s[i];
        if (c >= 0x80) { i += put_utf8_char(b, s + i, n - i); continue; }
        switch (c) {
        case '"': dw_buf_puts(b, "\\\""); break;
        case '\\': dw_buf_puts(b, "\\\\"); break;
        case '\n': dw_buf_puts(b, "\\n"); break;
        case '\r': dw_buf_puts(b, "\\r"); break;
        case '\t': dw_buf_puts(b, "\\t"); break;
        case '\b': dw_buf_puts(b, "\\b"); break;
        case '\f': dw_buf_puts(b, "\\f"); break;
        default: dw_buf_printf(b, "\\u%04x", c); break;
        }
        i++;
    }
}

void dw_buf_html_escaped(dw_buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c >= 0x80) { i += put_utf8_char(b, s + i, n - i); continue; }
        switch (c) {
        case '&': dw_buf_puts(b, "&amp;"); break;
        case '<': dw_buf_puts(b, "&lt;"); break;
        case '>': dw_buf_puts(b, "&gt;"); break;
        case '"': dw_buf_puts(b, "&quot;"); break;
        case '\'': dw_buf_puts(b, "&#39;"); break;
        default:
            if (c < 0x20 && c != '\n' && c != '\t') dw_buf_puts(b, "\xEF\xBF\xBD");
            else dw_buf_putc(b, (char)c);
        }
        i++;
    }
}

/* ---- JSON writer ---- */

void dw_jw_init(dw_jw *w, dw_buf *b)
{
    memset(w, 0, sizeof *w);
    w->b = b;
}

static void jw_value_prefix(dw_jw *w)
{
    if (w->after_key) { w->after_key = false; return; }
    if (w->need_comma[w->depth]) dw_buf_putc(w->b, ',');
    w->need_comma[w->depth] = true;
}

static void jw_open(dw_jw *w, char c)
{
    jw_value_prefix(w);
    dw_buf_putc(w->b, c);
    if (w->depth + 1 < DW_JW_MAX_DEPTH) w->depth++;
    w->need_comma[w->depth] = false;
}

static void jw_close(dw_jw *w, char c)
{
    dw_buf_putc(w->b, c);
    if (w->depth > 0) w->depth--;
}

void dw_jw_obj_begin(dw_jw *w) { jw_open(w, '{'); }
void dw_jw_obj_end(dw_jw *w) { jw_close(w, '}'); }
void dw_jw_arr_begin(dw_jw *w) { jw_open(w, '['); }
void dw_jw_arr_end(dw_jw *w) { jw_close(w, ']'); }

void dw_jw_key(dw_jw *w, const char *k)
{
    jw_value_prefix(w);
    dw_buf_putc(w->b, '"');
    dw_buf_json_escaped(w->b, k, strlen(k));
    dw_buf_put(w->b, "\":", 2);
    w->after_key = true;
}

void dw_jw_strn(dw_jw *w, const char *s, size_t n)
{
    jw_value_prefix(w);
    dw_buf_putc(w->b, '"');
    dw_buf_json_escaped(w->b, s, n);
    dw_buf_putc(w->b, '"');
}

void dw_jw_str(dw_jw *w, const char *s)
{
    if (!s) { dw_jw_null(w); return; }
    dw_jw_strn(w, s, strlen(s));
}

void dw_jw_int(dw_jw *w, int64_t v) { jw_value_prefix(w); dw_buf_printf(w->b, "%lld", (long long)v); }
void dw_jw_uint(dw_jw *w, uint64_t v) { jw_value_prefix(w); dw_buf_printf(w->b, "%llu", (unsigned long long)v); }

void dw_jw_num(dw_jw *w, double v)
{
    jw_value_prefix(w);
    if (!isfinite(v)) { dw_buf_puts(w->b, "null"); return; }
    char tmp[40];
    /* shortest of %.15g / %.17g that round-trips */
    snprintf(tmp, sizeof tmp, "%.15g", v);
    if (strtod(tmp, NULL) != v) snprintf(tmp, sizeof tmp, "%.17g", v);
    dw_buf_puts(w->b, tmp);
}

void dw_jw_fixed(dw_jw *w, double v, int decimals)
{
    jw_value_prefix(w);
    if (!isfinite(v)) { dw_buf_puts(w->b, "null"); return; }
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    /* trim trailing zeros but keep at least one digit after the point */
    char *dot = strchr(tmp, '.');
    if (dot) {
        char *e = tmp + strlen(tmp) - 1;
        while (e > dot + 1 && *e == '0') *e-- = 0;
    }
    if (strcmp(tmp, "-0.0") == 0) strcpy(tmp, "0.0");
    dw_buf_puts(w->b, tmp);
}

void dw_jw_bool(dw_jw *w, bool v) { jw_value_prefix(w); dw_buf_puts(w->b, v ? "true" : "false"); }
void dw_jw_null(dw_jw *w) { jw_value_prefix(w); dw_buf_puts(w->b, "null"); }
void dw_jw_raw(dw_jw *w, const char *json) { jw_value_prefix(w); dw_buf_puts(w->b, json); }
