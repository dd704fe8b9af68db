/*
 * wm_input.c -- JSONL or plain text, decided by the first non-blank byte: a
 * JSONL file starts with '{'.  A plain-text file that happens to start with
 * '{' must be wrapped as JSONL; the alternative (guessing per line) would
 * score half a file differently from the other half without saying so.
 */
#include "prove/wm_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/json.h"
#include "common/util.h"

static int decode_field(const dw_json_doc *d, const char *path, char **buf, size_t *cap, size_t *len)
{
    int32_t tok = dw_json_path(d, 0, path);
    if (tok < 0 || dw_json_type_of(d, tok) != DW_JSON_STRING) return -1;
    /* a real (empty) buffer: json.c passes it to memcpy even for cap 0 */
    long need = dw_json_str(d, tok, (char[1]){0}, 0);
    if (need < 0) return -1;
    if ((size_t)need + 1 > *cap) {
        size_t c = (size_t)need + 1;
        char *p = dw_xrealloc(*buf, c);
        *buf = p;
        *cap = c;
    }
    dw_json_str(d, tok, *buf, *cap);
    *len = (size_t)need;
    return 0;
}

int dw_wm_input_scan(const char *name, const char *buf, size_t n, const char *field,
                     const char *prompt_field, dw_wm_text_fn fn, void *ud, char *err, size_t errlen)
{
    size_t i = 0;
    while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')) i++;
    if (i == n || buf[i] != '{') {
        dw_wm_text t = {buf, n, NULL, 0, 1};
        return n ? fn(ud, &t) : 0;
    }
    dw_json_doc d;
    dw_json_init(&d);
    char *tb = NULL, *pb = NULL;
    size_t tcap = 0, pcap = 0;
    int rc = 0;
    uint64_t line = 0;
    for (size_t pos = 0; pos < n && rc == 0;) {
        const char *nl = memchr(buf + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - buf) : n;
        size_t len = end - pos;
        line++;
        const char *l = buf + pos;
        pos = end + 1;
        size_t k = 0;
        while (k < len && (l[k] == ' ' || l[k] == '\t' || l[k] == '\r')) k++;
        if (k == len) continue;
        if (len > DW_WM_MAX_LINE) {
            snprintf(err, errlen, "%s:%llu:1: line longer than %u MiB", name, (unsigned long long)line,
                     DW_WM_MAX_LINE >> 20);
            rc = -1;
            break;
        }
        if (dw_json_parse(&d, l, len) != 0) {
            snprintf(err, errlen, "%s:%llu:%zu: %s", name, (unsigned long long)line, d.err_off + 1, d.err_msg);
            rc = -1;
            break;
        }
        if (dw_json_type_of(&d, 0) != DW_JSON_OBJECT) {
            snprintf(err, errlen, "%s:%llu:1: not a JSON object", name, (unsigned long long)line);
            rc = -1;
            break;
        }
        dw_wm_text t = {NULL, 0, NULL, 0, line};
        if (decode_field(&d, field, &tb, &tcap, &t.len) != 0) {
            snprintf(err, errlen, "%s:%llu:1: no string at field \"%s\"", name, (unsigned long long)line, field);
            rc = -1;
            break;
        }
        t.text = tb;
        if (prompt_field) {
            if (decode_field(&d, prompt_field, &pb, &pcap, &t.plen) != 0) {
                snprintf(err, errlen, "%s:%llu:1: no string at field \"%s\"", name, (unsigned long long)line,
                         prompt_field);
                rc = -1;
                break;
            }
            t.prompt = pb;
        }
        rc = fn(ud, &t);
    }
    free(tb);
    free(pb);
    dw_json_free(&d);
    return rc;
}

char *dw_wm_slurp(const char *path, size_t *n, char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) { snprintf(err, errlen, "%s: cannot open", path); return NULL; }
    size_t cap = 1 << 16, len = 0;
    char *b = dw_xmalloc(cap);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            char *p = dw_xrealloc(b, cap);
            b = p;
        }
        size_t r = fread(b + len, 1, cap - len, f);
        len += r;
        if (len > DW_WM_MAX_INPUT) {
            snprintf(err, errlen, "%s: larger than the 4 GiB input limit", path);
            free(b);
            if (f != stdin) fclose(f);
            return NULL;
        }
        if (r == 0) break;
    }
    int bad = ferror(f);
    if (f != stdin) fclose(f);
    if (bad) { snprintf(err, errlen, "%s: read error", path); free(b); return NULL; }
    *n = len;
    return b;
}

#define MAX_WINDOW 64

int dw_wm_parse_windows(const char *name, const char *buf, size_t n, uint32_t len, dw_wm_window_fn fn,
                        void *ud, char *err, size_t errlen)
{
    if (len == 0 || len > MAX_WINDOW) {
        snprintf(err, errlen, "%s: window length %u out of range", name, len);
        return -1;
    }
    uint32_t win[MAX_WINDOW];
    unsigned long long line = 1;
    size_t i = 0;
    while (i < n) {
        size_t col0 = i;
        uint32_t k = 0;
        while (i < n && buf[i] != '\n') {
            char ch = buf[i];
            if (ch == '#') {
                while (i < n && buf[i] != '\n') i++;
                break;
            }
            if (ch == ' ' || ch == '\t' || ch == ',' || ch == '\r' || ch == '[' || ch == ']') { i++; continue; }
            if (ch < '0' || ch > '9') {
                snprintf(err, errlen, "%s:%llu:%zu: expected a token id", name, line, i - col0 + 1);
                return -1;
            }
            if (k == len) {
                snprintf(err, errlen, "%s:%llu:%zu: more than %u ids on the line", name, line, i - col0 + 1, len);
                return -1;
            }
            uint64_t v = 0;
            size_t c0 = i;
            while (i < n && buf[i] >= '0' && buf[i] <= '9') {
                v = v * 10 + (uint64_t)(buf[i++] - '0');
                if (v > UINT32_MAX) {
                    snprintf(err, errlen, "%s:%llu:%zu: token id out of range", name, line, c0 - col0 + 1);
                    return -1;
                }
            }
            win[k++] = (uint32_t)v;
        }
        if (k == len) fn(ud, win);
        else if (k != 0) {
            snprintf(err, errlen, "%s:%llu:1: %u ids, expected %u", name, line, k, len);
            return -1;
        }
        i++;
        line++;
    }
    return 0;
}
