/*
 * wm_input.h -- the texts `wm score` and `attribute` read: JSONL (one JSON
 * object per line, the text at a field path) or plain text (the whole input
 * is one text).
 *
 * Separate from the CLI so that it can be fuzzed and tested: it is the
 * parser that faces files handed over by a counterparty.  Errors name the
 * file, line and column; inputs over the size limits are refused, never
 * truncated (a truncated text would give a different score).
 */
#ifndef DW_PROVE_WM_INPUT_H
#define DW_PROVE_WM_INPUT_H

#include <stddef.h>
#include <stdint.h>

#define DW_WM_MAX_LINE   (64u << 20)    /* one JSONL record */
#define DW_WM_MAX_INPUT  (1ull << 32)   /* one file */

typedef struct dw_wm_text {
    const char *text;   size_t len;     /* decoded UTF-8 */
    const char *prompt; size_t plen;    /* NULL unless a prompt field was asked for */
    uint64_t    line;                   /* 1-based line (JSONL), 1 for plain text */
} dw_wm_text;

/* Return non-zero to stop. */
typedef int (*dw_wm_text_fn)(void *ud, const dw_wm_text *t);

/* field / prompt_field are dotted paths ("messages.1.content.answer");
 * prompt_field may be NULL.  Blank lines are skipped.  Returns 0, the
 * callback's non-zero value, or -1 with "NAME:LINE:COL: why" in err. */
int dw_wm_input_scan(const char *name, const char *buf, size_t n, const char *field,
                     const char *prompt_field, dw_wm_text_fn fn, void *ud, char *err, size_t errlen);

/* A window list ("--filter"): one window per line, `len` token ids separated
 * by blanks or commas (brackets ignored, so "[12, 34]" works); '#' starts a
 * comment; blank lines are skipped.  fn receives each window.  Returns 0, or
 * -1 with "NAME:LINE:COL: why". */
typedef void (*dw_wm_window_fn)(void *ud, const uint32_t *window);
int dw_wm_parse_windows(const char *name, const char *buf, size_t n, uint32_t len, dw_wm_window_fn fn,
                        void *ud, char *err, size_t errlen);

/* Read a whole file ("-" = stdin) into a malloc'd buffer, refusing files over
 * DW_WM_MAX_INPUT.  NULL with a message on error. */
char *dw_wm_slurp(const char *path, size_t *n, char *err, size_t errlen);

#endif
