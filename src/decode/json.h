/*
 * json.h -- strict RFC 8259 JSON reader for the hot path.
 *
 * Every request-log record passes through here, so the reader is built for
 * one job: parse one record (one line) into a flat "tape" of tokens held in a
 * reusable buffer, validating as strictly as RFC 8259 says, then let the
 * decoders pick the few fields they need without building a tree of
 * allocations.  Strings are not unescaped during parsing; a token records
 * whether its raw bytes contain escapes and dw_json_str() decodes on demand.
 *
 * Tape layout: tokens in document order.  A container token's `next` is the
 * index just past its whole subtree, so siblings are reached in O(1) and a
 * lookup never descends into values it does not want.  An object's children
 * alternate key, value.
 *
 * Limits (all enforced, never UB): input length < 2^32, nesting depth
 * <= DW_JSON_MAX_DEPTH, token count <= the doc's max_tokens.
 */
#ifndef DW_JSON_H
#define DW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DW_JSON_MAX_DEPTH 256

typedef enum {
    DW_JSON_NULL = 0,
    DW_JSON_FALSE,
    DW_JSON_TRUE,
    DW_JSON_NUMBER,
    DW_JSON_STRING,
    DW_JSON_ARRAY,
    DW_JSON_OBJECT
} dw_json_type;

typedef struct dw_json_tok {
    uint8_t  type;      /* dw_json_type */
    uint8_t  escaped;   /* STRING: raw bytes contain a backslash escape */
    uint8_t  is_int;    /* NUMBER: no fraction or exponent */
    uint8_t  pad_;
    uint32_t start;     /* offset of raw content; STRING: just after the opening quote */
    uint32_t len;       /* raw length; STRING: without quotes; containers: bytes incl. brackets */
    uint32_t next;      /* index of the first token after this token's subtree */
    uint32_t count;     /* ARRAY: elements; OBJECT: members (key/value pairs) */
} dw_json_tok;

typedef struct dw_json_doc {
    /* caller-visible results */
    const char  *src;       /* the parsed buffer (not copied; must outlive lookups) */
    size_t       srclen;
    dw_json_tok *toks;
    uint32_t     ntok;
    /* error, when dw_json_parse() fails */
    size_t       err_off;   /* byte offset of the first offending byte */
    const char  *err_msg;   /* static string, e.g. "unterminated string" */
    /* configuration and storage */
    uint32_t     max_tokens; /* 0 = default (1<<20) */
    uint32_t     cap;
} dw_json_doc;

void dw_json_init(dw_json_doc *d);
void dw_json_free(dw_json_doc *d);

/* Parse exactly one JSON value (any type at top level) surrounded by optional
 * whitespace (space, tab, CR, LF).  Strict: rejects trailing commas, leading
 * zeros, invalid escapes, unescaped control characters, lone or reversed UTF-16
 * surrogates in \u escapes, invalid UTF-8 (overlongs, surrogates, > U+10FFFF),
 * a byte order mark, NaN/Infinity, comments and trailing garbage.
 * Returns 0 on success; -1 with err_off/err_msg set on failure.  Reuses the
 * token buffer across calls. */
int dw_json_parse(dw_json_doc *d, const char *src, size_t len);

/* Token index of the value of member `key` in object token `obj`, or -1.
 * Keys are compared after unescaping; the first match wins. */
int32_t dw_json_get(const dw_json_doc *d, int32_t obj, const char *key);

/* Many keys of one object in one pass.  An adapter wants a dozen members of
 * the same object; a dw_json_get() per member walks the object a dozen
 * times, comparing every key each time.  A keyset, built once, files its
 * keys in buckets by a hash of their length and first eight bytes, so one
 * walk over the members costs, per member, one eight-byte load, a multiply
 * and a bucket probe; a key whose length and first word match is confirmed
 * by comparing its last word (enough for keys of up to 16 bytes, most
 * member names) and, for longer keys, the bytes between. */
#define DW_JSON_KEYSET_MAX 32 /* at most 32: dw_json_get_many() returns bits */
#define DW_JSON_KEYSET_BUCKETS 64
typedef struct dw_json_keyset {
    const char *key[DW_JSON_KEYSET_MAX];
    uint64_t    head[DW_JSON_KEYSET_MAX];      /* first 8 bytes, zero-padded */
    uint64_t    tail[DW_JSON_KEYSET_MAX];      /* last 8 bytes, when longer than 8 */
    uint32_t    len[DW_JSON_KEYSET_MAX];
    int8_t      chain[DW_JSON_KEYSET_MAX];     /* next key of the same bucket, -1 */
    int8_t      first[DW_JSON_KEYSET_BUCKETS]; /* first key of each bucket, -1 */
    uint8_t     n;
} dw_json_keyset;

/* Reset ks to the empty set. */
void dw_json_keyset_init(dw_json_keyset *ks);
/* Add a key (not copied: it must outlive the set); returns its index, or -1
 * when the set is full. */
int dw_json_keyset_add(dw_json_keyset *ks, const char *key);
/* ks = the n keys (n <= DW_JSON_KEYSET_MAX), key i at index i: an adapter's
 * table of member names, in the order of its enum. */
void dw_json_keyset_of(dw_json_keyset *ks, const char *const *keys, int n);
/* out[i] = the value token of key i in object `obj` (first match, as
 * dw_json_get), or -1.  Returns which keys were found, bit i for key i, so
 * that a caller can visit only those (0 when obj is not an object). */
uint32_t dw_json_get_many(const dw_json_doc *d, int32_t obj, const dw_json_keyset *ks, int32_t *out);

/* Which key of ks string token `tok` is (after unescaping; the lowest
 * index when ks holds a key twice), or -1: a keyset used as a dictionary,
 * for logs that list fields as {"key": ..., "value": ...} pairs (OTLP). */
int dw_json_keyset_find(const dw_json_doc *d, const dw_json_keyset *ks, int32_t tok);

/* Follow a dotted path from `root`: "a.b.c"; a segment that is all digits
 * indexes an array ("messages.0.content").  -1 when any step is missing or
 * has the wrong type. */
int32_t dw_json_path(const dw_json_doc *d, int32_t root, const char *path);

/* Index of the i-th element of an array (or i-th *value* of an object), -1 if out of range. */
int32_t dw_json_at(const dw_json_doc *d, int32_t container, uint32_t i);

/* Iteration over a container's children: first child and the child after `tok`.
 * For objects the children alternate key, value. Both return -1 at the end. */
int32_t dw_json_first(const dw_json_doc *d, int32_t container);
int32_t dw_json_next(const dw_json_doc *d, int32_t container, int32_t tok);

/* Type of token `tok` (DW_JSON_NULL for tok < 0 is NOT returned: -1 maps to -1). */
static inline int dw_json_type_of(const dw_json_doc *d, int32_t tok)
{
    return tok < 0 ? -1 : d->toks[tok].type;
}

/* Decode string token `tok` into out[0..cap) (UTF-8, NUL-terminated when cap > 0).
 * Returns the full decoded length (may exceed cap-1: output truncated on a
 * UTF-8 character boundary), or -1 if tok is not a string.  Raw strings
 * without escapes can be used in place: d->src + tok.start, tok.len. */
long dw_json_str(const dw_json_doc *d, int32_t tok, char *out, size_t cap);

/* Compare string token with a C string (after unescaping). */
bool dw_json_str_eq(const dw_json_doc *d, int32_t tok, const char *s);

/* Numbers: false if tok is not a number or (for _i64) not an integer in range.
 * Booleans are not numbers. */
bool dw_json_f64(const dw_json_doc *d, int32_t tok, double *out);
bool dw_json_i64(const dw_json_doc *d, int32_t tok, int64_t *out);

#endif
